"""Mutations of the contact domain: the contact form, replies back, and read receipts."""

from __future__ import annotations

import strawberry
from strawberry.permission import BasePermission

from backend.schema.contact.types import ContactRequest, Message
from backend.schema.context import Info
from backend.schema.enums import ContactTopic
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.permissions import IsAuthenticated
from backend.schema.relay import decode_id
from backend.services import contact

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


@strawberry.type
class Mutation:
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
