"""Which rows a customer may see. Every read of customer data starts here, so ownership is
one filter on an indexed ``customer_id`` column (or the row is public catalogue data).

``visible(Model, customer_id)`` is used by ``node``/``nodes`` and by every batch loader:
an ID of another customer's object simply finds nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from backend.clock import now
from backend.models import (
    AuditEvent,
    Channel,
    ContactRequest,
    Contract,
    Device,
    DeviceCommand,
    Invoice,
    InvoiceLine,
    Message,
    Offer,
    Package,
    Payment,
    Purchase,
    Service,
    ServiceUsage,
    Subscription,
    Title,
    Wallet,
    WalletTransaction,
)
from backend.models.enums import ServiceStatus

M = TypeVar("M", bound=Model)

# Owned directly through customer_id.
_DIRECT = (AuditEvent, ContactRequest, Contract, Device, DeviceCommand, Invoice, Payment, Purchase,
           Service, Wallet)  # fmt: skip
# Owned through a parent: the lookup that reaches customer_id.
_THROUGH: dict[type[Model], str] = {
    Subscription: "service__customer_id",
    ServiceUsage: "service__customer_id",
    InvoiceLine: "invoice__customer_id",
    WalletTransaction: "wallet__customer_id",
}
PUBLIC = (Package, Channel, Title)


def message_scope(customer_id: int) -> Q:
    """Messages to this customer and broadcasts (customer null): to everyone, or with a
    ``service_kind`` to customers who have a service of that kind that is not terminated;
    only those published and not expired yet (``expires_at`` null or later than now)."""
    at = now()
    kinds = Service.filter(customer_id=customer_id).exclude(status=ServiceStatus.TERMINATED)
    broadcast = Q(customer_id__isnull=True) & (
        Q(service_kind__isnull=True) | Q(service_kind__in=Subquery(kinds.values("kind")))
    )
    live = Q(published_at__lte=at) & (Q(expires_at__isnull=True) | Q(expires_at__gt=at))
    return (Q(customer_id=customer_id) | broadcast) & live


def offer_scope(customer_id: int | None) -> Q:
    """Offers valid now: general ones, and those prepared for this customer."""
    at = now()
    mine = Q(customer_id__isnull=True)
    if customer_id is not None:
        mine = mine | Q(customer_id=customer_id)
    return mine & Q(valid_from__lte=at, valid_until__gte=at)


def visible(model: type[M], customer_id: int | None) -> QuerySet[M]:
    """The rows of ``model`` that ``customer_id`` (None: a logged-out visitor) may read."""
    query = model.all()
    if model in PUBLIC:
        return query
    if model is Offer:
        return query.filter(offer_scope(customer_id))
    if customer_id is None:
        return query.filter(id__in=[])
    if model is Message:
        return query.filter(message_scope(customer_id))
    if model in _DIRECT:
        return query.filter(customer_id=customer_id)
    lookup = _THROUGH.get(model)
    if lookup is None:
        raise LookupError(f"no ownership rule for {model.__name__}")
    filters: dict[str, Any] = {lookup: customer_id}
    return query.filter(**filters)
