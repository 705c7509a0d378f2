"""The contact domain: what the operator and the customer say to each other. The operator's
messages (with per-customer read state for broadcasts) and marking them read; the customer's
contact requests (the contact form) with the operator's replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.i18n import translate
from backend.models import ContactReply, ContactRequest, Customer, Message, MessageRead
from backend.models.enums import (
    AuditKind,
    ContactStatus,
    ContactTopic,
    MessageCategory,
    ReplyAuthor,
)
from backend.services import audit, billing, emails, outbox, ratelimit
from backend.services.batch import group
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.notices import notify
from backend.services.outbox import EventType
from backend.services.ownership import visible
from backend.services.paging import Keyset, Page, paginate
from backend.services.request import RequestMeta
from backend.services.text import check_text

SUBJECT_MAX = 150
BODY_MAX = 5000
REQUESTS_PER_HOUR = 5
# Urgent first, then newest first.
MESSAGES = Keyset("messages", (("urgent", "bool"), ("published_at", "datetime"), ("id", "int")))


def _read_ids(customer_id: int) -> Subquery:
    return Subquery(MessageRead.filter(customer_id=customer_id).values("message_id"))


async def messages_page(
    customer_id: int,
    *,
    unread_only: bool = False,
    first: int | None = None,
    after: str | None = None,
) -> Page[Message]:
    query = visible(Message, customer_id)
    if unread_only:
        query = query.exclude(id__in=_read_ids(customer_id))
    return await paginate(query, MESSAGES, first=first, after=after)


async def unread_count(customer_id: int) -> int:
    return await visible(Message, customer_id).exclude(id__in=_read_ids(customer_id)).count()


async def urgent_unread(customer_id: int, limit: int = 5) -> list[Message]:
    """The unread urgent messages the start screen shows as banners, newest first.

    An urgent billing message (an overdue invoice, a service suspended for debt) is urgent only
    while the debt lasts (``billing.in_debt``): once everything is paid it leaves the banner (it
    stays in the message list, where it is history)."""
    query = visible(Message, customer_id).filter(urgent=True)
    query = query.exclude(id__in=_read_ids(customer_id))
    if not await billing.in_debt(customer_id):
        query = query.exclude(category=MessageCategory.BILLING)
    return list(await query.order_by("-published_at", "-id").limit(limit))


async def read_at_by_message(customer_id: int, ids: Sequence[int]) -> dict[int, datetime]:
    rows = await MessageRead.filter(customer_id=customer_id, message_id__in=ids)
    return {r.message_id: r.read_at for r in rows}


async def contact_requests(customer_id: int) -> list[ContactRequest]:
    return list(await visible(ContactRequest, customer_id).order_by("-created_at", "-id"))


async def replies_by_request(customer_id: int, ids: Sequence[int]) -> dict[int, list[ContactReply]]:
    rows = await ContactReply.filter(request_id__in=ids, request__customer_id=customer_id).order_by(
        "created_at", "id"
    )
    return group(rows, "request_id")


async def send_contact_request(
    settings: Settings,
    customer_id: int,
    *,
    topic: str,
    subject: str,
    body: str,
    meta: RequestMeta,
) -> ContactRequest:
    """Write the customer's contact request (the contact form) and tell them it arrived.

    ``topic`` is a ``ContactTopic`` value, ``subject`` one line of at most ``SUBJECT_MAX``
    characters, ``body`` at most ``BODY_MAX``; all checked at once (``ValidationErrors``), then
    ``RATE_LIMITED`` after ``REQUESTS_PER_HOUR``. The request, its audit record and its
    ``contact_request.created`` event are one transaction; the notice follows it."""
    errors = Collector()
    try:
        chosen = ContactTopic((topic or "").strip().lower())
    except ValueError:
        errors.add(ErrorCode.INVALID, "topic")
    subject = check_text(errors, subject or "", "subject", SUBJECT_MAX, required=True)
    body = check_text(errors, body or "", "body", BODY_MAX, multiline=True, required=True)
    errors.raise_if_any()
    verdict = await ratelimit.hit(
        f"contact-request:{customer_id}", limit=REQUESTS_PER_HOUR, window=timedelta(hours=1)
    )
    if not verdict.allowed:
        raise DomainError(ErrorCode.RATE_LIMITED, None, {"minutes": verdict.retry_minutes})
    customer = await Customer.get(id=customer_id)
    async with in_transaction():
        request = await ContactRequest.create(
            customer_id=customer_id, topic=chosen, subject=subject, body=body, created_at=now()
        )
        await audit.record(
            AuditKind.CONTACT_REQUEST_SENT,
            customer_id,
            meta,
            request=request.id,
            topic=chosen.value,
        )
        await outbox.emit(
            settings,
            EventType.CONTACT_REQUEST_CREATED,
            customer_id,
            {
                "customerNumber": customer.number,
                "requestId": request.id,
                "topic": chosen.value,
                "subject": subject,
                "body": body,
            },
        )
    await notify(
        settings,
        customer,
        category=MessageCategory.SERVICE,
        subject=translate("notice.contact_request.subject", customer.language, number=request.id),
        body=translate(
            "notice.contact_request.body", customer.language, number=request.id, subject=subject
        ),
    )
    return request


async def mark_message_read(customer_id: int, message_id: int) -> tuple[Message, MessageRead]:
    """Idempotent: the first call records when it was read, later calls return that record.

    Read state lives in ``MessageRead`` for personal and broadcast messages alike (a broadcast
    is shared, so its read state cannot live on the message)."""
    message = await visible(Message, customer_id).get_or_none(id=message_id)
    if message is None:
        raise DomainError(ErrorCode.NOT_FOUND, "message_id")
    existing = await MessageRead.get_or_none(message_id=message.id, customer_id=customer_id)
    if existing is not None:
        return message, existing
    try:
        async with in_transaction():
            read = await MessageRead.create(message=message, customer_id=customer_id, read_at=now())
    except IntegrityError:  # a concurrent call recorded it first
        read = await MessageRead.get(message_id=message.id, customer_id=customer_id)
    return message, read


# --- replies: the operator's answers and the customer's replies back -----------------------------

REFERENCE_MAX = 64
REPLIES_PER_HOUR = 20


async def operator_reply(
    settings: Settings,
    *,
    reference: str,
    request_id: int,
    body: str,
    close: bool,
    writer: str,
    meta: RequestMeta,
) -> OperatorReply:
    """The operator answers the contact request ``request_id`` (any customer's: the operator
    answers everyone) with ``body`` under its own ``reference`` (at most 64 characters); the
    request becomes ANSWERED (CLOSED when ``close``) and the customer is e-mailed in their
    language (contact address, in the background) with a link to the request in the SPA.

    Idempotent by ``reference``: the same reference with the same request and body returns the
    stored reply with ``created`` False (nothing written, no e-mail again). ``writer`` (``key:<API key name>``) goes to the audit trail.

    Raises ``ValidationErrors`` (REQUIRED, TOO_LONG, FORBIDDEN_CHARACTER on ``reference`` and
    ``body``), ``DomainError`` NOT_FOUND (``request_id``: no such request), REFERENCE_REUSED
    (``reference``: already used for another request or another text)."""
    errors = Collector()
    reference = check_text(errors, reference or "", "reference", REFERENCE_MAX, required=True)
    body = check_text(errors, body or "", "body", BODY_MAX, multiline=True, required=True)
    errors.raise_if_any()
    stored = await _stored_reply(reference, request_id, body)
    if stored is not None:
        return await _answered(stored, created=False)
    request = await ContactRequest.get_or_none(id=request_id)
    if request is None:
        raise DomainError(ErrorCode.NOT_FOUND, "request_id")
    status = ContactStatus.CLOSED if close else ContactStatus.ANSWERED
    try:
        async with in_transaction():
            reply = await ContactReply.create(
                request_id=request.id,
                author=ReplyAuthor.OPERATOR,
                body=body,
                created_at=now(),
                reference=reference,
            )
            await ContactRequest.filter(id=request.id).update(status=status, updated_at=now())
            await audit.record(
                AuditKind.OPERATOR_WRITE,
                None,
                meta,
                writer=writer,
                type="contact_reply",
                request=request.id,
                reference=reference,
                status=status.value,
            )
    except IntegrityError:  # the same reference stored concurrently
        stored = await _stored_reply(reference, request_id, body)
        if stored is None:
            raise
        return await _answered(stored, created=False)
    email_reply(settings, await Customer.get(id=request.customer_id), request, body)
    return OperatorReply(reply=reply, request_status=status, created=True)


def email_reply(settings: Settings, customer: Customer, request: ContactRequest, body: str) -> None:
    """E-mail the operator's reply ``body`` on ``request`` to ``customer``'s contact address in
    their language, in the background (nothing when they have no address)."""
    if customer.email:
        mail = emails.contact_reply(
            settings,
            customer.language,
            customer.email,
            number=request.id,
            subject=request.subject,
            body=body,
        )
        emails.deliver_later(settings, mail)


@dataclass(frozen=True)
class OperatorReply:
    """The operator's stored ``reply``, its request's status now, and whether it was stored by
    this call (False: the reference was stored already)."""

    reply: ContactReply
    request_status: ContactStatus
    created: bool


async def _answered(reply: ContactReply, *, created: bool) -> OperatorReply:
    request = await ContactRequest.get(id=reply.request_id)
    return OperatorReply(reply=reply, request_status=request.status, created=created)


async def _stored_reply(reference: str, request_id: int, body: str) -> ContactReply | None:
    """The operator's reply stored under ``reference`` if it says the same (None if none);
    REFERENCE_REUSED if it is another request's or another text."""
    stored = await ContactReply.get_or_none(reference=reference)
    if stored is None:
        return None
    if stored.request_id != request_id or stored.body != body:
        raise DomainError(ErrorCode.REFERENCE_REUSED, "reference", {"key": reference})
    return stored


async def customer_reply(
    settings: Settings, customer_id: int, *, request_id: int, body: str, meta: RequestMeta
) -> ContactRequest:
    """The customer writes back on their own contact request ``request_id`` (``body``, at most
    5000 characters, several lines). A request that was ANSWERED or CLOSED goes back to
    IN_PROGRESS (the operator has something to read again); a NEW or IN_PROGRESS one keeps its
    status. The event ``contact_reply.created`` is written in the same transaction. At most
    ``REPLIES_PER_HOUR`` replies an hour per customer. Returns the request as it is now.

    Raises ``ValidationErrors`` (REQUIRED, TOO_LONG, FORBIDDEN_CHARACTER on ``body``),
    ``DomainError`` NOT_FOUND (``request_id``: none of this customer's), RATE_LIMITED
    (``minutes``)."""
    errors = Collector()
    body = check_text(errors, body or "", "body", BODY_MAX, multiline=True, required=True)
    errors.raise_if_any()
    request = await visible(ContactRequest, customer_id).get_or_none(id=request_id)
    if request is None:
        raise DomainError(ErrorCode.NOT_FOUND, "request_id")
    verdict = await ratelimit.hit(
        f"contact-reply:{customer_id}", limit=REPLIES_PER_HOUR, window=timedelta(hours=1)
    )
    if not verdict.allowed:
        raise DomainError(ErrorCode.RATE_LIMITED, None, {"minutes": verdict.retry_minutes})
    reopened = request.status in (ContactStatus.ANSWERED, ContactStatus.CLOSED)
    status = ContactStatus.IN_PROGRESS if reopened else request.status
    customer_number = (await Customer.filter(id=customer_id).values_list("number", flat=True))[0]
    async with in_transaction():
        reply = await ContactReply.create(
            request_id=request.id, author=ReplyAuthor.CUSTOMER, body=body, created_at=now()
        )
        await ContactRequest.filter(id=request.id).update(status=status, updated_at=now())
        await outbox.emit(
            settings,
            EventType.CONTACT_REPLY_CREATED,
            customer_id,
            {
                "customerNumber": customer_number,
                "requestId": request.id,
                "replyId": reply.id,
                "body": body,
                "status": status.value,
                "createdAt": reply.created_at.isoformat(),
            },
        )
    return await ContactRequest.get(id=request.id)
