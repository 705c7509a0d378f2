"""Mutations of the contact domain: the contact form, replies back, and read receipts."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.permission import BasePermission

from backend.schema.contact.types import ContactRequest, Message
from backend.schema.context import Info
from backend.schema.enums import ComplaintSubject, ContactTopic, RefundMethod
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.permissions import IsAuthenticated
from backend.schema.relay import decode_id
from backend.services import complaints, contact

AUTH: list[type[BasePermission]] = [IsAuthenticated]


@strawberry.input
class SendContactRequestInput:
    topic: ContactTopic
    subject: str = strawberry.field(description="1-150 characters.")
    body: str = strawberry.field(description="1-5000 characters.")


@strawberry.type
class SendContactRequestPayload:
    contact_request: ContactRequest | None = None
    errors: list[UserError]


@strawberry.input
class MarkMessageReadInput:
    message_id: strawberry.ID


@strawberry.type
class MarkMessageReadPayload:
    message: Message | None = None
    errors: list[UserError]


@strawberry.input
class ReplyToContactRequestInput:
    request_id: strawberry.ID = strawberry.field(description="One of the viewer's requests.")
    body: str = strawberry.field(description="1-5000 characters.")


@strawberry.type
class ReplyToContactRequestPayload:
    contact_request: ContactRequest | None = None
    errors: list[UserError]


@strawberry.input
class FileComplaintInput:
    subject: ComplaintSubject = strawberry.field(
        description="INVOICE needs invoiceId, SERVICE serviceId, EQUIPMENT deviceId or serviceId."
    )
    description: str = strawberry.field(description="1-5000 characters.")
    invoice_id: strawberry.ID | None = None
    service_id: strawberry.ID | None = None
    device_id: strawberry.ID | None = None
    period_from: date | None = strawberry.field(default=None, description="A Warsaw day.")
    period_to: date | None = strawberry.field(default=None, description="A Warsaw day.")
    amount_claimed: int | None = strawberry.field(
        default=None,
        description="In grosze: 1 up to the invoice's gross (other complaints: 10 000 zł).",
    )
    refund_method: RefundMethod | None = strawberry.field(
        default=None, description="Required with amountClaimed."
    )
    bank_account: str | None = strawberry.field(
        default=None, description="An IBAN, required for BANK_ACCOUNT."
    )


@strawberry.type
class FileComplaintPayload:
    contact_request: ContactRequest | None = None
    errors: list[UserError]


def _pk(gid: strawberry.ID | None, type_name: str, field: str) -> int | None:
    return decode_id(gid, type_name, field=field) if gid else None


@strawberry.type
class Mutation:
    @mutation(
        description="File a complaint (reklamacja): numbered, acknowledged by e-mail with its "
        "content, answered within 30 days or deemed accepted (5 a day).",
        permission_classes=AUTH,
    )
    async def file_complaint(self, info: Info, input: FileComplaintInput) -> FileComplaintPayload:
        ctx = info.context
        row = await complaints.file_complaint(
            ctx.settings,
            ctx.viewer_id,
            subject=input.subject.value,
            invoice_id=_pk(input.invoice_id, "Invoice", "invoice_id"),
            service_id=_pk(input.service_id, "Service", "service_id"),
            device_id=_pk(input.device_id, "Device", "device_id"),
            period_from=input.period_from,
            period_to=input.period_to,
            amount_claimed=input.amount_claimed,
            refund_method=input.refund_method.value if input.refund_method else None,
            bank_account=input.bank_account,
            description=input.description,
            meta=ctx.meta,
        )
        return FileComplaintPayload(contact_request=ContactRequest.from_model(row), errors=[])

    @mutation(description="Write to customer service (5 an hour).", permission_classes=AUTH)
    async def send_contact_request(
        self, info: Info, input: SendContactRequestInput
    ) -> SendContactRequestPayload:
        ctx = info.context
        row = await contact.send_contact_request(
            ctx.settings,
            ctx.viewer_id,
            topic=input.topic.value,
            subject=input.subject,
            body=input.body,
            meta=ctx.meta,
        )
        return SendContactRequestPayload(contact_request=ContactRequest.from_model(row), errors=[])

    @mutation(
        description="Write back on one of the viewer's contact requests (an answered or closed "
        "request goes back to IN_PROGRESS; 20 an hour).",
        permission_classes=AUTH,
    )
    async def reply_to_contact_request(
        self, info: Info, input: ReplyToContactRequestInput
    ) -> ReplyToContactRequestPayload:
        ctx = info.context
        row = await contact.customer_reply(
            ctx.settings,
            ctx.viewer_id,
            request_id=decode_id(input.request_id, "ContactRequest", field="requestId"),
            body=input.body,
            meta=ctx.meta,
        )
        return ReplyToContactRequestPayload(
            contact_request=ContactRequest.from_model(row), errors=[]
        )

    @mutation(description="Mark a message as read (idempotent).", permission_classes=AUTH)
    async def mark_message_read(
        self, info: Info, input: MarkMessageReadInput
    ) -> MarkMessageReadPayload:
        ctx = info.context
        message, _ = await contact.mark_message_read(
            ctx.viewer_id, decode_id(input.message_id, "Message", field="messageId")
        )
        return MarkMessageReadPayload(message=Message.from_model(message), errors=[])
