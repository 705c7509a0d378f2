"""Read side of what the operator and the customer say to each other: messages (with
per-customer read state for broadcasts), contact requests with replies, and the customer's own
activity history (audit events)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tortoise.expressions import Subquery

from backend.models import AuditEvent, ContactReply, ContactRequest, Message, MessageRead
from backend.services.customers import group
from backend.services.ownership import visible
from backend.services.paging import Keyset, Page, paginate

# Urgent first, then newest first.
MESSAGES = Keyset("messages", (("urgent", "bool"), ("published_at", "datetime"), ("id", "int")))
ACTIVITY = Keyset("activity", (("created_at", "datetime"), ("id", "int")))


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
    query = visible(Message, customer_id).filter(urgent=True)
    query = query.exclude(id__in=_read_ids(customer_id))
    return list(await query.order_by("-published_at", "-id").limit(limit))


async def read_at_by_message(customer_id: int, ids: Sequence[int]) -> dict[int, datetime]:
    rows = await MessageRead.filter(customer_id=customer_id, message_id__in=ids)
    return {r.message_id: r.read_at for r in rows}  # type: ignore[attr-defined]


async def contact_requests(customer_id: int) -> list[ContactRequest]:
    return list(await visible(ContactRequest, customer_id).order_by("-created_at", "-id"))


async def replies_by_request(customer_id: int, ids: Sequence[int]) -> dict[int, list[ContactReply]]:
    rows = await ContactReply.filter(request_id__in=ids, request__customer_id=customer_id).order_by(
        "created_at", "id"
    )
    return group(rows, "request_id")


async def activity_page(
    customer_id: int, *, first: int | None = None, after: str | None = None
) -> Page[AuditEvent]:
    return await paginate(visible(AuditEvent, customer_id), ACTIVITY, first=first, after=after)
