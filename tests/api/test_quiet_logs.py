"""A client's mistakes are not the operator's errors: anonymous clients sending 50 bad requests of
each kind (not logged in, refused by a permission or scope, invalid documents and variables,
unreadable or refused bodies, over the rate limit, forged webhooks) leave no ERROR record and no
traceback in the log (at most one INFO line each); a bug still logs at ERROR with its traceback
(test_error_masking)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.config import Mode, Settings
from tests.factories import make_api_key

ADD = "mutation ($i: AddPackageInput!) { addPackage(input: $i) { errors { code } } }"
SEARCH = "query ($q: String!) { customerSearch(query: $q) { truncated } }"
EVENTS = "{ events(first: 1) { edges { cursor } } }"
LEGAL = "query ($d: LegalDocument!) { legalText(document: $d) { html } }"
TIMES = 50


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
