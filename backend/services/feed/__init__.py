"""The operator's feed: what its billing/CRM system (BSS) sends, keyed by its own
identifiers, through the operator API (``backend.operator``) or ``icok import`` (JSON Lines).

Both hand batches of items to :func:`backend.services.feed.engine.apply_batch` with one of the
kinds below, so a rule about what an item may contain lives in exactly one kind.
"""

from __future__ import annotations

from typing import Any

from backend.config import Settings
from backend.services.feed.billing import InvoicePayments, Invoices, UsageReadings
from backend.services.feed.catalogue import Packages, Titles
from backend.services.feed.contracts import Contracts, Services, ServiceStatuses
from backend.services.feed.customers import Customers
from backend.services.feed.devices import Devices
from backend.services.feed.engine import (
    MAX_BATCH,
    FeedRun,
    ItemResult,
    ItemStatus,
    Kind,
    Writer,
    apply_batch,
)
from backend.services.feed.subscriptions import Subscriptions

__all__ = [
    "MAX_BATCH",
    "FeedRun",
    "ItemResult",
    "ItemStatus",
    "Kind",
    "Writer",
    "apply_batch",
    "kinds",
]


def kinds(settings: Settings) -> dict[str, Kind[Any, Any]]:
    """Every kind by its type name, in the order an import applies them (what is referred to
    before what refers to it)."""
    ordered: list[Kind[Any, Any]] = [Packages(), Titles(), Customers(settings)]
    ordered += [Contracts(), Services(), ServiceStatuses(), Devices(), Subscriptions()]
    ordered += [Invoices(settings), InvoicePayments(settings), UsageReadings()]
    return {kind.name: kind for kind in ordered}
