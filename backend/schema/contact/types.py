"""Messages from the operator, and the customer's contact requests with replies."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend import models as m
from backend.schema.context import Info
from backend.schema.enums import ContactStatus, ContactTopic, MessageCategory, ReplyAuthor
from backend.schema.loaders import loaders
from backend.schema.relay import Node, register_model_node, to_global_id


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


register_model_node("ContactRequest", m.ContactRequest, ContactRequest.from_model)
