"""``viewer`` follows the server-side session: cookie or bearer, idle and absolute limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.clock import clock
from backend.models.enums import SessionKind
from tests.factories import login_as, make_customer

VIEWER = "{ viewer { customerNumber session { expiresAt idleTimeoutSeconds } } }"


async def test_logged_out_viewer_is_null(gql) -> None:
    assert (await gql(VIEWER))["viewer"] is None


async def test_cookie_session(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    viewer = (await gql(VIEWER))["viewer"]
    assert viewer["customerNumber"] == customer.number
    assert viewer["session"]["idleTimeoutSeconds"] == 600
    assert datetime.fromisoformat(viewer["session"]["expiresAt"]) > clock.now()


async def test_bearer_session(gql, client, settings) -> None:
    customer = await make_customer(settings)
    token = await login_as(client, settings, customer, kind=SessionKind.BEARER)
    assert (await gql(VIEWER))["viewer"] is None
    data = await gql(VIEWER, headers={"Authorization": f"Bearer {token}"})
    assert data["viewer"]["customerNumber"] == customer.number


async def test_idle_timeout_and_background_requests(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    clock.advance(seconds=500)
    assert (await gql(VIEWER))["viewer"] is not None  # activity: timer restarts
    clock.advance(seconds=500)
    background = {"X-Icok-Background": "1"}
    assert (await gql(VIEWER, headers=background))["viewer"] is not None  # read, not extended
    clock.advance(seconds=101)
    assert (await gql(VIEWER, headers=background))["viewer"] is None
    assert (await gql(VIEWER))["viewer"] is None


async def test_absolute_lifetime(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    for _ in range(settings.session_max_seconds // 500):
        clock.advance(seconds=500)
        assert (await gql(VIEWER))["viewer"] is not None
    clock.advance(seconds=500)
    assert (await gql(VIEWER))["viewer"] is None


async def test_anonymous_refusal_follows_the_request_language(gql) -> None:
    query = '{ packageQuote(serviceId: "x", packageId: "y") { __typename } }'
    for language, expected in (("pl", "Zaloguj się"), ("en", "Please log in"), ("pl", "Zaloguj")):
        body = await gql(query, headers={"X-Icok-Language": language}, expect_errors=True)
        error = body["errors"][0]
        assert error["extensions"]["code"] == "NOT_AUTHENTICATED"
        assert error["message"].startswith(expected)


async def test_an_ended_bearer_token_is_signalled(client, settings) -> None:
    """A mobile app learns its access token has ended from the answer's ``WWW-Authenticate:
    Bearer error="invalid_token"`` (RFC 6750 §3), on every request, with ``viewer`` null and
    ``NOT_AUTHENTICATED`` on fields needing a login; a good token and the cookie get no header."""
    customer = await make_customer(settings)
    token = await login_as(client, settings, customer, kind=SessionKind.BEARER)
    bearer = {"Authorization": f"Bearer {token}"}
    mutation = "mutation { logoutOtherSessions { revokedCount } }"

    async def post(query: str, headers: dict[str, str]) -> tuple[dict[str, Any], str | None]:
        response = await client.post("/graphql", json={"query": query}, headers=headers)
        assert response.status_code == 200
        return response.json(), response.headers.get("www-authenticate")

    body, challenge = await post(VIEWER, bearer)
    assert body["data"]["viewer"]["customerNumber"] == customer.number and challenge is None
    clock.advance(seconds=settings.session_idle_seconds + 1)
    for headers in (bearer, {"Authorization": "Bearer never-issued"}):
        body, challenge = await post(VIEWER, headers)
        assert body["data"] == {"viewer": None}
        assert challenge == 'Bearer error="invalid_token"'
        body, challenge = await post(mutation, headers)
        assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
        assert challenge == 'Bearer error="invalid_token"'
    client.cookies.clear()
    body, challenge = await post(VIEWER, {})  # no token at all: anonymous, nothing to renew
    assert body["data"] == {"viewer": None} and challenge is None
