"""A client's mistakes are not the operator's errors: anonymous clients sending 50 bad requests of
each kind (not logged in, refused by a permission or scope, invalid documents and variables,
unreadable or refused bodies, over the rate limit, forged webhooks) leave no ERROR record and no
traceback in the log (at most one INFO line each); a bug still logs at ERROR with its traceback
(test_error_masking). A client gone before its body was read and a captcha refused over its limit
are one INFO line each (the real server's stderr: tests/test_cli_logs.py)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.config import Mode, Settings
from backend.services.captcha import PER_IP
from backend.trusted_documents import SPA_OPERATIONS, document_hash, operations
from tests.factories import make_api_key

ADD = "mutation ($i: AddPackageInput!) { addPackage(input: $i) { errors { code } } }"
SEARCH = "query ($q: String!) { customerSearch(query: $q) { truncated } }"
EVENTS = "{ events(first: 1) { edges { cursor } } }"
LEGAL = "query ($d: LegalDocument!) { legalText(document: $d) { html } }"
TIMES = 50
CAPTCHA = next(d for _, d in operations(SPA_OPERATIONS) if "query Captcha " in d)


async def test_fifty_bad_requests_of_each_kind_log_no_error(
    settings: Settings, db: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    unscoped = await make_api_key(name="bss")  # no scope: events:read is refused
    json_type = {"Content-Type": "application/json"}
    kinds: list[tuple[str, str, dict[str, Any]]] = [
        ("not logged in", "/graphql", {"json": {"query": ADD, "variables": {"i": {}}}}),
        (
            "not logged in",
            "/graphql",
            {"json": {"query": ADD, "variables": {"i": {"serviceId": "x", "packageId": "y"}}}},
        ),
        (
            "no staff session",
            "/console/graphql",
            {"json": {"query": SEARCH, "variables": {"q": "a"}}},
        ),
        ("no operator key", "/operator/graphql", {"json": {"query": EVENTS}}),
        ("scope", "/operator/graphql", {"json": {"query": EVENTS}, "headers": unscoped.headers}),
        ("validation", "/graphql", {"json": {"query": "{ apiVersio }"}}),
        ("parse", "/graphql", {"json": {"query": "{ apiVersion"}}),
        ("variable", "/graphql", {"json": {"query": LEGAL, "variables": {"d": "X"}}}),
        ("bad JSON", "/graphql", {"content": b"{", "headers": json_type}),
        ("deep JSON", "/graphql", {"content": b"[" * 100_000, "headers": json_type}),
        ("batch", "/graphql", {"content": b"[{}]", "headers": json_type}),
        ("413", "/graphql", {"content": b" " * (2 << 20), "headers": json_type}),
        ("415", "/graphql", {"content": b"{}", "headers": {"Content-Type": "text/plain"}}),
        ("forged webhook", "/payments/webhook/sandbox", {"content": b"{}", "headers": json_type}),
        ("unknown provider", "/payments/webhook/nope", {"content": b"{}", "headers": json_type}),
    ]
    limited = settings.with_overrides(mode=Mode.PRODUCTION, rate_limit_anonymous=TIMES * 30)
    app = create_app(limited, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for kind, path, request in kinds:
            statuses = set()
            for _ in range(TIMES):
                response = await client.post(path, **request)
                statuses.add(response.status_code)
            assert statuses and 500 not in statuses, (kind, statuses)
        # and over the rate limit (what is left of it, and 50 more)
        rate_limited = 0
        for _ in range(TIMES * 30):
            response = await client.post("/graphql", json={"query": "{ apiVersion }"})
            rate_limited += response.status_code == 429
        assert rate_limited >= TIMES
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert not loud, [(r.name, r.levelname, r.getMessage()) for r in loud]


async def _gone_mid_body(app: Any, path: str) -> list[dict[str, Any]]:
    """POST ``path`` straight through ASGI with a client that sends part of its body and goes
    away (``http.disconnect``, as uvicorn says it); what the app sent."""
    chunks: list[dict[str, Any]] = [
        {"type": "http.request", "body": b'{"query": "{ api', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", b"1000"),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_expected_conditions_log_one_info_line(
    settings: Settings, db: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A client gone before its body was read (on each endpoint that reads one) and every
    captcha refused over its per-address limit: one INFO line each, no traceback."""
    caplog.set_level(logging.DEBUG)
    app = create_app(settings.with_overrides(mode=Mode.PRODUCTION), manage_database=False)
    paths = ["/graphql", "/console/graphql", "/payments/webhook/payu"]
    for path in paths:
        assert await _gone_mid_body(app, path) == []  # nobody is left to answer
    gone = [r for r in caplog.records if r.getMessage().startswith("client went away")]
    assert [(r.levelname, r.getMessage().split(": ")[1].split(" (")[0]) for r in gone] == [
        ("INFO", f"POST {path}") for path in paths
    ]
    transport = httpx.ASGITransport(app=app)
    captcha = {"documentId": f"sha256:{document_hash(CAPTCHA)}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for _ in range(PER_IP):
            assert "errors" not in (await client.post("/graphql", json=captcha)).json()
        for _ in range(TIMES):
            refused = (await client.post("/graphql", json=captcha)).json()
            assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    limited = [r for r in caplog.records if r.getMessage().startswith("captcha refused")]
    assert len(limited) == TIMES and {r.levelname for r in limited} == {"INFO"}
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert not loud, [(r.name, r.levelname, r.getMessage()) for r in loud]


async def test_a_client_gone_before_its_answer_is_not_counted_as_a_failure(
    settings: Settings, db: str
) -> None:
    """/metrics counts answered requests: one the client left before it was answered adds no
    5xx (nor a ``failed`` operation), which would page an operator for a client's doing; an
    answered one still counts."""
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

        async def counts() -> dict[str, float]:
            text = (await client.get("/metrics")).text
            return {
                name: float(number)
                for line in text.splitlines()
                if line.startswith(("icok_http_requests_total{", "icok_graphql_operations_total{"))
                and '"/graphql"' in line
                for name, number in [line.rsplit(" ", 1)]
            }

        before = await counts()
        for _ in range(3):
            assert await _gone_mid_body(app, "/graphql") == []
        assert await counts() == before
        await client.post("/graphql", json={"query": "{ apiVersion }"})
        after = await counts()
    moved = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
    assert moved == {
        'icok_http_requests_total{endpoint="/graphql",status="2xx"}': 1,
        'icok_graphql_operations_total{endpoint="/graphql",operation="other",outcome="ok"}': 1,
    }
