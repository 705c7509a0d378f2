"""Messages from the operator, and the customer's contact requests with replies."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from backend import models as m
from backend.schema.context import Info
from backend.schema.enums import (
    ComplaintDecision,
    ComplaintState,
    ComplaintSubject,
    ContactKind,
    ContactStatus,
    ContactTopic,
    MessageCategory,
    RefundMethod,
    ReplyAuthor,
)
from backend.schema.loaders import loaders
from backend.schema.relay import Node, register_model_node, to_global_id
from backend.schema.scalars import Money
from backend.schema.wallet.types import WalletTransaction
from backend.services import complaints


@strawberry.type(description="A message from the operator, to this customer or to everyone.")
class Message(Node):
    pk: strawberry.Private[int]
    category: MessageCategory
    subject: str
    body: str
    urgent: bool
    published_at: datetime
    broadcast: bool = strawberry.field(description="Sent to every customer.")

    @classmethod
    def from_model(cls, row: m.Message) -> Message:
        return cls(
            id=to_global_id("Message", row.id),
            pk=row.id,
            category=row.category,
            subject=row.subject,
            body=row.body,
            urgent=row.urgent,
            published_at=row.published_at,
            broadcast=row.customer_id is None,
        )

    @strawberry.field(description="When this customer read it (null: unread).")
    async def read_at(self, info: Info) -> datetime | None:
        return await loaders(info).read_at_by_message.load(self.pk)

    @strawberry.field
    async def read(self, info: Info) -> bool:
        return await loaders(info).read_at_by_message.load(self.pk) is not None


register_model_node("Message", m.Message, Message.from_model)


@strawberry.type
class ContactReply:
    author: ReplyAuthor
    body: str
    created_at: datetime

    @classmethod
    def from_model(cls, row: m.ContactReply) -> ContactReply:
        return cls(author=row.author, body=row.body, created_at=row.created_at)


@strawberry.type(description="A message the customer sent with the contact form.")
class ContactRequest(Node):
    pk: strawberry.Private[int]
    number: int = strawberry.field(
        description="The request's number, as the notice, the e-mails and the operator name it."
    )
    kind: ContactKind
    topic: ContactTopic
    subject: str
    body: str
    status: ContactStatus
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, row: m.ContactRequest) -> ContactRequest:
        return cls(
            id=to_global_id("ContactRequest", row.id),
            pk=row.id,
            number=row.id,
            kind=row.kind,
            topic=row.topic,
            subject=row.subject,
            body=row.body,
            status=row.status,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field(description="Replies, oldest first.")
    async def replies(self, info: Info) -> list[ContactReply]:
        rows = await loaders(info).replies_by_request.load(self.pk)
        return [ContactReply.from_model(r) for r in rows]

    @strawberry.field(description="The complaint's statutory part (null for a contact request).")
    async def complaint(self, info: Info) -> Complaint | None:
        row = await loaders(info).complaint_by_request.load(self.pk)
        return Complaint.from_model(row) if row is not None else None


@strawberry.type(
    description="A complaint (reklamacja): acknowledged by e-mail, answered within 30 days of "
    "receipt (deadline, a Warsaw day) or deemed accepted."
)
class Complaint:
    row: strawberry.Private[m.Complaint]
    number: str = strawberry.field(description="R/<year>/<6 digits>.")
    subject: ComplaintSubject
    invoice_id: strawberry.ID | None
    service_id: strawberry.ID | None
    device_id: strawberry.ID | None
    period_from: date | None
    period_to: date | None
    amount_claimed: Money | None
    refund_method: RefundMethod | None
    bank_account_masked: str | None = strawberry.field(
        description="The refund account with only its country and last 4 digits."
    )
    received_at: datetime
    deadline: date = strawberry.field(description="The last Warsaw day to answer it.")
    acknowledged_at: datetime | None
    state: ComplaintState
    decision: ComplaintDecision | None
    decision_reason: str
    amount_granted: Money | None
    decided_at: datetime | None
    bank_refund_recorded_at: datetime | None

    @classmethod
    def from_model(cls, row: m.Complaint) -> Complaint:
        def gid(kind: str, pk: int | None) -> strawberry.ID | None:
            return strawberry.ID(to_global_id(kind, pk)) if pk is not None else None

        def money(grosze: int | None) -> Money | None:
            return Money.of(grosze) if grosze is not None else None

        return cls(
            row=row,
            number=row.number,
            subject=row.subject,
            invoice_id=gid("Invoice", row.invoice_id),
            service_id=gid("Service", row.service_id),
            device_id=gid("Device", row.device_id),
            period_from=row.period_from,
            period_to=row.period_to,
            amount_claimed=money(row.amount_claimed),
            refund_method=row.refund_method,
            bank_account_masked=complaints.mask_account(row.bank_account or "") or None,
            received_at=row.received_at,
            deadline=row.deadline,
            acknowledged_at=row.acknowledged_at,
            state=complaints.complaint_state(row),
            decision=row.decision,
            decision_reason=row.decision_reason,
            amount_granted=money(row.amount_granted),
            decided_at=row.decided_at,
            bank_refund_recorded_at=row.bank_refund_recorded_at,
        )

    @strawberry.field(
        description="For a DEEMED_ACCEPTED complaint, what it means in the reader's language: "
        "accepted by law on the day after the deadline, the amount claimed will be credited to "
        "the wallet or transferred to the account, customer service will confirm it; null in "
        "any other state."
    )
    def deemed_accepted_note(self, info: Info) -> str | None:
        return complaints.deemed_accepted_note(self.row, info.context.language)

    @strawberry.field(description="The wallet credit of an accepted money claim.")
    async def wallet_credit(self, info: Info) -> WalletTransaction | None:
        if self.row.wallet_transaction_id is None:
            return None
        entry = await loaders(info).complaint_credit.load(self.row.wallet_transaction_id)
        return WalletTransaction.from_model(entry) if entry is not None else None


register_model_node("ContactRequest", m.ContactRequest, ContactRequest.from_model)
