"""Viewer fields of the contact domain (messages from the operator, contact requests). Mixed
into ``Viewer``."""

from __future__ import annotations

import strawberry

from backend.schema.contact.types import ContactRequest, Message
from backend.schema.context import Info
from backend.schema.pagination import After, Connection, First, connection
from backend.services import contact


@strawberry.type
class ContactFields:
    customer_id: strawberry.Private[int]

    @strawberry.field(description="Messages from the operator: urgent first, then newest.")
    async def messages(
        self, info: Info, first: First = None, after: After = None, unread_only: bool = False
    ) -> Connection[Message]:
        return await connection(
            info.context.language,
            lambda: contact.messages_page(
                self.customer_id, unread_only=unread_only, first=first, after=after
            ),
            Message.from_model,
        )

    @strawberry.field
    async def unread_message_count(self, info: Info) -> int:
        return await contact.unread_count(self.customer_id)

    @strawberry.field(description="Messages sent with the contact form, newest first.")
    async def contact_requests(self, info: Info) -> list[ContactRequest]:
        rows = await contact.contact_requests(self.customer_id)
        return [ContactRequest.from_model(r) for r in rows]
