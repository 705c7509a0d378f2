"""``POST /operator/graphql``: only an operator API key authenticates (401, the same answer,
for a missing, wrong or revoked key, a customer's cookie or token); scopes are enforced per
field; the key's last use is recorded at most once a minute; GraphiQL only in development; and
the customer API knows nothing of operator keys."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import strawberry

from backend.app import create_app
from backend.clock import clock
from backend.config import Mode, Settings
from backend.middleware import MAX_OPERATOR_BODY
from backend.models.enums import SessionKind
from backend.models.operator import ApiKey
from backend.operator import schema as operator_schema
from backend.operator.permissions import requires
from backend.services import operator_keys
from backend.services.operator_keys import Scope
from tests.factories import login_as, make_api_key, make_customer

URL = "/operator/graphql"
WHO_AM_I = "{ apiKey { name scopes } }"
HTML = {"Accept": "text/html"}
MESSAGES = {
    "pl": "Wymagany jest ważny klucz API operatora.",
    "en": "A valid operator API key is required.",
}


async def _post(
    client: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None, **extra: Any
) -> httpx.Response:
    return await client.post(URL, json={"query": query, **extra}, headers=headers or {})


def _assert_401(response: httpx.Response, language: str = "pl") -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "errors": [{"message": MESSAGES[language], "extensions": {"code": "NOT_AUTHENTICATED"}}]
    }


@contextlib.asynccontextmanager
async def _http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_a_key_answers_who_it_is(client: httpx.AsyncClient) -> None:
    made = await make_api_key(Scope.BILLING_WRITE, Scope.CATALOG_WRITE, name="BSS")
    response = await _post(client, WHO_AM_I, made.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": {"apiKey": {"name": "BSS", "scopes": ["catalog:write", "billing:write"]}}
    }
    scheme_any_case = {"authorization": f"bearer   {made.key} "}
    assert (await _post(client, WHO_AM_I, scheme_any_case)).status_code == 200


async def test_no_wrong_or_revoked_key_gets_the_same_401(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    made = await make_api_key(name="bss")
    revoked = await make_api_key(name="old")
    await operator_keys.revoke_key("old")
    customer = await make_customer(settings)
    token = await login_as(client, settings, customer, kind=SessionKind.BEARER)
    cases: list[dict[str, str]] = [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": f"Basic {made.key}"},
        {"Authorization": made.key},
        {"Authorization": f"Bearer {made.key[:-1]}"},
        {"Authorization": f"Bearer {made.key}x"},
        {"Authorization": "Bearer " + "x" * 10_000},
        {"Authorization": f"Bearer {revoked.key}"},
        {"Authorization": f"Bearer {token}"},  # a customer's session token
        {"X-Api-Key": made.key},
    ]
    for headers in cases:
        _assert_401(await _post(client, WHO_AM_I, headers))
    # in English when asked
    english = {"Accept-Language": "en-GB,en;q=0.9"}
    _assert_401(await _post(client, WHO_AM_I, english), "en")
    _assert_401(await _post(client, WHO_AM_I, {**english, **cases[-2]}), "en")


async def test_a_customer_cookie_does_not_authenticate(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)  # the cookie travels with every request
    viewer = await client.post("/graphql", json={"query": "{ viewer { customerNumber } }"})
    assert viewer.json()["data"]["viewer"]["customerNumber"] == customer.number
    _assert_401(await _post(client, WHO_AM_I))
    _assert_401(await _post(client, "mutation { __typename }"))
    # a valid key next to the cookie: the key, not the cookie, is who is asking
    made = await make_api_key(name="bss")
    answer = await _post(client, WHO_AM_I, made.headers)
    assert answer.json()["data"]["apiKey"]["name"] == "bss"


async def test_a_revoked_key_stops_at_once(client: httpx.AsyncClient) -> None:
    made = await make_api_key(name="bss")
    assert (await _post(client, WHO_AM_I, made.headers)).status_code == 200
    await operator_keys.revoke_key("bss")
    _assert_401(await _post(client, WHO_AM_I, made.headers))


async def test_last_use_is_recorded_once_a_minute(client: httpx.AsyncClient) -> None:
    made = await make_api_key(name="bss")
    started = clock.now()
    await _post(client, WHO_AM_I, made.headers)
    assert (await ApiKey.get(id=made.row.id)).last_used_at == started
    clock.advance(seconds=40)
    await _post(client, WHO_AM_I, made.headers)
    assert (await ApiKey.get(id=made.row.id)).last_used_at == started  # throttled
    clock.advance(seconds=21)
    await _post(client, WHO_AM_I, made.headers)
    assert (await ApiKey.get(id=made.row.id)).last_used_at == clock.now()
    _assert_401(await _post(client, WHO_AM_I, {"Authorization": f"Bearer {made.key}x"}))
    assert (await ApiKey.get(id=made.row.id)).last_used_at == clock.now()


@strawberry.type
class ScopedQuery:
    """A field behind a scope, registered the way the operator's upserts are."""

    @strawberry.field(permission_classes=[requires(Scope.BILLING_WRITE)])
    def billing_probe(self) -> str:
        return "allowed"


@pytest_asyncio.fixture
async def scoped_client(
    settings: Settings, db: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with one more query type registered in the operator schema (one line)."""
    monkeypatch.setattr(
        operator_schema, "OPERATOR_QUERIES", [*operator_schema.OPERATOR_QUERIES, ScopedQuery]
    )
    async with _http(create_app(settings, manage_database=False)) as http:
        yield http


async def test_a_field_refuses_a_key_without_its_scope(scoped_client: httpx.AsyncClient) -> None:
    client = scoped_client
    without = await make_api_key(Scope.CUSTOMERS_WRITE, Scope.EVENTS_READ, name="crm")
    refused = await _post(client, "{ billingProbe }", {**without.headers, "Accept-Language": "en"})
    assert refused.status_code == 200
    body = refused.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["message"] == "This API key does not have the scope billing:write."
    assert error["extensions"] == {"code": "SCOPE_NOT_GRANTED", "scope": "billing:write"}
    polish = await _post(client, "{ billingProbe }", without.headers)
    assert polish.json()["errors"][0]["message"] == (
        "Ten klucz API nie ma zakresu uprawnień billing:write."
    )
    granted = await make_api_key(Scope.BILLING_WRITE, name="billing")
    allowed = await _post(client, "{ billingProbe apiKey { name } }", granted.headers)
    assert allowed.json() == {"data": {"billingProbe": "allowed", "apiKey": {"name": "billing"}}}


async def test_the_customer_api_knows_no_operator_key(client: httpx.AsyncClient) -> None:
    made = await make_api_key(name="bss")
    viewer = await client.post(
        "/graphql", json={"query": "{ viewer { customerNumber } }"}, headers=made.headers
    )
    assert viewer.status_code == 200 and viewer.json()["data"]["viewer"] is None  # anonymous
    who = await client.post("/graphql", json={"query": WHO_AM_I}, headers=made.headers)
    assert who.status_code == 200
    assert "apiKey" in who.json()["errors"][0]["message"]  # no such field there


async def test_requests_must_be_json(client: httpx.AsyncClient) -> None:
    made = await make_api_key(name="bss")
    form = await client.post(
        URL, content=f"query={WHO_AM_I}", headers={**made.headers, "Content-Type": "text/plain"}
    )
    assert form.status_code == 415
    for body in (b"null", b"[1", b'"x"', b"\xff"):
        bad = await client.post(
            URL, content=body, headers={**made.headers, "Content-Type": "application/json"}
        )
        assert bad.status_code == 400, (body, bad.text)
    cross_site = await client.post(
        URL, json={"query": WHO_AM_I}, headers={**made.headers, "Origin": "https://evil.example"}
    )
    assert cross_site.status_code == 403


async def test_a_batch_sized_body_fits_and_a_larger_one_is_refused(
    client: httpx.AsyncClient,
) -> None:
    made = await make_api_key(name="bss")
    query = "{ apiKey { name } }"
    empty = len(httpx.Request("POST", URL, json={"query": query, "pad": ""}).content)
    pad = "a" * (MAX_OPERATOR_BODY - empty)
    fits = await _post(client, query, made.headers, pad=pad)
    assert len(fits.request.content) == MAX_OPERATOR_BODY
    assert fits.status_code == 200 and fits.json()["data"]["apiKey"]["name"] == "bss"
    too_large = await _post(client, query, made.headers, pad=pad + "a")
    assert too_large.status_code == 413
    # the customer API keeps its own, smaller limit
    customer = await client.post("/graphql", json={"query": "{ apiVersion }", "x": pad[:2_000_000]})
    assert customer.status_code == 413


async def test_graphiql_in_development_only(client: httpx.AsyncClient, settings: Settings) -> None:
    page = await client.get(URL, headers=HTML)  # the page needs no key
    assert page.status_code == 200
    assert 'data-endpoint="/operator/graphql"' in page.text
    assert "unsafe" not in page.headers["content-security-policy"]
    made = await make_api_key(name="bss")
    by_get = await client.get(URL, params={"query": WHO_AM_I}, headers=made.headers)
    assert by_get.json()["data"]["apiKey"]["name"] == "bss"
    _assert_401(await client.get(URL, params={"query": WHO_AM_I}))

    production = create_app(settings.with_overrides(mode=Mode.PRODUCTION), manage_database=False)
    async with _http(production) as http:
        _assert_401(await http.get(URL, headers=HTML))  # no page, and no SPA page either
        with_key = await http.get(URL, headers={**HTML, **made.headers})
        assert with_key.status_code == 404 and "graphiql" not in with_key.text.lower()
        by_get = await http.get(URL, params={"query": WHO_AM_I}, headers=made.headers)
        assert by_get.status_code == 400 and "bss" not in by_get.text  # no queries by GET
        served = await http.post(URL, json={"query": WHO_AM_I}, headers=made.headers)
        assert served.json() == {"data": {"apiKey": {"name": "bss", "scopes": list(Scope)}}}
        schema = "{ __schema { types { name } } }"
        hidden = await http.post(URL, json={"query": schema}, headers=made.headers)
        assert "errors" in hidden.json()  # no introspection in production
