"""``viewer`` follows the server-side session: cookie or bearer, idle and absolute limits."""

from __future__ import annotations

from datetime import datetime

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
