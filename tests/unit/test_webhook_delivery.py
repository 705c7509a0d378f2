"""Webhook delivery (``services.webhooks``) to a real HTTP receiver that verifies every request
with ``standardwebhooks``: signed body and headers, retries with backoff after 500s, timeouts
and ``Retry-After``, dead after the last attempt and revived by ``retry``, per-customer order,
concurrent senders, and a sender that crashed mid-send."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
from tortoise.transactions import in_transaction

from backend.clock import clock, now
from backend.config import Settings, WebhookEndpoint
from backend.models import Customer, Event, EventDelivery
from backend.models.enums import DeliveryStatus
from backend.services import outbox, webhooks
from backend.services.errors import ErrorCode
from backend.services.outbox import EventType
from tests.checkout import free_port
from tests.factories import make_customer
from tests.raises import domain_error
from tests.webhook_receiver import HANG, Receiver, new_secret, receiving

SECRET = new_secret()


@pytest_asyncio.fixture
async def receiver(db: str) -> AsyncIterator[Receiver]:
    async with receiving() as r:
        yield r


@pytest.fixture
def hooked(settings: Settings, receiver: Receiver) -> Settings:
    return settings.with_overrides(
        webhook_endpoints=(receiver.endpoint(),), webhook_timeout_seconds=0.5
    )


async def _emit(
    settings: Settings,
    customer: Customer | None,
    n: int = 0,
    type: EventType = EventType.PACKAGE_ORDERED,
) -> Event:
    async with in_transaction():
        return await outbox.emit(
            settings, type, customer.id if customer else None, {"n": n, "text": "zażółć"}
        )


async def _delivery(event: Event) -> EventDelivery:
    return await EventDelivery.get(event_id=event.id)


async def _travel_to_next_attempt(event: Event) -> None:
    clock.travel_to((await _delivery(event)).next_attempt_at)


async def test_an_event_arrives_signed_with_its_body(hooked: Settings, receiver: Receiver) -> None:
    customer = await make_customer(hooked)
    event = await _emit(hooked, customer, 7)
    assert await webhooks.deliver_due(hooked) == 1
    [got] = receiver.received
    assert receiver.rejected == 0
    assert got.body == {
        "id": event.uid,
        "type": "package.ordered",
        "version": 1,
        "createdAt": "2026-11-18T09:00:00+00:00",
        "customerNumber": customer.number,
        "data": {"n": 7, "text": "zażółć"},
    }
    assert got.headers["webhook-id"] == event.uid
    assert got.headers["webhook-timestamp"] == str(int(now().timestamp()))
    assert got.headers["webhook-signature"].startswith("v1,")
    delivery = await _delivery(event)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
    )
    assert delivery.delivered_at == now() and delivery.lease_until is None
    assert await webhooks.deliver_due(hooked) == 0  # delivered once


async def test_an_event_about_no_customer_has_no_customer_number(
    hooked: Settings, receiver: Receiver
) -> None:
    await _emit(hooked, None)
    await webhooks.deliver_due(hooked)
    assert "customerNumber" not in receiver.received[0].body


async def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(
    hooked: Settings, receiver: Receiver
) -> None:
    wrong = hooked.with_overrides(
        webhook_endpoints=(WebhookEndpoint("bss", receiver.url, Receiver().secret),)
    )
    event = await _emit(wrong, None)
    await webhooks.deliver_due(wrong)
    assert receiver.rejected == 1 and receiver.received == []
    delivery = await _delivery(event)
    assert delivery.status is DeliveryStatus.PENDING and delivery.last_status_code == 400


async def test_500_then_timeout_then_200_is_delivered_once_after_backoff(
    hooked: Settings, receiver: Receiver
) -> None:
    receiver.plan = [500, HANG]
    event = await _emit(hooked, await make_customer(hooked))
    assert await webhooks.deliver_due(hooked) == 1
    first = await _delivery(event)
    assert (first.status, first.attempts, first.last_status_code) == (
        DeliveryStatus.PENDING,
        1,
        500,
    )
    assert first.last_error == "HTTP 500: nope"
    wait = (first.next_attempt_at - now()).total_seconds()
    assert 4.5 <= wait <= 5.5  # 5 s ± 10 % jitter
    assert await webhooks.deliver_due(hooked) == 0  # not due yet
    clock.advance(seconds=wait - 0.5)
    assert await webhooks.deliver_due(hooked) == 0
    await _travel_to_next_attempt(event)
    assert await webhooks.deliver_due(hooked) == 1
    second = await _delivery(event)
    assert (second.status, second.attempts, second.last_status_code) == (
        DeliveryStatus.PENDING,
        2,
        None,
    )
    assert second.last_error == "timeout after 0.5 s"
    wait = (second.next_attempt_at - now()).total_seconds()
    assert 9 <= wait <= 11  # doubled
    await _travel_to_next_attempt(event)
    assert await webhooks.deliver_due(hooked) == 1
    third = await _delivery(event)
    assert (third.status, third.attempts, third.last_error) == (DeliveryStatus.DELIVERED, 3, "")
    assert [r.answered for r in receiver.received] == [500, 200]
    assert {r.id for r in receiver.received} == {event.uid}  # the same webhook-id every time
    assert len(receiver.delivered()) == 1


async def test_retry_after_is_respected_up_to_the_cap(hooked: Settings, receiver: Receiver) -> None:
    receiver.plan = [(503, "120"), (429, "999999")]
    event = await _emit(hooked, None)
    await webhooks.deliver_due(hooked)
    delivery = await _delivery(event)
    assert delivery.next_attempt_at - now() == timedelta(seconds=120)
    await _travel_to_next_attempt(event)
    await webhooks.deliver_due(hooked)
    delivery = await _delivery(event)
    assert delivery.next_attempt_at - now() == timedelta(seconds=3600)  # the cap


def test_the_default_schedule_doubles_to_the_cap_over_hours() -> None:
    settings = Settings()
    waits = [
        webhooks.backoff(settings, n, jitter=False).total_seconds()
        for n in range(1, settings.webhook_max_attempts)
    ]
    assert waits[:4] == [5, 10, 20, 40] and waits[-1] == 3600 and max(waits) == 3600
    assert 6 * 3600 <= sum(waits) <= 7 * 3600  # about 6.4 hours from first to last attempt
    jittered = webhooks.backoff(settings, 3).total_seconds()
    assert 18 <= jittered <= 22


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    at = clock.now()
    assert webhooks.retry_after_seconds("30", at) == 30
    assert webhooks.retry_after_seconds("Wed, 18 Nov 2026 09:01:00 GMT", at) == 60
    for bad in (None, "", "soon", "-5", "1e9", "Wed, 99 Nov"):
        assert webhooks.retry_after_seconds(bad, at) is None


async def test_dead_after_the_last_attempt_and_retry_revives_it(
    hooked: Settings, receiver: Receiver
) -> None:
    settings = hooked.with_overrides(webhook_max_attempts=3)
    receiver.plan = [500, 502, 500]
    event = await _emit(settings, None)
    for _ in range(3):
        assert await webhooks.deliver_due(settings) == 1
        await _travel_to_next_attempt(event)
    dead = await _delivery(event)
    assert (dead.status, dead.attempts, dead.last_status_code) == (DeliveryStatus.DEAD, 3, 500)
    clock.advance(days=1)
    assert await webhooks.deliver_due(settings) == 0  # dead stays dead
    listed = await webhooks.list_deliveries(failed=True)
    assert [(line.uid, line.status, line.attempts) for line in listed] == [(event.uid, "dead", 3)]

    error = await domain_error(webhooks.retry([event.uid, "evt_unknown"]))
    assert (error.code, error.params) == (ErrorCode.NOT_FOUND, {"uid": "evt_unknown"})
    assert (await _delivery(event)).status is DeliveryStatus.DEAD  # nothing changed

    for bad in ("evt_" + "a" * 100, "evt_" + "A" * 32, " " + event.uid, "", "evt_\x00"):
        error = await domain_error(webhooks.retry([bad]))
        assert (error.code, error.params) == (ErrorCode.NOT_FOUND, {"uid": bad})
    assert await webhooks.retry([event.uid, event.uid]) == webhooks.Retried(1, [])
    revived = await _delivery(event)
    assert (revived.status, revived.attempts, revived.next_attempt_at) == (
        DeliveryStatus.PENDING,
        0,
        now(),
    )
    assert await webhooks.deliver_due(settings) == 1
    assert (await _delivery(event)).status is DeliveryStatus.DELIVERED
    # a delivered one stays delivered
    assert await webhooks.retry([event.uid]) == webhooks.Retried(0, [event.uid])
    assert await webhooks.list_deliveries(failed=True) == []


async def test_a_huge_error_page_is_not_read(db: str, settings: Settings) -> None:
    """A receiver answering 500 with a 50 MB body: the sender keeps the start of it (decoded
    leniently) and closes the connection long before the receiver has written it all."""
    size = 50 * 1024 * 1024
    start = "Service \xff unavailable ".encode("latin-1")
    written, finished, done = 0, False, asyncio.Event()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal written, finished
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.lower().split(b"\r\n")
                if line.startswith(b"content-length:")
            )
            await reader.readexactly(length)
            writer.write(b"HTTP/1.1 500 Oops\r\ncontent-length: %d\r\n\r\n" % size)
            chunk = start + b"y" * (65536 - len(start))
            while written < size:
                piece = chunk[: size - written]
                writer.write(piece)
                await writer.drain()
                written += len(piece)
                chunk = b"y" * 65536
            finished = True
        except ConnectionError:
            pass  # the sender closed the connection
        finally:
            writer.close()
            done.set()

    port = free_port()
    server = await asyncio.start_server(answer, "127.0.0.1", port)
    try:
        endpoint = WebhookEndpoint(name="bss", url=f"http://127.0.0.1:{port}/hooks", secret=SECRET)
        hooked = settings.with_overrides(webhook_endpoints=(endpoint,), webhook_timeout_seconds=10)
        event = await _emit(hooked, None)
        assert await webhooks.deliver_due(hooked) == 1
        await asyncio.wait_for(done.wait(), 30)
    finally:
        server.close()
        await server.wait_closed()
    assert not finished and written < size // 2, written
    delivery = await _delivery(event)
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, 500)
    expected = "HTTP 500: Service \ufffd unavailable " + "y" * webhooks.ERROR_LENGTH
    assert delivery.last_error == expected[: webhooks.ERROR_LENGTH]


async def test_a_customers_events_arrive_in_order_one_at_a_time(
    hooked: Settings, receiver: Receiver
) -> None:
    alice, bob = await make_customer(hooked), await make_customer(hooked)
    receiver.plan = [500]
    a1, a2, a3 = [await _emit(hooked, alice, n) for n in (1, 2, 3)]
    b1 = await _emit(hooked, bob, 4)
    nobody = await _emit(hooked, None, 5)
    assert await webhooks.deliver_due(hooked) == 3  # a1, b1 and the customer-less one; a2, a3 wait
    assert [r.id for r in receiver.received] == [a1.uid, b1.uid, nobody.uid]
    assert (await _delivery(a1)).status is DeliveryStatus.PENDING
    assert await webhooks.deliver_due(hooked) == 0  # a2 waits behind a1's backoff
    await _travel_to_next_attempt(a1)
    while await webhooks.deliver_due(hooked):
        pass
    alice_got = [r.id for r in receiver.delivered() if r.body.get("customerNumber") == alice.number]
    assert alice_got == [a1.uid, a2.uid, a3.uid]


async def test_a_dead_event_no_longer_holds_the_customers_later_ones(
    hooked: Settings, receiver: Receiver
) -> None:
    settings = hooked.with_overrides(webhook_max_attempts=1)
    customer = await make_customer(settings)
    receiver.plan = [500]
    first, second = await _emit(settings, customer, 1), await _emit(settings, customer, 2)
    assert await webhooks.deliver_due(settings) == 1
    assert (await _delivery(first)).status is DeliveryStatus.DEAD
    assert await webhooks.deliver_due(settings) == 1
    assert [r.id for r in receiver.delivered()] == [second.uid]


async def test_concurrent_senders_deliver_each_event_once(
    hooked: Settings, receiver: Receiver
) -> None:
    customers = [await make_customer(hooked) for _ in range(5)]
    events = [await _emit(hooked, customers[n % 5], n) for n in range(30)]

    async def sender() -> None:
        async with httpx.AsyncClient() as http:
            while await webhooks.deliver_due(hooked, limit=4, client=http):
                pass

    await asyncio.gather(*(sender() for _ in range(4)))
    while await webhooks.deliver_due(hooked):  # whatever a sender left for a moment
        pass
    ids = [r.id for r in receiver.received]
    assert sorted(ids) == sorted(e.uid for e in events)  # each once, none twice
    for customer in customers:
        mine = [
            r.body["data"]["n"]
            for r in receiver.received
            if r.body.get("customerNumber") == customer.number
        ]
        assert mine == sorted(mine)
    assert all(d.attempts == 1 for d in await EventDelivery.all())


async def test_a_sender_that_crashed_mid_send_is_retried_after_its_lease(
    hooked: Settings, receiver: Receiver
) -> None:
    event = await _emit(hooked, await make_customer(hooked))
    [crashed] = await webhooks.claim(hooked)  # claimed, then the process died before sending
    assert (crashed.status, crashed.attempts) == (DeliveryStatus.SENDING, 1)
    assert await webhooks.deliver_due(hooked) == 0  # its lease holds
    clock.advance(seconds=webhooks.lease_for(hooked).total_seconds() - 1)
    assert await webhooks.deliver_due(hooked) == 0
    clock.advance(seconds=2)
    assert await webhooks.deliver_due(hooked) == 1
    delivery = await _delivery(event)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    # The stale sender waking up neither sends (its lease is over) nor records anything.
    receiver.plan = [500]
    async with httpx.AsyncClient() as http:
        await webhooks.send(hooked, http, crashed)
    after = await _delivery(event)
    assert (after.status, after.attempts, after.last_status_code) == (
        DeliveryStatus.DELIVERED,
        2,
        200,
    )
    assert [r.id for r in receiver.received] == [event.uid]


async def test_an_endpoint_no_longer_configured_is_left_alone(
    hooked: Settings, receiver: Receiver
) -> None:
    event = await _emit(hooked, None)
    assert await webhooks.deliver_due(hooked.with_overrides(webhook_endpoints=())) == 0
    other = hooked.with_overrides(webhook_endpoints=(receiver.endpoint("crm"),))
    assert await webhooks.deliver_due(other) == 0
    assert (await _delivery(event)).status is DeliveryStatus.PENDING


async def test_a_refused_connection_is_an_error_kept_for_the_operator(
    hooked: Settings, receiver: Receiver
) -> None:
    closed = WebhookEndpoint("bss", f"http://127.0.0.1:{free_port()}/x", receiver.secret)
    settings = hooked.with_overrides(webhook_endpoints=(closed,))
    event = await _emit(settings, None)
    await webhooks.deliver_due(settings)
    delivery = await _delivery(event)
    assert delivery.status is DeliveryStatus.PENDING and delivery.last_status_code is None
    assert delivery.last_error.startswith("ConnectError")


async def test_a_claim_too_close_to_its_lease_end_goes_back_unattempted(
    hooked: Settings, receiver: Receiver
) -> None:
    event = await _emit(hooked, None)
    [late] = await webhooks.claim(hooked)
    assert late.lease_until is not None
    clock.travel_to(late.lease_until - timedelta(seconds=hooked.webhook_timeout_seconds / 2))
    async with httpx.AsyncClient() as http:
        assert await webhooks.send(hooked, http, late) is DeliveryStatus.PENDING
    assert receiver.received == []  # it could not have ended before the lease: not sent
    back = await _delivery(event)
    assert (back.status, back.attempts, back.next_attempt_at, back.lease_until) == (
        DeliveryStatus.PENDING,
        0,
        now(),
        None,
    )
    assert await webhooks.deliver_due(hooked) == 1
    assert (await _delivery(event)).attempts == 1 and len(receiver.delivered()) == 1


async def test_what_a_receiver_answers_is_kept_as_one_safe_line(
    hooked: Settings, receiver: Receiver
) -> None:
    receiver.plan = [500]
    receiver.error_body = "bad\x00\x1b[31m red\r\n\u202eevil\tthing " + "x" * 1000
    event = await _emit(hooked, None)
    assert await webhooks.deliver_due(hooked) == 1
    delivery = await _delivery(event)
    assert delivery.status is DeliveryStatus.PENDING and delivery.last_status_code == 500
    assert delivery.last_error.startswith("HTTP 500: bad\ufffd\ufffd[31m red \ufffdevil thing xxx")
    assert len(delivery.last_error) == webhooks.ERROR_LENGTH
