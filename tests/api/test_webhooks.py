"""Events for the operator, through the app: the ``events`` query of the operator API (scope
``events:read``, keyset pages oldest first, opaque cursors, bounded pages) and the app's own
webhook worker, started by its lifespan, delivering to a real receiver and retrying when the
clock moves."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from tortoise.transactions import in_transaction

from backend.app import create_app
from backend.clock import clock, now
from backend.config import Settings
from backend.models import Event, EventDelivery
from backend.models.enums import DeliveryStatus
from backend.services import outbox
from backend.services.operator_keys import Scope
from backend.services.outbox import EventType
from tests.factories import make_api_key, make_customer
from tests.waiting import wait_until
from tests.webhook_receiver import Receiver, receiving

URL = "/operator/graphql"
EVENTS = """query ($after: String, $first: Int) {
  events(after: $after, first: $first) {
    nodes { id type version createdAt customerNumber payload }
    endCursor hasNextPage
  }
}"""


@pytest_asyncio.fixture
async def receiver(db: str) -> AsyncIterator[Receiver]:
    async with receiving() as r:
        yield r


async def _emit(settings: Settings, customer_id: int | None, payload: dict[str, Any]) -> Event:
    async with in_transaction():
        return await outbox.emit(settings, EventType.PACKAGE_ORDERED, customer_id, payload)


async def _events(
    client: httpx.AsyncClient, headers: dict[str, str], **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        URL, json={"query": EVENTS, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_events_are_pulled_oldest_first_page_by_page(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    key = await make_api_key(Scope.EVENTS_READ)
    empty = await _events(client, key.headers)
    assert empty == {"data": {"events": {"nodes": [], "endCursor": None, "hasNextPage": False}}}
    customer = await make_customer(settings)
    payloads: list[dict[str, Any]] = [
        {"n": 1, "nested": {"list": [1, "dwa", None], "ok": True}},
        {"n": 2, "text": 'zażółć \u2028 "quoted"'},
        {"n": 3},
    ]
    events = [await _emit(settings, customer.id, p) for p in payloads]
    events.append(await _emit(settings, None, {"n": 4}))
    # Served once settled: a transaction that wrote an older id may still commit before then.
    assert (await _events(client, key.headers))["data"]["events"]["nodes"] == []
    clock.advance(seconds=outbox.PULL_SETTLE.total_seconds())

    first = (await _events(client, key.headers, first=2))["data"]["events"]
    assert first["hasNextPage"] is True
    assert first["nodes"] == [
        {
            "id": events[0].uid,
            "type": "package.ordered",
            "version": 1,
            "createdAt": "2026-11-18T09:00:00+00:00",
            "customerNumber": customer.number,
            "payload": payloads[0],
        },
        {
            "id": events[1].uid,
            "type": "package.ordered",
            "version": 1,
            "createdAt": "2026-11-18T09:00:00+00:00",
            "customerNumber": customer.number,
            "payload": payloads[1],
        },
    ]
    second = (await _events(client, key.headers, first=2, after=first["endCursor"]))["data"]
    nodes = second["events"]["nodes"]
    assert [n["id"] for n in nodes] == [events[2].uid, events[3].uid]
    assert nodes[1]["customerNumber"] is None
    assert second["events"]["hasNextPage"] is False
    cursor = second["events"]["endCursor"]
    caught_up = (await _events(client, key.headers, after=cursor))["data"]["events"]
    assert caught_up == {"nodes": [], "endCursor": cursor, "hasNextPage": False}  # keeps its place
    later = await _emit(settings, None, {"n": 5})
    clock.advance(seconds=outbox.PULL_SETTLE.total_seconds())
    polled = (await _events(client, key.headers, after=cursor))["data"]["events"]
    assert [n["id"] for n in polled["nodes"]] == [later.uid]


async def test_bad_cursors_and_page_sizes_are_refused_with_codes(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    key = await make_api_key(Scope.EVENTS_READ)
    await _emit(settings, None, {})
    clock.advance(seconds=outbox.PULL_SETTLE.total_seconds())
    foreign = "WyJwYXltZW50cyIsMV0"  # ["payments",1]: another list's cursor
    huge = base64.urlsafe_b64encode(b'["events",99999999999999999999999]').decode()
    edge = base64.urlsafe_b64encode(f'["events",{2**63}]'.encode()).decode()
    for after in (
        "",
        "!!!",
        "bm90IGpzb24",
        foreign,
        "WyJldmVudHMiLC0xXQ",
        "WyJldmVudHMiLCIxIl0",
        huge,
        edge,
    ):
        body = await _events(client, key.headers, after=after)
        assert body["data"] is None, after
        assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", after
        assert body["errors"][0]["message"] == "Nieprawidłowy kursor stronicowania."
    largest = base64.urlsafe_b64encode(f'["events",{2**63 - 1}]'.encode()).decode()
    past_all = (await _events(client, key.headers, after=largest))["data"]["events"]
    assert past_all == {"nodes": [], "endCursor": largest, "hasNextPage": False}
    too_many = await _events(client, key.headers, first=501)
    assert too_many["errors"][0]["extensions"] == {
        "code": "PAGE_SIZE_TOO_LARGE",
        "field": "first",
        "max": 500,
    }
    for first in (0, -1):
        body = await _events(client, key.headers, first=first)
        assert body["errors"][0]["extensions"]["code"] == "INVALID", first
    most = await _events(client, key.headers, first=500)
    assert len(most["data"]["events"]["nodes"]) == 1


async def test_events_need_the_events_read_scope(client: httpx.AsyncClient) -> None:
    others = await make_api_key(*(s for s in Scope if s is not Scope.EVENTS_READ))
    body = await _events(client, others.headers)
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {
        "code": "SCOPE_NOT_GRANTED",
        "scope": "events:read",
    }
    response = await client.post(URL, json={"query": EVENTS})
    assert response.status_code == 401


async def test_the_apps_worker_delivers_and_retries_when_time_moves(
    settings: Settings, receiver: Receiver
) -> None:
    hooked = settings.with_overrides(webhook_endpoints=(receiver.endpoint(),))
    app = create_app(hooked, manage_database=False)
    receiver.plan = [503]
    customer = await make_customer(hooked)
    async with app.router.lifespan_context(app):
        event = await _emit(hooked, customer.id, {"n": 1})

        async def failed_once() -> bool:
            found = await EventDelivery.get(event_id=event.id)
            return found.attempts == 1 and found.status is DeliveryStatus.PENDING

        await wait_until(failed_once)
        delivery = await EventDelivery.get(event_id=event.id)
        assert delivery.status is DeliveryStatus.PENDING and delivery.last_status_code == 503
        clock.travel_to(delivery.next_attempt_at)

        async def delivered() -> bool:
            found = await EventDelivery.get(event_id=event.id)
            return found.status is DeliveryStatus.DELIVERED

        await wait_until(delivered)
    assert [r.answered for r in receiver.received] == [503, 200]
    assert (await EventDelivery.get(event_id=event.id)).delivered_at == now()


async def test_without_endpoints_events_wait_to_be_pulled(settings: Settings, db: str) -> None:
    app = create_app(settings, manage_database=False)
    async with app.router.lifespan_context(app):
        event = await _emit(settings, None, {"n": 1})
    assert await EventDelivery.filter(event_id=event.id).count() == 0
