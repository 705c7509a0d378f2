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

import uuid
from enum import StrEnum
from typing import Any

from backend.clock import now
from backend.config import Settings
from backend.models import Event, EventDelivery


class EventType(StrEnum):
    """What happened (the ``type`` of an event); see the README for each payload."""

    ACCOUNT_REGISTERED = "account.registered"
    ACCOUNT_CLOSED = "account.closed"
    LOGIN_EMAIL_CHANGED = "account.login_email_changed"
    CONTACT_DATA_CHANGED = "customer.contact_data_changed"
    PACKAGE_ORDERED = "package.ordered"
    PACKAGE_CANCELLED = "package.cancelled"
    TITLE_PURCHASED = "title.purchased"
    DEVICE_COMMAND_REQUESTED = "device_command.requested"
    PAYMENT_SETTLED = "payment.settled"
    CONTACT_REQUEST_CREATED = "contact_request.created"
    CONTACT_REPLY_CREATED = "contact_reply.created"


def new_uid() -> str:
    return f"evt_{uuid.uuid4().hex}"


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
