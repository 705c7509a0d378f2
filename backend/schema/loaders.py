"""Per-request DataLoaders: every relation in the customer graph is fetched in one batched query
per level, so a request's statement count depends on the query's shape, not on the data.

Get them with ``loaders(info)``; they live in ``Context.loaders`` for one request only (no
cross-request or cross-customer cache) and every batch goes through ``services.ownership``.

A DataLoader batches the keys asked for in the same event-loop turn, so a loader reached by
two paths of a query that arrive at different moments sends one statement per path: the count
is bounded by the query's shape, never by the data. The package catalogue, reached by many
paths, is read whole once per request so its count is exactly one either way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from backend.models import (
    Channel,
    ContactReply,
    Customer,
    Device,
    DeviceCommand,
    Invoice,
    InvoiceLine,
    Package,
    Payment,
    Purchase,
    Service,
    ServiceUsage,
    Subscription,
    Title,
)
from backend.schema.context import Info
from backend.services import billing, catalog, contact, devices, subscriptions, wallet
from backend.services.ownership import visible

K = TypeVar("K")
V = TypeVar("V")
M = TypeVar("M", bound=Model)

_KEY = "icok.loaders"
ALL = "all"  # the key of loaders that fetch a whole list once per request


def _by_key(
    fetch: Callable[[list[K]], Awaitable[dict[K, V]]], default: Callable[[], Any] = lambda: None
) -> DataLoader[K, Any]:
    async def load(keys: list[K]) -> list[Any]:
        found = await fetch(keys)
        return [found.get(key, default()) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    def __init__(self, customer_id: int | None) -> None:
        self.customer_id = customer_id
        self._objects: dict[type[Model], DataLoader[int, Any]] = {}

    @property
    def _cid(self) -> int:
        # Loaders of customer data are only reached below ``viewer``, which needs a login.
        assert self.customer_id is not None
        return self.customer_id

    def objects(self, model: type[M]) -> DataLoader[int, M | None]:
        """Objects of ``model`` by primary key, only those the customer may see."""
        loader = self._objects.get(model)
        if loader is None:
            customer_id = self.customer_id

            async def fetch(keys: list[int]) -> dict[int, Any]:
                rows = await visible(model, customer_id).filter(id__in=keys)
                return {row.pk: row for row in rows}

            loader = self._objects[model] = _by_key(fetch)
        return loader

    async def many(self, model: type[M], keys: Sequence[int]) -> list[M | None]:
        return list(await self.objects(model).load_many(list(keys)))

    @cached_property
    def customer(self) -> DataLoader[int, Customer]:
        async def fetch(keys: list[int]) -> dict[int, Customer]:
            return {c.id: c for c in await Customer.filter(id__in=[self._cid])}

        return _by_key(fetch)

    @cached_property
    def services_by_contract(self) -> DataLoader[int, list[Service]]:
        return _by_key(lambda ids: subscriptions.services_by_contract(self._cid, ids), list)

    @cached_property
    def subscriptions_by_service(self) -> DataLoader[int, list[Subscription]]:
        return _by_key(lambda ids: subscriptions.subscriptions_by_service(self._cid, ids), list)

    @cached_property
    def devices_by_service(self) -> DataLoader[int, list[Device]]:
        return _by_key(lambda ids: devices.devices_by_service(self._cid, ids), list)

    @cached_property
    def commands_by_device(self) -> DataLoader[int, list[DeviceCommand]]:
        return _by_key(lambda ids: devices.recent_commands_by_device(self._cid, ids), list)

    @cached_property
    def usage_by_service(self) -> DataLoader[int, ServiceUsage | None]:
        return _by_key(lambda ids: subscriptions.current_usage_by_service(self._cid, ids))

    # The package catalogue (operator-sized, independent of the customer) is read whole, once
    # per request: many paths of a query reach packages and channels at different moments,
    # and per-key batches would split by timing; one cached whole load never does.
    @cached_property
    def package(self) -> DataLoader[int, Package | None]:
        async def fetch(keys: list[int]) -> dict[int, Package]:
            return {p.id: p for p in await self.all_packages.load(ALL)}

        return _by_key(fetch)

    @cached_property
    def channels_by_package(self) -> DataLoader[int, list[Channel]]:
        async def fetch(keys: list[int]) -> dict[int, list[Channel]]:
            return await self.all_channels.load(ALL)

        return _by_key(fetch, list)

    @cached_property
    def all_channels(self) -> DataLoader[str, dict[int, list[Channel]]]:
        async def fetch(keys: list[str]) -> dict[str, dict[int, list[Channel]]]:
            return {ALL: await catalog.channels_by_package(None)}

        return _by_key(fetch, dict)

    @cached_property
    def title(self) -> DataLoader[int, Title | None]:
        return _by_key(catalog.titles_by_id)

    @cached_property
    def purchases_by_title(self) -> DataLoader[int, list[Purchase]]:
        return _by_key(lambda ids: wallet.purchases_by_title(self._cid, ids), list)

    @cached_property
    def lines_by_invoice(self) -> DataLoader[int, list[InvoiceLine]]:
        return _by_key(lambda ids: billing.lines_by_invoice(self._cid, ids), list)

    @cached_property
    def invoices_by_payment(self) -> DataLoader[int, list[Invoice]]:
        return _by_key(lambda ids: billing.invoices_by_payment(self._cid, ids), list)

    @cached_property
    def payments_by_invoice(self) -> DataLoader[int, list[Payment]]:
        return _by_key(lambda ids: billing.payments_by_invoice(self._cid, ids), list)

    @cached_property
    def purchase_by_transaction(self) -> DataLoader[int, Purchase | None]:
        return _by_key(lambda ids: wallet.purchase_by_transaction(self._cid, ids))

    @cached_property
    def read_at_by_message(self) -> DataLoader[int, datetime | None]:
        return _by_key(lambda ids: contact.read_at_by_message(self._cid, ids))

    @cached_property
    def replies_by_request(self) -> DataLoader[int, list[ContactReply]]:
        return _by_key(lambda ids: contact.replies_by_request(self._cid, ids), list)

    # Whole-customer lists used by several fields of one request (fetched once).
    @cached_property
    def all_packages(self) -> DataLoader[str, list[Package]]:
        async def fetch(keys: list[str]) -> dict[str, list[Package]]:
            return {ALL: await catalog.packages(sellable_only=False)}

        return _by_key(fetch, list)

    @cached_property
    def customer_services(self) -> DataLoader[int, list[Service]]:
        async def fetch(keys: list[int]) -> dict[int, list[Service]]:
            return {self._cid: await subscriptions.services(self._cid)}

        return _by_key(fetch, list)

    @cached_property
    def customer_subscriptions(self) -> DataLoader[int, list[Subscription]]:
        async def fetch(keys: list[int]) -> dict[int, list[Subscription]]:
            return {self._cid: await subscriptions.customer_subscriptions(self._cid)}

        return _by_key(fetch, list)


def loaders(info: Info) -> Loaders:
    """This request's loaders (created on first use)."""
    found = info.context.loaders.get(_KEY)
    if found is None:
        found = info.context.loaders[_KEY] = Loaders(info.context.customer_id)
    return found
