"""The general per-client request rate limit on the GraphQL endpoints
(``backend.ratelimit_middleware``): 429 with ``Retry-After`` and ``RATE_LIMITED`` over the limit,
per address for anonymous callers, per session or operator key once it was accepted, shared by
every app instance through the database, without a database write per request."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.clock import clock
from backend.config import Settings
from backend.console.context import STAFF_COOKIE
from backend.models import RateLimit
from backend.schema.context import SESSION_COOKIE
from tests.factories import make_customer
from tests.factories.customers import login_as
from tests.factories.operator import make_api_key
from tests.factories.staff import make_staff, make_staff_session
from tests.statements import count_statements

QUERY = {"query": "{ apiVersion }"}
Opener = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def limited(settings: Settings) -> Settings:
    """Small limits, so that a test reaches them in a few requests."""
    return settings.with_overrides(
        rate_limit_window_seconds=60,
        rate_limit_anonymous=3,
        rate_limit_session=5,
        rate_limit_operator=7,
        trusted_proxies=("10.0.0.1",),
    )


@pytest.fixture
def instance(limited: Settings, db: str) -> Opener:
    """Opens a client to a new app instance (its own in-process buckets, the same database)
    with the limited settings, as the client at ``address`` (to ``app``: that instance)."""

    @asynccontextmanager
    async def open_instance(
        address: str = "198.51.100.7", *, app: Any = None, **overrides: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        app = app or create_app(limited.with_overrides(**overrides), manage_database=False)
        transport = httpx.ASGITransport(app=app, client=(address, 4321))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c

    return open_instance


async def _statuses(client: httpx.AsyncClient, n: int, **kwargs: Any) -> list[int]:
    return [(await client.post("/graphql", json=QUERY, **kwargs)).status_code for _ in range(n)]


async def test_over_the_limit_is_429_with_retry_after_and_a_coded_error(
    instance: Opener,
) -> None:
    async with instance() as client:
        assert await _statuses(client, 3) == [200, 200, 200]
        clock.advance(seconds=20)
        refused = await client.post("/graphql", json=QUERY)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "40"
        assert refused.headers["x-content-type-options"] == "nosniff"  # security headers too
        error = refused.json()["errors"][0]
        assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfterSeconds": 40}
        assert error["message"] == "Zbyt wiele prób. Spróbuj ponownie za 1 min."
        english = await client.post("/graphql", json=QUERY, headers={"x-icok-language": "en"})
        assert english.json()["errors"][0]["message"] == "Too many attempts. Try again in 1 min."
        # Refused before the body is read or anything else is checked: not even a 415.
        assert (await client.post("/graphql", content=b"[[[")).status_code == 429


async def test_the_limit_ends_with_its_window(instance: Opener) -> None:
    async with instance() as client:
        assert await _statuses(client, 4) == [200, 200, 200, 429]
        clock.advance(seconds=59)
        assert await _statuses(client, 1) == [429]
        clock.advance(seconds=1)
        assert await _statuses(client, 4) == [200, 200, 200, 429]


async def test_other_clients_are_not_affected(instance: Opener, limited: Settings) -> None:
    app = create_app(limited, manage_database=False)
    async with (
        instance("198.51.100.7", app=app) as first,
        instance("198.51.100.8", app=app) as second,
    ):
        assert await _statuses(first, 4) == [200, 200, 200, 429]
        assert await _statuses(second, 3) == [200, 200, 200]
    # Behind a trusted proxy, each forwarded client is counted on its own.
    async with instance("10.0.0.1") as proxy:
        assert await _statuses(proxy, 2, headers={"x-forwarded-for": "203.0.113.1"}) == [200] * 2
        assert await _statuses(proxy, 2, headers={"x-forwarded-for": "203.0.113.2"}) == [200] * 2
        assert await _statuses(proxy, 2, headers={"x-forwarded-for": "203.0.113.1"}) == [200, 429]


async def test_ipv6_addresses_count_per_64_network(instance: Opener, limited: Settings) -> None:
    app = create_app(limited, manage_database=False)
    async with instance("2001:db8:1:2::10", app=app) as one:
        assert await _statuses(one, 2) == [200, 200]
    async with instance("2001:db8:1:2:ffff::1", app=app) as same:
        assert await _statuses(same, 2) == [200, 429]
    async with instance("2001:db8:1:3::10", app=app) as other:
        assert await _statuses(other, 3) == [200, 200, 200]


async def test_ipv4_mapped_addresses_count_per_ipv4_address(
    instance: Opener, limited: Settings
) -> None:
    # a dual-stack socket's IPv4 clients (::ffff:a.b.c.d) all lie in ::ffff:0:0/96: each is
    # counted as its IPv4 address, not all in one /64, and as that address written as IPv4
    app = create_app(limited, manage_database=False)
    async with instance("::ffff:198.51.100.20", app=app) as one:
        assert await _statuses(one, 3) == [200, 200, 200]
        assert await _statuses(one, 1) == [429]
    async with instance("::ffff:198.51.100.21", app=app) as other:
        assert await _statuses(other, 3) == [200, 200, 200]
    async with instance("198.51.100.21", app=app) as same:
        assert await _statuses(same, 1) == [429]


async def test_two_instances_share_the_limit(instance: Opener) -> None:
    async with instance() as first, instance() as second:
        # The first instance reaches the limit by itself: its counts reach the database...
        assert await _statuses(first, 4) == [200, 200, 200, 429]
        # ...and the second refuses the client at its first request.
        assert await _statuses(second, 1) == [429]
    assert (await RateLimit.get(key="req-ip:198.51.100.7")).count > 3


async def test_instances_sync_their_counts_once_a_second(instance: Opener) -> None:
    async with instance() as first, instance() as second:
        assert await _statuses(first, 2) == [200, 200]  # the first one synced, one pending
        clock.advance(seconds=1)
        assert await _statuses(first, 1) == [200]  # a second later: synced (3 in the database)
        assert await _statuses(second, 1) == [429]


async def test_requests_under_the_limit_write_nothing_between_syncs(
    instance: Opener, settings: Settings
) -> None:
    async with instance(rate_limit_anonymous=100) as client:
        assert await _statuses(client, 1) == [200]
        with count_statements() as statements:
            assert await _statuses(client, 20) == [200] * 20
        assert not [s for s in statements if "rate_limit" in s]
        clock.advance(seconds=1)
        with count_statements() as statements:
            assert await _statuses(client, 1) == [200]
        assert [s for s in statements if "rate_limit" in s]
    assert (await RateLimit.get(key="req-ip:198.51.100.7")).count == 22


async def test_a_customer_session_has_its_own_higher_allowance(
    instance: Opener, settings: Settings
) -> None:
    customer = await make_customer(settings)
    async with instance() as client:
        await login_as(client, settings, customer)
        # The first request with the cookie counts on the address; once the session is
        # accepted, the next ones count on the session (limit 5).
        assert await _statuses(client, 6) == [200] * 5 + [200]
        assert await _statuses(client, 1) == [429]
        client.cookies.delete(SESSION_COOKIE)
        assert await _statuses(client, 3) == [200, 200, 429]  # the address: 1 + 2 counted


async def test_invented_tokens_count_on_the_address(instance: Opener) -> None:
    async with instance() as client:
        statuses = [
            (
                await client.post(
                    "/graphql",
                    json=QUERY,
                    headers={"authorization": f"Bearer {secrets.token_urlsafe(16)}"},
                )
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]


async def test_staff_sessions_and_operator_keys(instance: Opener) -> None:
    token, _ = await make_staff_session(await make_staff())
    made = await make_api_key()
    async with instance() as client:
        client.cookies.set(STAFF_COOKIE, token)
        console = [
            (await client.post("/console/graphql", json={"query": "{ __typename }"})).status_code
            for _ in range(7)
        ]
        assert console == [200] * 6 + [429]  # 1 on the address, then 5 on the session
        client.cookies.clear()
        operator = [
            (
                await client.post(
                    "/operator/graphql", json={"query": "{ apiKey { name } }"}, headers=made.headers
                )
            ).status_code
            for _ in range(9)
        ]
        # The address had 1 (console) + 1 (the key's first request) counted: 1 left, then 7
        # on the key.
        assert operator == [200] * 8 + [429]


async def test_zero_turns_the_limit_off(instance: Opener) -> None:
    async with instance(rate_limit_anonymous=0) as client:
        assert await _statuses(client, 10) == [200] * 10
    assert not await RateLimit.exists()


@pytest.mark.parametrize("used", [0, 7])
async def test_a_concurrent_burst_gets_exactly_the_limit_in_one_process(
    instance: Opener, used: int
) -> None:
    # One process is exact however the requests interleave with its syncs to the database:
    # a burst of limit + 50 at once (from a new address, and from one that used some of its
    # window already) gets exactly what is left of the limit (the clock stands still).
    limit = 40
    async with instance(rate_limit_anonymous=limit) as client:
        assert await _statuses(client, used) == [200] * used
        responses = await asyncio.gather(
            *(client.post("/graphql", json=QUERY) for _ in range(limit + 50))
        )
        statuses = [r.status_code for r in responses]
        assert statuses.count(200) == limit - used, statuses
        assert statuses.count(429) == 50 + used
