"""The customer domain's DataLoaders (mixed into ``backend.schema.loaders.Loaders``)."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from backend.models import Customer
from backend.schema.dataloader import BaseLoaders, by_key


class CustomerLoaders(BaseLoaders):
    """The customer record."""

    @cached_property
    def customer(self) -> DataLoader[int, Customer]:
        async def fetch(keys: list[int]) -> dict[int, Customer]:
            return {c.id: c for c in await Customer.filter(id__in=[self._cid])}

        return by_key(fetch)
