"""The catalog domain's DataLoaders (mixed into ``backend.schema.loaders.Loaders``)."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from backend.models import Channel, Package, Title
from backend.schema.dataloader import ALL, BaseLoaders, by_key
from backend.services import catalog


class CatalogLoaders(BaseLoaders):
    """The package catalogue and titles."""

    # The package catalogue (operator-sized, independent of the customer) is read whole, once
    # per request: many paths of a query reach packages and channels at different moments,
    # and per-key batches would split by timing; one cached whole load never does.
    @cached_property
    def package(self) -> DataLoader[int, Package | None]:
        async def fetch(keys: list[int]) -> dict[int, Package]:
            return {p.id: p for p in await self.all_packages.load(ALL)}

        return by_key(fetch)

    @cached_property
    def channels_by_package(self) -> DataLoader[int, list[Channel]]:
        async def fetch(keys: list[int]) -> dict[int, list[Channel]]:
            return await self.all_channels.load(ALL)

        return by_key(fetch, list)

    @cached_property
    def all_channels(self) -> DataLoader[str, dict[int, list[Channel]]]:
        async def fetch(keys: list[str]) -> dict[str, dict[int, list[Channel]]]:
            return {ALL: await catalog.channels_by_package(None)}

        return by_key(fetch, dict)

    @cached_property
    def all_packages(self) -> DataLoader[str, list[Package]]:
        async def fetch(keys: list[str]) -> dict[str, list[Package]]:
            return {ALL: await catalog.packages(sellable_only=False)}

        return by_key(fetch, list)

    @cached_property
    def title(self) -> DataLoader[int, Title | None]:
        return by_key(catalog.titles_by_id)
