"""The customer's own activity history (audit events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from backend import models as m
from backend.schema.context import Info
from backend.schema.enums import AuditKind
from backend.schema.loaders import loaders
from backend.schema.relay import Node, register_node, to_global_id
from backend.services import audit


@strawberry.type(description="Something that happened on the account (login, change, payment).")
class ActivityEvent(Node):
    pk: strawberry.Private[int]
    kind: AuditKind
    ip: str
    user_agent: str
    created_at: datetime
    summary: str = strawberry.field(
        description='Selected details as "key: value" pairs, e.g. "package: HBO".'
    )

    @classmethod
    def from_model(cls, row: m.AuditEvent) -> ActivityEvent:
        return cls(
            id=to_global_id("ActivityEvent", row.id),
            pk=row.id,
            kind=row.kind,
            ip=row.ip,
            user_agent=row.user_agent,
            created_at=row.created_at,
            summary=audit.summary(row),
        )


@register_node("ActivityEvent")
async def _events(info: Info, pks: list[int]) -> list[Any]:
    rows = await loaders(info).many(m.AuditEvent, pks)
    return [ActivityEvent.from_model(r) if r else None for r in rows]
