"""Messages from the operator, contact requests with replies, and the activity (audit) trail."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from backend.clock import day_of, now
from backend.models import (
    AuditEvent,
    Complaint,
    ContactNote,
    ContactReply,
    ContactRequest,
    Customer,
    Message,
    MessageRead,
)
from backend.models.enums import (
    AuditKind,
    ComplaintSubject,
    ContactKind,
    ContactTopic,
    MessageCategory,
    RefundMethod,
    ReplyAuthor,
)
from backend.services.complaints import deadline_for
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


async def make_complaint(
    customer: Customer,
    *,
    subject: ComplaintSubject = ComplaintSubject.OTHER,
    amount_claimed: int | None = 5000,
    refund_method: RefundMethod | None = RefundMethod.WALLET,
    received_at: datetime | None = None,
    **fields: Any,
) -> Complaint:
    """A complaint by ``customer`` received now (or at ``received_at``), claiming 50 zł to the
    wallet unless told otherwise, its deadline the Warsaw day of receipt + 30, unanswered."""
    received = received_at or now()
    number = f"R/{day_of(received).year}/{sequences.complaint_number():06d}"
    request = await make_contact_request(
        customer,
        kind=ContactKind.COMPLAINT,
        topic=ContactTopic.OTHER,
        subject=f"Reklamacja {number}",
        body="Opis reklamacji",
        created_at=received,
    )
    defaults: dict[str, Any] = {
        "number": number,
        "subject": subject,
        "amount_claimed": amount_claimed,
        "refund_method": refund_method if amount_claimed else None,
        "received_at": received,
        "deadline": deadline_for(day_of(received)),
        "acknowledged_at": received,
    }
    return await Complaint.create(request=request, **{**defaults, **fields})


async def make_note(request: ContactRequest, staff: Any, body: str = "Notatka") -> ContactNote:
    """An internal note of ``staff`` on ``request`` written now."""
    return await ContactNote.create(request=request, staff=staff, body=body, created_at=now())
