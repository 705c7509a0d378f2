"""The access line (``backend.logging_setup.log_access``, written by ``MetricsMiddleware``):
one per answered request, through the real app on both databases, with the request's id, its
status, duration, route template and the registered operation's name (else "other"), as the
readable line of development's text format (JSON fields: ``tests/test_cli_logs.py``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from backend.config import Settings
from backend.logging_setup import ACCESS_LOGGER, RequestIdFilter, TextFormatter
from tests.api.test_metrics import CAPTCHA, DASHBOARD
from tests.factories import login_as, make_customer


class _Lines(logging.Handler):
    """The access lines as the server's text handler writes them (request id included)."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.setFormatter(TextFormatter())
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture
def access() -> Iterator[_Lines]:
    lines = _Lines()
    logger = logging.getLogger(ACCESS_LOGGER)
    level = logger.level
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)  # (the server's configuration: INFO and above)
    try:
        yield lines
    finally:
        logger.removeHandler(lines)
        logger.setLevel(level)


async def test_each_request_has_one_readable_access_line(
    client: httpx.AsyncClient, settings: Settings, access: _Lines
) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    access.lines.clear()
    access.records.clear()

    async def post(body: dict[str, object], rid: str) -> int:
        response = await client.post("/graphql", json=body, headers={"X-Request-ID": rid})
        return response.status_code

    assert await post({"query": DASHBOARD}, "r-dash") == 200
    assert await post({"query": CAPTCHA}, "r-captcha") == 200
    # a client's name on another document, and a hostile name: never in the line
    assert await post({"query": "query Login { __typename }"}, "r-other") == 200
    await post({"query": DASHBOARD, "operationName": "Evil\nName"}, "r-evil")
    link = await client.get("/confirm-email?token=abc123def", headers={"X-Request-ID": "r-link"})

    assert len(access.lines) == 5, access.lines
    dash, captcha, other, evil, page = access.lines
    assert dash.startswith('INFO icok.access [r-dash]: 127.0.0.1:123 - "POST /graphql HTTP/1.1"')
    assert dash.endswith(" ms /graphql Dashboard"), dash
    assert captcha.endswith(" ms /graphql Captcha") and "[r-captcha]" in captcha
    assert other.endswith(" ms /graphql other") and "Login" not in other
    assert evil.endswith(" ms /graphql other") and "Evil" not in evil
    assert (
        f'"GET /confirm-email?token=… HTTP/1.1" {link.status_code} ' in page
        and "abc123" not in page
    )
    assert page.endswith(" ms /*"), page
    assert all(r.levelno == logging.INFO for r in access.records)
    fields = [r.__dict__["access"] for r in access.records]  # (JSON's fields)
    assert [(f["method"], f["status"], f["operation"]) for f in fields[:2]] == [
        ("POST", 200, "Dashboard"),
        ("POST", 200, "Captcha"),
    ]
    assert all(isinstance(f["duration_ms"], float) and f["duration_ms"] >= 0 for f in fields)


async def test_a_graphql_get_leaves_its_query_out_of_the_line(
    client: httpx.AsyncClient, access: _Lines
) -> None:
    """Development answers GraphQL over GET: its query string holds the document and the
    variables (a password among them), which never reach the log."""
    variables = '{"password": "Sekret-hasło-123"}'
    await client.get("/graphql", params={"query": "{ apiVersion }", "variables": variables})
    (line,) = access.lines
    assert '"GET /graphql HTTP/1.1" 200 ' in line, line
    assert "Sekret" not in line and "apiVersion" not in line
