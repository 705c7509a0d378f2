"""A GraphQL request body that cannot be read as a JSON object (nested too deeply for the parser,
malformed, not UTF-8, not an object) is a 400 with the coded error INVALID_JSON in the request's
language and the usual security headers, on both endpoints and in both modes: never a 500, never
a traceback in the log. (The payment webhooks' deep bodies: test_sandbox_webhook, test_payu.)"""

from __future__ import annotations

import httpx
import pytest

from backend.app import create_app
from backend.config import Mode, Settings
from tests.factories import make_api_key

# {"query": "{ __typename }", "variables": {"x": [[[...]]]}}: 3,000 levels in about 6 KB;
# json.loads raises RecursionError (not a ValueError) at about a thousand.
DEEP = b'{"query":"{ __typename }","variables":{"x":' + b"[" * 3000 + b"]" * 3000 + b"}}"
MALFORMED = [DEEP, b'{"query": "{ __typename }"', b"\xff\xfe{}", b"null", b'"{}"', b"[1"]
MESSAGES = {
    "pl": "Treść żądania nie jest poprawnym obiektem JSON w UTF-8 (albo jest zbyt zagnieżdżona).",
    "en": "The request body is not a valid UTF-8 JSON object (or it is nested too deeply).",
}


def _client(settings: Settings, mode: Mode) -> httpx.AsyncClient:
    app = create_app(settings.with_overrides(mode=mode), manage_database=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def _assert_invalid_json(response: httpx.Response, language: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "errors": [{"message": MESSAGES[language], "extensions": {"code": "INVALID_JSON"}}]
    }
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src" in response.headers["content-security-policy"]


@pytest.mark.parametrize("mode", [Mode.PRODUCTION, Mode.DEVELOPMENT])
async def test_a_deeply_nested_body_is_a_400_on_the_customer_endpoint(
    settings: Settings, db: str, mode: Mode, caplog
) -> None:
    assert len(DEEP) < 7000
    async with _client(settings, mode) as client:
        for language in ("pl", "en"):
            response = await client.post(
                "/graphql",
                content=DEEP,
                headers={"Content-Type": "application/json", "X-Icok-Language": language},
            )
            _assert_invalid_json(response, language)
        # the endpoint still serves the next request
        ok = await client.post("/graphql", json={"query": "{ __typename }"})
        assert ok.status_code == 200 and ok.json() == {"data": {"__typename": "Query"}}
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert "RecursionError" not in caplog.text


@pytest.mark.parametrize("mode", [Mode.PRODUCTION, Mode.DEVELOPMENT])
async def test_a_deeply_nested_body_is_a_400_on_the_operator_endpoint(
    settings: Settings, db: str, mode: Mode, caplog
) -> None:
    made = await make_api_key(name="bss")
    async with _client(settings, mode) as client:
        response = await client.post(
            "/operator/graphql",
            content=DEEP,
            headers={**made.headers, "Content-Type": "application/json", "Accept-Language": "en"},
        )
        _assert_invalid_json(response, "en")
        # without a key the body is never read: 401, as for any request without a key
        anonymous = await client.post(
            "/operator/graphql", content=DEEP, headers={"Content-Type": "application/json"}
        )
        assert anonymous.status_code == 401
        ok = await client.post(
            "/operator/graphql", json={"query": "{ __typename }"}, headers=made.headers
        )
        assert ok.status_code == 200 and ok.json() == {"data": {"__typename": "Query"}}
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert "RecursionError" not in caplog.text


@pytest.mark.parametrize("body", MALFORMED, ids=lambda b: repr(b[:12]))
async def test_every_unreadable_body_gets_the_same_coded_answer(
    client: httpx.AsyncClient, body: bytes
) -> None:
    made = await make_api_key(name="bss")
    for url, headers in (("/graphql", {}), ("/operator/graphql", made.headers)):
        response = await client.post(
            url, content=body, headers={**headers, "Content-Type": "application/json"}
        )
        _assert_invalid_json(response, "pl")


async def test_deeply_nested_variables_in_a_get_query_are_a_400(
    client: httpx.AsyncClient,
) -> None:
    """Development serves queries by GET: its ``variables`` parameter is read the same way."""
    variables = '{"x":' + "[" * 3000 + "]" * 3000 + "}"
    response = await client.get(
        "/graphql", params={"query": "{ __typename }", "variables": variables}
    )
    _assert_invalid_json(response, "pl")
