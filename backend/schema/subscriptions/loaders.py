"""The subscriptions domain's DataLoaders (mixed into ``backend.schema.loaders.Loaders``)."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from backend.models import Service, ServiceUsage, Subscription
from backend.schema.dataloader import BaseLoaders, by_key
from backend.services import subscriptions


class SubscriptionLoaders(BaseLoaders):
    """Contracts' services, their subscriptions and usage; the customer's whole lists of services and subscriptions (fetched once per request, used by several fields)."""

    @cached_property
    def services_by_contract(self) -> DataLoader[int, list[Service]]:
        async def fetch(ids: list[int]) -> dict[int, list[Service]]:
            found = await subscriptions.services_by_contract(self._cid, ids)
            for rows in found.values():
                self.known(rows)
            return found

        return by_key(fetch, list)

    @cached_property
    def subscriptions_by_service(self) -> DataLoader[int, list[Subscription]]:
        return by_key(lambda ids: subscriptions.subscriptions_by_service(self._cid, ids), list)

    @cached_property
    def usage_by_service(self) -> DataLoader[int, ServiceUsage | None]:
        return by_key(lambda ids: subscriptions.current_usage_by_service(self._cid, ids))

    @cached_property
    def customer_services(self) -> DataLoader[int, list[Service]]:
        async def fetch(keys: list[int]) -> dict[int, list[Service]]:
            return {self._cid: list(self.known(await subscriptions.services(self._cid)))}

        return by_key(fetch, list)

    @cached_property
    def customer_subscriptions(self) -> DataLoader[int, list[Subscription]]:
        async def fetch(keys: list[int]) -> dict[int, list[Subscription]]:
            return {self._cid: await subscriptions.customer_subscriptions(self._cid)}

        return by_key(fetch, list)
