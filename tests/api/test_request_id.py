"""Every answer carries the request's id (``X-Request-ID``): the client's when it is sane, else
a new one; the log records written while the request runs carry the same id."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.config import Settings
from backend.logging_setup import RequestIdFilter
from backend.middleware import MAX_GRAPHQL_BODY

GENERATED = re.compile(r"[0-9a-f]{32}")
HOSTILE = [
    "x" * 10240,
    "abc\ndef",
    "abc\r\nSet-Cookie: a=b",
    "abc\x00\x07\x1b[31m",
    "with space",
    "zażółć",
    '"><script>',
]


async def _asgi(app: Any, headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """GET /healthz straight through ASGI with raw ``headers`` (bytes no HTTP client would
    send, e.g. a newline); the response's headers."""
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/healthz",
        "raw_path": b"/healthz",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    assert start["status"] == 200
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}


async def test_each_request_gets_a_new_id(client: httpx.AsyncClient) -> None:
    ids = {(await client.get("/healthz")).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5 and all(GENERATED.fullmatch(i) for i in ids)


async def test_a_sane_incoming_id_is_echoed(client: httpx.AsyncClient) -> None:
    for value in ("6b1f0d4e-2a3c-4b5d-8e9f-0a1b2c3d4e5f", "Root=1-6789abcd-0123456789abcdef"):
        response = await client.get("/healthz", headers={"X-Request-ID": value})
        assert response.headers.get_list("x-request-id") == [value]


@pytest.mark.parametrize("value", HOSTILE)
async def test_a_hostile_incoming_id_is_replaced(settings: Settings, value: str) -> None:
    app = create_app(settings, manage_database=False)  # (/healthz needs no database)
    headers = await _asgi(app, [(b"x-request-id", value.encode())])
    assert GENERATED.fullmatch(headers["x-request-id"]), headers["x-request-id"][:80]


async def test_refusals_carry_the_id_too(client: httpx.AsyncClient) -> None:
    too_large = await client.post(
        "/graphql",
        content=b" " * (MAX_GRAPHQL_BODY + 1),
        headers={"Content-Type": "application/json", "X-Request-ID": "req-413"},
    )
    assert too_large.status_code == 413 and too_large.headers["x-request-id"] == "req-413"
    not_json = await client.post(
        "/graphql", content=b"{}", headers={"Content-Type": "text/plain", "X-Request-ID": "r415"}
    )
    assert not_json.status_code == 415 and not_json.headers["x-request-id"] == "r415"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def records() -> Iterator[_Records]:
    """The records of the ``icok`` loggers, through :class:`RequestIdFilter` like the server's
    handler."""
    handler, logger = _Records(), logging.getLogger("icok")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


async def test_log_records_carry_the_requests_id(
    settings: Settings, db: str, records: _Records
) -> None:
    """A refused document is logged at INFO (``backend.trusted_documents``) during its request:
    the record has the id the answer has, one per request."""
    app = create_app(settings.with_overrides(trusted_documents=True), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    answers = []
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for _ in range(3):
            response = await client.post("/graphql", json={"query": "{ apiVersion }"})
            answers.append(response.headers["x-request-id"])
    refused = [r for r in records.records if r.getMessage().startswith("refused ")]
    assert [getattr(r, "request_id", None) for r in refused] == answers
    assert len(set(answers)) == 3
