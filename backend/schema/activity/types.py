"""The customer's own activity history (audit events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from backend import models as m
from backend.schema.context import Info
from backend.schema.enums import AuditKind
from backend.schema.relay import Node, register_model_node, to_global_id
from backend.services import audit, payments


@strawberry.type(description="Something that happened on the account (login, change, payment).")
class ActivityEvent(Node):
    pk: strawberry.Private[int]
    details: strawberry.Private[Any]
    kind: AuditKind
    ip: str
    user_agent: str
    created_at: datetime

    @classmethod
    def from_model(cls, row: m.AuditEvent) -> ActivityEvent:
        return cls(
            id=to_global_id("ActivityEvent", row.id),
            pk=row.id,
            details=row.details,
            kind=row.kind,
            ip=row.ip,
            user_agent=row.user_agent,
            created_at=row.created_at,
        )

    @strawberry.field(
        description='Selected details in the reader\'s language, as "name: value" pairs, e.g. '
        '"pakiet: HBO" / "package: HBO", "powód: błędny kod weryfikacji dwuetapowej" / '
        '"reason: wrong two-step verification code"; "" when there are none.'
    )
    def summary(self, info: Info) -> str:
        return audit.summary(self.details, info.context.language)

    @strawberry.field(
        description="What the event is about in the reader's language, when it names something: "
        'a payment\'s title, e.g. "Faktury FV/2026/11/0001, FV/2026/11/0002" / "Invoices …".'
    )
    def title(self, info: Info) -> str | None:
        return payments.event_title(self.kind, self.details, info.context.language)


register_model_node("ActivityEvent", m.AuditEvent, ActivityEvent.from_model)
