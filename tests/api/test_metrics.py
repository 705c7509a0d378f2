"""``/metrics`` (``backend.metrics``): Prometheus's text format, parsed with
``prometheus_client.parser``; requests counted by route template and by *registered* operation
name (anything else is "other", so hostile names make no series), off means 404, a token when
set, payments and webhook deliveries by status read at scrape time, and a database that fails
or hangs reported by ``icok_database_up`` without breaking the answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from backend.app import create_app
from backend.config import Settings, WebhookEndpoint
from backend.models.enums import PaymentStatus
from backend.services import outbox
from backend.services.outbox import EventType
from backend.trusted_documents import CONSOLE_MANIFEST, CUSTOMER_MANIFEST, load_manifest
from tests.factories import login_as, make_api_key, make_customer
from tests.factories.billing import make_payment

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

TOKEN = "scraper-" + "t" * 24


def _document(manifest: Path, name: str) -> str:
    """The registered document of the operation ``name``, exactly as the SPA sends it."""
    found = [d for d in load_manifest(manifest).values() if f" {name} " in d or f" {name}(" in d]
    assert len(found) == 1, name
    return found[0]


DASHBOARD = _document(CUSTOMER_MANIFEST, "Dashboard")
CAPTCHA = _document(CUSTOMER_MANIFEST, "Captcha")
CONSOLE_ME = _document(CONSOLE_MANIFEST, "ConsoleMe")
TOP_UP = _document(CUSTOMER_MANIFEST, "TopUpWallet")


def _names(manifest: Path) -> set[str]:
    return {
        name
        for d in load_manifest(manifest).values()
        for name in [d.split("{", 1)[0].split("(", 1)[0].split()[-1]]
    }


async def scrape(client: httpx.AsyncClient, **headers: str) -> Samples:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def series(samples: Samples, name: str) -> Iterator[dict[str, str]]:
    return (dict(labels) for n, labels in samples if n == name)


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any], **headers: str) -> Any:
    response = await client.post(path, json=body, headers=headers)
    return response


async def test_graphql_requests_are_counted_by_registered_operation(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    key = await make_api_key()
    before = await scrape(client)

    assert (await post(client, "/graphql", {"query": DASHBOARD})).status_code == 200
    assert (await post(client, "/graphql", {"query": CAPTCHA})).status_code == 200
    # The registered name on another document, an unparsable one, a name the document lacks.
    await post(client, "/graphql", {"query": "query Dashboard { __typename }"})
    await post(client, "/graphql", {"query": "query Dashboard {"})
    await post(client, "/graphql", {"query": DASHBOARD, "operationName": "Nope"})
    await post(client, "/console/graphql", {"query": CONSOLE_ME})
    await post(client, "/operator/graphql", {"query": "{ apiVersion }"}, **key.headers)
    await post(client, "/operator/graphql", {"query": "{ apiVersion }"})  # no key: 401
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ops = "icok_graphql_operations_total"
    assert moved(ops, endpoint="/graphql", operation="Dashboard", outcome="ok") == 1
    assert moved(ops, endpoint="/graphql", operation="Captcha", outcome="ok") == 1
    assert moved(ops, endpoint="/graphql", operation="other", outcome="ok") == 1
    assert moved(ops, endpoint="/graphql", operation="other", outcome="refused") == 2
    assert moved(ops, endpoint="/console/graphql", operation="ConsoleMe", outcome="ok") == 1
    assert moved(ops, endpoint="/operator/graphql", operation="other", outcome="ok") == 1
    assert moved(ops, endpoint="/operator/graphql", operation="other", outcome="refused") == 1
    seconds = "icok_graphql_operation_duration_seconds_count"
    assert moved(seconds, endpoint="/graphql", operation="Dashboard") == 1
    # (a document without the operation named is a 400 from strawberry)
    assert moved("icok_http_requests_total", endpoint="/graphql", status="2xx") == 4
    assert moved("icok_http_requests_total", endpoint="/graphql", status="4xx") == 1
    assert moved("icok_http_requests_total", endpoint="/operator/graphql", status="4xx") == 1
    assert moved("icok_http_request_duration_seconds_count", endpoint="/graphql") == 5
    # The first scrape is counted by the second.
    assert moved("icok_http_requests_total", endpoint="/metrics", status="2xx") == 1


async def test_a_thousand_hostile_operation_names_make_no_new_series(
    client: httpx.AsyncClient,
) -> None:
    async def hostile(n: int) -> None:
        name = f"Evil{n}_" + "x" * (n % 50)
        query = f"query {name} {{ __typename }}" if n % 2 else f"query {name} {{"
        body = {"query": query, "operationName": name if n % 3 else "Dashboard"}
        response = await post(client, "/graphql", body)
        assert response.status_code in (200, 400)  # (400: no operation of that name)

    ops = "icok_graphql_operations_total"
    before = await scrape(client)
    for start in range(0, 1000, 50):
        await asyncio.gather(*(hostile(n) for n in range(start, start + 50)))
    after = await scrape(client)

    labels = list(series(after, ops))
    allowed = _names(CUSTOMER_MANIFEST) | _names(CONSOLE_MANIFEST) | {"other"}
    assert {s["operation"] for s in labels} <= allowed
    assert len(labels) < 2 * len(allowed)
    others = [s for s in labels if s["endpoint"] == "/graphql" and s["operation"] == "other"]
    moved = sum(value(after, ops, **s) - value(before, ops, **s) for s in others)
    assert moved == 1000
    assert value(after, ops, endpoint="/graphql", operation="Dashboard", outcome="refused") == (
        value(before, ops, endpoint="/graphql", operation="Dashboard", outcome="refused")
    )


async def test_requests_are_counted_by_route_template_not_raw_path(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/healthz")
    for n in range(3):
        await client.get(f"/invoices/{n}-raw{'q' * n}.pdf")
        await client.get(f"/some/client/route/{n}")
    samples = await scrape(client)

    endpoints = {s["endpoint"] for s in series(samples, "icok_http_requests_total")}
    assert {"/healthz", "/invoices/{invoice_id:path}.pdf", "/*"} <= endpoints
    assert not any("raw" in e or "client" in e for e in endpoints)
    assert value(samples, "icok_http_requests_total", endpoint="/*", status="2xx") >= 3


async def test_payments_and_webhook_deliveries_by_status(settings: Settings, db: str) -> None:
    hooked = settings.with_overrides(
        webhook_endpoints=(
            WebhookEndpoint("bss", "https://bss.example/hooks", "whsec_unused"),
            WebhookEndpoint("crm", "https://crm.example/hooks", "whsec_unused"),
        )
    )
    customer = await make_customer(settings)
    for status in (PaymentStatus.PAID, PaymentStatus.PAID, PaymentStatus.PENDING):
        await make_payment(customer, status=status)
    await make_payment(customer, status=PaymentStatus.EXPIRED)
    for n in range(3):
        async with in_transaction():
            await outbox.emit(hooked, EventType.PACKAGE_ORDERED, customer.id, {"n": n})

    app = create_app(hooked, manage_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        # One more pending payment, started the SPA's way.
        await login_as(client, hooked, customer)
        top_up = {"amount": "25,50", "method": "BLIK", "idempotencyKey": "metrics-top-up-1"}
        started = await post(client, "/graphql", {"query": TOP_UP, "variables": {"input": top_up}})
        assert started.json()["data"]["topUpWallet"]["errors"] == []
        samples = await scrape(client)

    assert value(samples, "icok_database_up") == 1
    payments = {
        s["status"]: value(samples, "icok_payments", **s) for s in series(samples, "icok_payments")
    }
    assert payments == {"pending": 2, "paid": 2, "failed": 0, "cancelled": 0, "expired": 1}
    ops = "icok_graphql_operations_total"
    assert value(samples, ops, endpoint="/graphql", operation="TopUpWallet", outcome="ok") >= 1
    deliveries = {
        (s["endpoint"], s["status"]): value(samples, "icok_webhook_deliveries", **s)
        for s in series(samples, "icok_webhook_deliveries")
    }
    assert deliveries[("bss", "pending")] == 3
    assert deliveries[("crm", "pending")] == 3
    assert deliveries[("crm", "dead")] == 0
    assert len(deliveries) == 2 * 4
    for pool in ("hashing", "scoring"):
        assert ("icok_password_pool_threads", frozenset({("pool", pool)})) in samples
        assert value(samples, "icok_password_pool_busy", pool=pool) == 0
        assert value(samples, "icok_password_pool_queued", pool=pool) == 0
        assert ("icok_password_pool_refused_total", frozenset({("pool", pool)})) in samples
    assert value(samples, "icok_password_pool_threads", pool="scoring") >= 1
    assert value(samples, "icok_password_scoring_queue_limit", kind="meter") >= 1
    if settings.is_sqlite:  # one connection, no pool
        assert not list(series(samples, "icok_database_pool_size"))
    else:
        assert value(samples, "icok_database_pool_size") >= 1
        assert value(samples, "icok_database_pool_max") >= value(samples, "icok_database_pool_size")


async def test_a_failing_database_is_reported_not_fatal(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    connection = get_connection("default")
    await connection.execute_script("ALTER TABLE event_delivery RENAME TO event_delivery_gone")
    try:
        broken = await scrape(client)
    finally:
        await connection.execute_script("ALTER TABLE event_delivery_gone RENAME TO event_delivery")
    assert value(broken, "icok_database_up") == 0
    assert not list(series(broken, "icok_payments"))
    assert value(broken, "icok_password_scoring_queue_limit", kind="policy") >= 1

    mended = await scrape(client)  # (a failure is not reused)
    assert value(mended, "icok_database_up") == 1
    assert value(mended, "icok_payments", status="paid") == 0


async def test_a_hanging_database_is_reported_within_the_timeout(
    settings: Settings, db: str
) -> None:
    if settings.is_sqlite:
        pytest.skip("PostgreSQL: a table lock held by another connection blocks the read")
    app = create_app(
        settings.with_overrides(metrics_database_timeout_seconds=0.3), manage_database=False
    )
    other = await asyncpg.connect(settings.database_url.replace("postgres://", "postgresql://"))
    try:
        transaction = other.transaction()
        await transaction.start()
        await other.execute("LOCK TABLE payment IN ACCESS EXCLUSIVE MODE")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            started = time.monotonic()
            hung = await scrape(client)
            took = time.monotonic() - started
            await transaction.rollback()
            freed = await scrape(client)
    finally:
        await other.close()
    assert value(hung, "icok_database_up") == 0
    assert took < 10  # the 0.3 s timeout, with any amount of load around it
    assert value(freed, "icok_database_up") == 1


async def test_openmetrics_when_asked(client: httpx.AsyncClient) -> None:
    accept = "application/openmetrics-text; version=1.0.0"
    response = await client.get("/metrics", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n") and response.text.count("# EOF") == 1
    names = {f.name for f in openmetrics_families(response.text)}
    assert {"icok_http_requests", "icok_database_up", "icok_payments"} <= names


async def test_off_means_404(settings: Settings, db: str) -> None:
    app = create_app(settings.with_overrides(metrics=False), manage_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        response = await client.get("/metrics", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert response.json()["errors"][0]["message"] == "There is no page here."


async def test_the_token_is_required_when_set(settings: Settings, db: str) -> None:
    app = create_app(settings.with_overrides(metrics_token=TOKEN), manage_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        for authorization in (
            None,
            TOKEN,
            f"Bearer {TOKEN}x",
            f"Bearer {TOKEN[:-1]}",
            f"Basic {TOKEN}",
            "Bearer zażółć",
        ):
            headers = [] if authorization is None else [(b"authorization", authorization.encode())]
            response = await client.get("/metrics", headers=headers)
            assert response.status_code == 401, headers
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
            assert "icok_" not in response.text
        samples = await scrape(client, Authorization=f"Bearer {TOKEN}")
    assert value(samples, "icok_database_up") == 1
