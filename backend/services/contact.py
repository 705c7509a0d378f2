"""The contact domain: what the operator and the customer say to each other. The operator's
messages (with per-customer read state for broadcasts) and marking them read; the customer's
contact requests (the contact form) with the operator's replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.i18n import translate
from backend.models import ContactReply, ContactRequest, Customer, Message, MessageRead
from backend.models.enums import AuditKind, ContactTopic, MessageCategory
from backend.services import audit, billing, ratelimit
from backend.services.batch import group
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.notices import notify
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
    customer = await Customer.get(id=customer_id)
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
