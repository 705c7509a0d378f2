"""``events(after:, first:)``: the outbox for operators who poll rather than take webhooks
(scope ``events:read``), oldest first, resumed from the last page's ``endCursor``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from backend.models import Event
from backend.operator.context import OperatorInfo
from backend.operator.permissions import requires
from backend.schema.query_errors import guarded
from backend.services import outbox
from backend.services.operator_keys import Scope


@strawberry.type(name="Event", description="Something the operator must learn of.")
class EventType:
    id: str = strawberry.field(
        description="The event's stable id (evt_...), also the webhook-id of its webhooks."
    )
    type: str = strawberry.field(description="What happened, e.g. package.ordered.")
    version: int = strawberry.field(description="The version of the payload's shape.")
    created_at: datetime = strawberry.field(description="When it happened.")
    customer_number: str | None = strawberry.field(
        description="The customer it concerns (null for none or a customer since removed)."
    )
    payload: JSON = strawberry.field(description="The event's data, as in its webhook's data.")

    @classmethod
    def of(cls, event: Event) -> EventType:
        return cls(
            id=event.uid,
            type=event.type,
            version=event.version,
            created_at=event.created_at,
            customer_number=event.customer.number if event.customer is not None else None,
            payload=event.payload,
        )


@strawberry.type(description="A page of events, oldest first.")
class EventConnection:
    nodes: list[EventType]
    end_cursor: str | None = strawberry.field(
        description="Pass it as after for the next page (null only before the first event)."
    )
    has_next_page: bool = strawberry.field(description="More events are already waiting.")


@strawberry.type
class Query:
    @strawberry.field(
        description="Events after the cursor, oldest first.",
        permission_classes=[requires(Scope.EVENTS_READ)],
    )
    async def events(
        self,
        info: OperatorInfo,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the last page.")
        ] = None,
        first: Annotated[
            int, strawberry.argument(description=f"Page size, at most {outbox.PULL_MAX}.")
        ] = outbox.PULL_DEFAULT,
    ) -> EventConnection:
        page = await guarded(info.context.language, lambda: outbox.events_after(after, first))
        return EventConnection(
            nodes=[EventType.of(event) for event in page.events],
            end_cursor=page.end_cursor,
            has_next_page=page.has_next_page,
        )
