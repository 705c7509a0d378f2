"""Messages from the operator, contact requests with replies, and the activity (audit) trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.clock import now
from backend.models import (
    AuditEvent,
    ContactReply,
    ContactRequest,
    Customer,
    Message,
    MessageRead,
)
from backend.models.enums import AuditKind, ContactTopic, MessageCategory, ReplyAuthor
from tests.factories import sequences


async def make_message(customer: Customer | None, **fields: Any) -> Message:
    """An announcement published an hour ago, to ``customer`` (to everyone when None)."""
    defaults: dict[str, Any] = {
        "category": MessageCategory.ANNOUNCEMENT,
        "subject": sequences.message_subject(),
        "body": "Treść",
        "published_at": now() - timedelta(hours=1),
    }
    return await Message.create(customer=customer, **{**defaults, **fields})


async def make_message_read(message: Message, customer: Customer) -> MessageRead:
    """``customer`` read ``message`` now."""
    return await MessageRead.create(message=message, customer=customer, read_at=now())


async def make_contact_request(
    customer: Customer, *, topic: ContactTopic = ContactTopic.BILLING, **fields: Any
) -> ContactRequest:
    """A contact request sent now by ``customer``."""
    defaults: dict[str, Any] = {"subject": "Pytanie", "body": "Treść pytania", "created_at": now()}
    return await ContactRequest.create(customer=customer, topic=topic, **{**defaults, **fields})


async def make_reply(
    request: ContactRequest,
    body: str = "Odpowiedź",
    *,
    author: ReplyAuthor = ReplyAuthor.OPERATOR,
    **fields: Any,
) -> ContactReply:
    """A reply to ``request`` (by the operator unless ``author``), written now."""
    return await ContactReply.create(
        request=request, author=author, body=body, **{"created_at": now(), **fields}
    )


async def make_audit_event(
    customer: Customer | None, kind: AuditKind = AuditKind.LOGIN, **fields: Any
) -> AuditEvent:
    """An entry in ``customer``'s activity (a failed login of nobody when None), now."""
    return await AuditEvent.create(customer=customer, kind=kind, **{"created_at": now(), **fields})
