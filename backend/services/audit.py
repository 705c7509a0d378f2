"""The activity domain: the audit trail of security-relevant events, recorded here and shown
to the customer as their history (``activity_page``)."""

from __future__ import annotations

from typing import Any

from backend.clock import now
from backend.i18n import MESSAGES, translate
from backend.models import AuditEvent
from backend.models.enums import AuditKind, Language
from backend.services.money import format_money
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


# Details safe to show the customer (never secrets or other people's data), in this order.
SHOWN_DETAILS = (
    "package",
    "service",
    "amount",
    "method",
    "title",
    "device",
    "email",
    "second_factor",
    "reason",
)


def summary(details: Any, language: Language) -> str:
    """The ``details`` of an event (its JSON) the customer may see in words of ``language``, as "name: value"
    pairs joined by ", " (e.g. "urządzenie: Pixel 8, drugi etap: kod zapasowy"): names from
    ``activity.detail.<key>``, a coded value said by ``activity.<key>.<value>`` when there is
    one (a login failure's ``reason``), ``amount`` (grosze) as money, other values (a package
    code, a device's name) as recorded. "" when there is nothing to show."""
    if not isinstance(details, dict):
        return ""
    parts = []
    for key in SHOWN_DETAILS:
        value = details.get(key)
        if value is None or value == "":
            continue
        if key == "amount" and isinstance(value, int):
            shown = format_money(value, language=language)
        else:
            coded = f"activity.{key}.{value}"
            shown = translate(coded, language) if coded in MESSAGES[language] else str(value)
        parts.append(f"{translate(f'activity.detail.{key}', language)}: {shown}")
    return ", ".join(parts)


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
