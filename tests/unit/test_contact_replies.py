"""Replies on contact requests in the service layer: the operator's reply (idempotent by
reference, also when sent twice at once; the request's status; the e-mail), and the customer's
reply back (status, its event and the event's deliveries in the same transaction, the hourly
limit)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from backend.clock import clock
from backend.config import Settings, WebhookEndpoint
from backend.models import ContactReply, ContactRequest, Event, EventDelivery, OutboxMessage
from backend.models.enums import ContactStatus, ReplyAuthor
from backend.services import contact, emails
from backend.services.errors import ErrorCode
from tests.factories import make_contact_request, make_customer, make_meta, make_reply
from tests.raises import domain_error

WRITER = "key:crm"


def answer(settings: Settings, request_id: int, body: str) -> Awaitable[contact.OperatorReply]:
    return contact.operator_reply(
        settings,
        reference="crm-7",
        request_id=request_id,
        body=body,
        close=False,
        writer=WRITER,
        meta=make_meta(),
    )


async def test_operator_reply_once_per_reference_even_at_once(db, settings) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer)
    answers = await asyncio.gather(*(answer(settings, request.id, " Done. ") for _ in range(3)))
    assert sorted(a.created for a in answers) == [False, False, True]
    assert len({a.reply.id for a in answers}) == 1
    assert all(a.request_status is ContactStatus.ANSWERED for a in answers)
    (row,) = await ContactReply.filter(request_id=request.id)
    assert (row.author, row.body, row.reference) == (ReplyAuthor.OPERATOR, "Done.", "crm-7")
    assert (await ContactRequest.get(id=request.id)).status is ContactStatus.ANSWERED
    await emails.drain()
    assert await OutboxMessage.filter(to=customer.email).count() == 1

    error = await domain_error(answer(settings, request.id, "Done!"))
    assert (error.code, error.field, error.params) == (
        ErrorCode.REFERENCE_REUSED,
        "reference",
        {"key": "crm-7"},
    )


async def test_customer_reply_reopens_with_its_event_and_deliveries(db, settings) -> None:
    endpoint = WebhookEndpoint(name="crm", url="http://127.0.0.1:9/hook", secret="whsec_x")
    settings = settings.with_overrides(webhook_endpoints=(endpoint,))
    customer = await make_customer(settings)
    request = await make_contact_request(customer, status=ContactStatus.CLOSED)
    await make_reply(request, "Closed on our side.")

    after = await contact.customer_reply(
        settings, customer.id, request_id=request.id, body="Not fixed", meta=make_meta()
    )
    assert after.status is ContactStatus.IN_PROGRESS
    (event,) = await Event.filter(type="contact_reply.created")
    reply = await ContactReply.get(request_id=request.id, author=ReplyAuthor.CUSTOMER)
    assert event.payload == {
        "customerNumber": customer.number,
        "requestId": request.id,
        "replyId": reply.id,
        "body": "Not fixed",
        "status": "in_progress",
        "createdAt": reply.created_at.isoformat(),
    }
    assert await EventDelivery.filter(event_id=event.id, endpoint="crm").count() == 1

    # Someone else's request: NOT_FOUND, and neither a reply nor an event.
    stranger = await make_customer(settings)
    error = await domain_error(
        contact.customer_reply(
            settings, stranger.id, request_id=request.id, body="Hi", meta=make_meta()
        )
    )
    assert (error.code, error.field) == (ErrorCode.NOT_FOUND, "request_id")
    assert await Event.filter(type="contact_reply.created").count() == 1


async def test_customer_replies_are_limited_per_hour(db, settings) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer)
    for _ in range(contact.REPLIES_PER_HOUR):
        await contact.customer_reply(
            settings, customer.id, request_id=request.id, body="more", meta=make_meta()
        )
    error = await domain_error(
        contact.customer_reply(
            settings, customer.id, request_id=request.id, body="more", meta=make_meta()
        )
    )
    assert error.code is ErrorCode.RATE_LIMITED
    assert await ContactReply.filter(request_id=request.id).count() == contact.REPLIES_PER_HOUR
    clock.advance(hours=1, seconds=1)
    await contact.customer_reply(
        settings, customer.id, request_id=request.id, body="more", meta=make_meta()
    )
