"""The activity domain: the audit trail of security-relevant events, recorded here and shown
to the customer as their history (``activity_page``)."""

from __future__ import annotations

from typing import Any

from backend.clock import now
from backend.models import AuditEvent
from backend.models.enums import AuditKind
from backend.services.ownership import visible
from backend.services.paging import Keyset, Page, paginate
from backend.services.request import RequestMeta

ACTIVITY = Keyset("activity", (("created_at", "datetime"), ("id", "int")))


async def record(
    kind: AuditKind, customer_id: int | None, meta: RequestMeta, **details: Any
) -> AuditEvent:
    """Write an event of ``kind`` (``customer_id`` None when no customer is known yet) with the
    client's address and user agent from ``meta``; ``details`` must be JSON-serialisable."""
    return await AuditEvent.create(
        kind=kind,
        customer_id=customer_id,
        ip=meta.ip,
        user_agent=meta.user_agent,
        details=details,
        created_at=now(),
    )


# Details safe to show the customer (never secrets or other people's data).
SHOWN_DETAILS = ("package", "service", "amount", "method", "title", "device", "email", "reason")


def summary(event: AuditEvent) -> str:
    """The details of ``event`` the customer may see, as "key: value" pairs."""
    details = event.details if isinstance(event.details, dict) else {}
    return ", ".join(f"{k}: {details[k]}" for k in SHOWN_DETAILS if k in details)


STAFF_KINDS = frozenset(
    {
        AuditKind.STAFF_LOGIN,
        AuditKind.STAFF_LOGIN_FAILED,
        AuditKind.STAFF_LOCKED,
        AuditKind.STAFF_LOGOUT,
        AuditKind.STAFF_SECOND_FACTOR,
        AuditKind.STAFF_VIEWED,
        AuditKind.STAFF_WRITE,
        AuditKind.STAFF_ACCOUNT,
    }
)
"""The console's events: the staff's own trail, never shown in the customer's history."""


async def activity_page(
    customer_id: int, *, first: int | None = None, after: str | None = None
) -> Page[AuditEvent]:
    """The customer's own events, newest first (without the staff's events about them,
    :data:`STAFF_KINDS`)."""
    query = visible(AuditEvent, customer_id).exclude(kind__in=STAFF_KINDS)
    return await paginate(query, ACTIVITY, first=first, after=after)
