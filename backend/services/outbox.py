"""The transactional outbox: every action the operator must learn of writes an event in the
same database transaction as the change itself, so there is no event without its change and no
change without its event. Delivery (webhooks, retries) and the operator's pull read from here.

Call :func:`emit` inside the transaction (``in_transaction()``) that makes the change. Each
event has a stable ``uid`` (``evt_`` + 32 hex digits: the ``webhook-id`` of its deliveries and
the ``id`` the operator deduplicates on), a ``type`` (:class:`EventType`), the version of its
payload's shape, the customer it concerns and its JSON payload (documented per type in the
README, "Events for the operator").
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from backend.clock import now
from backend.config import Settings
from backend.models import Event, EventDelivery
from backend.services.errors import DomainError, ErrorCode


class EventType(StrEnum):
    """What happened (the ``type`` of an event); see the README for each payload."""

    ACCOUNT_REGISTERED = "account.registered"
    ACCOUNT_CLOSED = "account.closed"
    LOGIN_EMAIL_CHANGED = "account.login_email_changed"
    CONTACT_DATA_CHANGED = "customer.contact_data_changed"
    PACKAGE_ORDERED = "package.ordered"
    PACKAGE_CANCELLED = "package.cancelled"
    PACKAGE_WITHDRAWN = "package.withdrawn"
    TITLE_PURCHASED = "title.purchased"
    TITLE_REFUNDED = "title.refunded"
    DEVICE_COMMAND_REQUESTED = "device_command.requested"
    PAYMENT_SETTLED = "payment.settled"
    CONTACT_REQUEST_CREATED = "contact_request.created"
    CONTACT_REPLY_CREATED = "contact_reply.created"
    COMPLAINT_CREATED = "complaint.created"
    COMPLAINT_ANSWERED = "complaint.answered"


_UID = re.compile(r"evt_[0-9a-f]{32}")


def new_uid() -> str:
    return f"evt_{uuid.uuid4().hex}"


def is_uid(text: str) -> bool:
    """Whether ``text`` has the form of an event's uid (``evt_`` + 32 lowercase hex digits):
    anything else (too long, other characters) names no event."""
    return _UID.fullmatch(text) is not None


async def emit(
    settings: Settings,
    type: EventType,
    customer_id: int | None,
    payload: dict[str, Any],
    *,
    version: int = 1,
) -> Event:
    """Write an event of ``type`` about ``customer_id`` with ``payload`` (JSON-serialisable,
    the shape of ``version``), and a pending delivery to each configured webhook endpoint
    (``settings.webhook_endpoints``), due at once. Call it inside the change's transaction."""
    at = now()
    event = await Event.create(
        uid=new_uid(),
        type=type.value,
        version=version,
        customer_id=customer_id,
        payload=payload,
        created_at=at,
    )
    if settings.webhook_endpoints:
        await EventDelivery.bulk_create(
            [
                EventDelivery(
                    event_id=event.id,
                    endpoint=endpoint.name,
                    customer_id=customer_id,
                    next_attempt_at=at,
                    created_at=at,
                )
                for endpoint in settings.webhook_endpoints
            ]
        )
    return event


PULL_DEFAULT = 100
PULL_MAX = 500
"""The most events one ``events`` page returns."""
PULL_SETTLE = timedelta(seconds=10)
"""How old an event must be before ``events`` serves it. On PostgreSQL an event's id is taken
when it is written, not when its transaction commits, so an event with a smaller id can become
visible after a newer one: a poller whose cursor had passed it would never see it. Every
transaction that writes an event is short (a customer's request), so waiting this long before
serving an event lets each such transaction end first. Webhooks are not delayed."""


@dataclass(frozen=True)
class EventPage:
    """Events oldest first, each with its customer loaded, and the cursor after the last (the
    cursor given when the page is empty, so a poller keeps its place)."""

    events: list[Event]
    end_cursor: str | None
    has_next_page: bool


def event_cursor(event_id: int) -> str:
    """The opaque cursor after the event ``event_id``."""
    raw = json.dumps(["events", event_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


ID_LIMIT = 2**63
"""Event ids are below this (a 64-bit signed column): a cursor past it is forged."""


def _after_id(cursor: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        data = None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or data[0] != "events"
        or type(data[1]) is not int
        or not 0 <= data[1] < ID_LIMIT
    ):
        raise DomainError(ErrorCode.INVALID_CURSOR, "after")
    return int(data[1])


async def events_after(after: str | None, first: int = PULL_DEFAULT) -> EventPage:
    """Up to ``first`` (1..``PULL_MAX``) events written after the cursor ``after`` (from the
    first event when None), in the order they were written (keyset on the event id), once
    they are :data:`PULL_SETTLE` old. Raises
    ``DomainError``: ``INVALID_CURSOR`` (after), ``PAGE_SIZE_TOO_LARGE`` / ``INVALID`` (first)."""
    if first > PULL_MAX:
        raise DomainError(ErrorCode.PAGE_SIZE_TOO_LARGE, "first", {"max": PULL_MAX})
    if first < 1:
        raise DomainError(ErrorCode.INVALID, "first")
    after_id = _after_id(after) if after is not None else 0
    rows = list(
        await Event.filter(id__gt=after_id, created_at__lte=now() - PULL_SETTLE)
        .order_by("id")
        .limit(first + 1)
        .prefetch_related("customer")
    )
    more = len(rows) > first
    rows = rows[:first]
    end = event_cursor(rows[-1].id) if rows else after
    return EventPage(events=rows, end_cursor=end, has_next_page=more)
