"""The GraphQL endpoints over HTTP: ``application/graphql-response+json`` with GraphQL-over-HTTP's
status codes when the client prefers it (``application/json`` otherwise, as before), strawberry's
refusals as coded JSON errors (never its plain-text reasons), and request bodies capped by path
while they stream in, on every route that reads one."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.config import Mode, Settings
from backend.middleware import (
    DEFAULT_BODY_LIMIT,
    MAX_FORM_BODY,
    MAX_GRAPHQL_BODY,
    MAX_OPERATOR_BODY,
    MAX_WEBHOOK_BODY,
)
from backend.services import payments
from tests.factories import make_api_key, make_customer, make_meta

GRAPHQL_RESPONSE = "application/graphql-response+json; charset=utf-8"
PREFERS = {"Accept": "application/graphql-response+json, application/json;q=0.9"}
LEGAL = "query ($d: LegalDocument!) { legalText(document: $d) { html } }"
ADD = "mutation ($i: AddPackageInput!) { addPackage(input: $i) { errors { code } } }"


def _client(settings: Settings, mode: Mode = Mode.DEVELOPMENT) -> httpx.AsyncClient:
    app = create_app(settings.with_overrides(mode=mode), manage_database=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def _secure(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("request_body", "status"),
    [
        ({"query": "{ apiVersion }"}, 200),
        ({"query": "{ apiVersio }"}, 400),  # validation
        ({"query": "{ apiVersion"}, 400),  # the document does not parse
        ({"query": LEGAL, "variables": {"d": "NOPE"}}, 400),  # a variable does not fit
        ({"query": "{ __typename } { __typename }"}, 400),  # which operation?
        ({"query": ADD, "variables": {"i": {"serviceId": "x", "packageId": "y"}}}, 200),
    ],
)
async def test_graphql_response_json_when_the_client_prefers_it(
    settings: Settings, db: str, request_body: dict[str, Any], status: int
) -> None:
    """A request error (the operation never ran) is 400 without ``data``; a result of execution
    (even null data, as for NOT_AUTHENTICATED here) is 200 with ``data``."""
    async with _client(settings) as client:
        response = await client.post("/graphql", json=request_body, headers=PREFERS)
        legacy = await client.post("/graphql", json=request_body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert ("data" in response.json()) is (status == 200)
    _secure(response)
    # application/json (no Accept) is answered as before: 200 and a data entry
    assert legacy.status_code == 200
    assert legacy.headers["content-type"] == "application/json"
    assert "data" in legacy.json()
    if status == 400:
        assert response.json()["errors"] == legacy.json()["errors"]


@pytest.mark.parametrize(
    ("accept", "ours"),
    [
        (None, False),
        ("*/*", False),
        ("application/json", False),
        ("application/graphql-response+json", True),
        ("application/json, application/graphql-response+json", True),
        ("application/graphql-response+json;q=0.5, application/json", False),
        ("application/graphql-response+json;q=0, */*", False),
        ("*/*;q=0.8, application/graphql-response+json", True),
    ],
)
async def test_the_media_type_follows_accept(
    settings: Settings, db: str, accept: str | None, ours: bool
) -> None:
    headers = {"Accept": accept} if accept else {}
    async with _client(settings) as client:
        response = await client.post("/graphql", json={"query": "{ apiVersio }"}, headers=headers)
        unreadable = await client.post(
            "/graphql", content=b"{", headers={**headers, "Content-Type": "application/json"}
        )
    expected = GRAPHQL_RESPONSE if ours else "application/json"
    assert response.headers["content-type"] == expected
    assert response.status_code == (400 if ours else 200)
    assert unreadable.status_code == 400
    assert unreadable.headers["content-type"] == expected
    assert unreadable.json()["errors"][0]["extensions"]["code"] == "INVALID_JSON"


async def test_the_other_endpoints_speak_it_too(settings: Settings, db: str) -> None:
    made = await make_api_key(name="bss")
    async with _client(settings, Mode.PRODUCTION) as client:
        operator = await client.post(
            "/operator/graphql", json={"query": "{ apiKe }"}, headers={**PREFERS, **made.headers}
        )
        console = await client.post(
            "/console/graphql", json={"query": "{ serverTim }"}, headers=PREFERS
        )
    for response in (operator, console):
        assert response.status_code == 400
        assert response.headers["content-type"] == GRAPHQL_RESPONSE
        assert "data" not in response.json()


REFUSED = [
    ("POST", b'[{"query": "{ apiVersion }"}]', 400, "BAD_REQUEST"),  # a batch
    ("POST", b"[]", 400, "BAD_REQUEST"),
    ("POST", b'{"query": "{ apiVersion }", "variables": 5}', 400, "BAD_REQUEST"),
    ("POST", b'{"query": 5}', 400, "BAD_REQUEST"),
    ("POST", b'{"query": "{ apiVersion }", "extensions": []}', 400, "BAD_REQUEST"),
    ("POST", b"{}", 400, "BAD_REQUEST"),  # no query
    ("GET", b"", 404, "NOT_FOUND"),  # production: no page, no queries by GET
    ("PUT", b"{}", 405, "METHOD_NOT_ALLOWED"),
]


@pytest.mark.parametrize(("method", "body", "status", "code"), REFUSED)
async def test_strawberrys_refusals_are_coded_json(
    settings: Settings, db: str, method: str, body: bytes, status: int, code: str
) -> None:
    made = await make_api_key(name="bss")
    endpoints = [("/graphql", {}), ("/console/graphql", {}), ("/operator/graphql", made.headers)]
    async with _client(settings, Mode.PRODUCTION) as client:
        for path, headers in endpoints:
            for language in ("pl", "en"):
                response = await client.request(
                    method,
                    path,
                    content=body,
                    headers={
                        **headers,
                        "Content-Type": "application/json",
                        "Accept-Language": language,
                    },
                )
                assert response.status_code == status, (path, response.text)
                assert response.headers["content-type"] == "application/json"
                [error] = response.json()["errors"]
                assert error["extensions"] == {"code": code}
                assert ("GraphQL" in error["message"]) and (
                    ("metodą" in error["message"] or "obiekt" in error["message"])
                    if language == "pl"
                    else ("POST" in error["message"] or "object" in error["message"])
                ), error
                _secure(response)
        # a query by GET in production: refused the same way
        by_get = await client.get("/graphql", params={"query": "{ apiVersion }"})
        assert by_get.status_code == 400
        assert by_get.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}


@pytest.mark.parametrize("language", ["pl", "en"])
async def test_413_and_415_speak_the_requests_language(
    settings: Settings, db: str, language: str
) -> None:
    texts = {
        "pl": ("najwyżej 1048576 bajtów", "muszą mieć typ application/json"),
        "en": ("limited to 1048576 bytes", "must be application/json"),
    }
    async with _client(settings) as client:
        too_large = await client.post(
            "/graphql",
            content=b"{" + b" " * MAX_GRAPHQL_BODY + b"}",
            headers={"Content-Type": "application/json", "X-Icok-Language": language},
        )
        wrong_type = await client.post(
            "/graphql",
            content=b"{}",
            headers={"Content-Type": "text/plain", "Accept-Language": language},
        )
    assert too_large.status_code == 413
    assert too_large.json()["errors"][0]["extensions"] == {"code": "REQUEST_TOO_LARGE"}
    assert texts[language][0] in too_large.json()["errors"][0]["message"]
    assert wrong_type.status_code == 415
    assert wrong_type.json()["errors"][0]["extensions"] == {"code": "UNSUPPORTED_MEDIA_TYPE"}
    assert texts[language][1] in wrong_type.json()["errors"][0]["message"]
    _secure(too_large)
    _secure(wrong_type)


# --- bodies stream in under a cap ------------------------------------------------------------

CHUNK = 64 * 1024
HUGE = 250 * 1024 * 1024


async def _stream_to(
    app: Any, path: str, headers: dict[str, str], content_type: str = "application/json"
) -> tuple[int, int, bytes]:
    """POSTs a 250 MiB body without a Content-Length in 64 KiB chunks through the app's real ASGI
    interface: (status, bytes the app pulled, the response body)."""
    pulled = 0
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
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
        "headers": [(b"host", b"testserver"), (b"content-type", content_type.encode()), *raw],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= HUGE:
            return {"type": "http.disconnect"}
        pulled += CHUNK
        return {"type": "http.request", "body": b"[" * CHUNK, "more_body": pulled < HUGE}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, pulled, body


async def test_every_body_is_capped_while_it_streams(settings: Settings, db: str) -> None:
    """No route holds more than its cap (and one chunk) of a 250 MiB chunked body."""
    made = await make_api_key(name="bss")
    customer = await make_customer(settings)
    payment = (
        await payments.start_top_up(
            settings, customer.id, "40", "card", "body-cap-0001", meta=make_meta()
        )
    ).payment
    form = f"/sandbox-pay/{payment.provider_ref}"
    app = create_app(settings, manage_database=False)
    cases = [
        ("/graphql", {}, MAX_GRAPHQL_BODY, "application/json"),
        ("/console/graphql", {}, MAX_GRAPHQL_BODY, "application/json"),
        ("/operator/graphql", made.headers, MAX_OPERATOR_BODY, "application/json"),
        ("/payments/webhook/sandbox", {}, MAX_WEBHOOK_BODY, "application/json"),
        ("/payments/webhook/payu", {}, MAX_WEBHOOK_BODY, "application/json"),
        (form, {}, MAX_FORM_BODY, "application/x-www-form-urlencoded"),
    ]
    for path, headers, cap, content_type in cases:
        status, pulled, body = await _stream_to(app, path, headers, content_type)
        assert status == 413, (path, body)
        assert json.loads(body)["errors"][0]["extensions"] == {"code": "REQUEST_TOO_LARGE"}
        assert pulled <= cap + CHUNK, (path, pulled)
    # a route that reads no body reads none of it; a declared length over the default is refused
    status, pulled, _ = await _stream_to(app, "/healthz", {})
    assert pulled <= DEFAULT_BODY_LIMIT + CHUNK
    async with _client(settings) as client:
        declared = await client.post("/anything", content=b"x" * (DEFAULT_BODY_LIMIT + 1))
    assert declared.status_code == 413


DEEP = b"[" * 100_000


async def test_a_deeply_nested_body_is_a_coded_answer_everywhere(
    settings: Settings, db: str, caplog: pytest.LogCaptureFixture
) -> None:
    """100,000 ``[`` (100 KB): INVALID_JSON (400) on the GraphQL endpoints, REQUEST_TOO_LARGE
    (413) on the webhooks (over their 64 KiB), JSON with the security headers, no traceback."""
    made = await make_api_key(name="bss")
    cases = [
        ("/graphql", {}, 400, "INVALID_JSON"),
        ("/console/graphql", {}, 400, "INVALID_JSON"),
        ("/operator/graphql", made.headers, 400, "INVALID_JSON"),
        ("/payments/webhook/sandbox", {}, 413, "REQUEST_TOO_LARGE"),
        ("/payments/webhook/payu", {}, 413, "REQUEST_TOO_LARGE"),
    ]
    for mode in (Mode.PRODUCTION, Mode.DEVELOPMENT):
        async with _client(settings, mode) as client:
            for path, headers, status, code in cases:
                response = await client.post(
                    path, content=DEEP, headers={**headers, "Content-Type": "application/json"}
                )
                assert response.status_code == status, (path, response.text)
                assert response.headers["content-type"] == "application/json"
                assert response.json()["errors"][0]["extensions"] == {"code": code}
                _secure(response)
            # nested as deep in the query document: graphql-core's parser refuses it
            document = "{ nodes(ids: " + "[" * 50_000 + "]" * 50_000 + ") { id } }"
            response = await client.post("/graphql", json={"query": document}, headers=PREFERS)
            assert response.status_code == 400
            assert "nested too deeply" in response.json()["errors"][0]["message"]
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info]
