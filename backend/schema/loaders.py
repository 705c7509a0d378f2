"""Per-request DataLoaders: every relation in the customer graph is fetched in one batched query
per level, so a request's statement count depends on the query's shape, not on the data.

Each domain owns its loaders (``backend/schema/<domain>/loaders.py``, a mixin of
``backend.schema.dataloader.BaseLoaders``); :class:`Loaders` combines them. Get them with
``loaders(info)`` only; they live in ``Context.loaders`` for one request (no cross-request or
cross-customer cache) and every batch goes through ``services.ownership``.

A DataLoader batches the keys asked for in the same event-loop turn, so a loader reached by
two paths of a query that arrive at different moments sends one statement per path: the count
is bounded by the query's shape, never by the data. The catalogue (packages, channels,
titles), reached by many paths, comes whole from the process's cache
(``services.catalog.catalogue``): one statement per request once warm, whatever the paths.
"""

from __future__ import annotations

from backend.schema.billing.loaders import BillingLoaders
from backend.schema.catalog.loaders import CatalogLoaders
from backend.schema.contact.loaders import ContactLoaders
from backend.schema.context import Info
from backend.schema.customer.loaders import CustomerLoaders
from backend.schema.dataloader import ALL
from backend.schema.devices.loaders import DeviceLoaders
from backend.schema.subscriptions.loaders import SubscriptionLoaders
from backend.schema.wallet.loaders import WalletLoaders

__all__ = ["ALL", "Loaders", "loaders"]

_KEY = "icok.loaders"


class Loaders(
    CustomerLoaders,
    SubscriptionLoaders,
    DeviceLoaders,
    CatalogLoaders,
    WalletLoaders,
    BillingLoaders,
    ContactLoaders,
):
    """Every domain's loaders for one request."""


def loaders(info: Info) -> Loaders:
    """This request's loaders (created on first use)."""
    found = info.context.loaders.get(_KEY)
    if found is None:
        found = info.context.loaders[_KEY] = Loaders(info.context.customer_id)
    return found
