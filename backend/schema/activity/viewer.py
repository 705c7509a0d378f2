"""Viewer fields of the activity domain (the audit trail shown to the customer). Mixed into
``Viewer``."""

from __future__ import annotations

import strawberry

from backend.schema.activity.types import ActivityEvent
from backend.schema.context import Info
from backend.schema.pagination import After, Connection, First, connection
from backend.services import audit


@strawberry.type
class ActivityFields:
    customer_id: strawberry.Private[int]

    @strawberry.field(description="Activity history (logins, changes, payments), newest first.")
    async def activity(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ActivityEvent]:
        return await connection(
            info.context.language,
            lambda: audit.activity_page(self.customer_id, first=first, after=after),
            ActivityEvent.from_model,
        )
