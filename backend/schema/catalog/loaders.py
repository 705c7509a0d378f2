"""The catalog domain's DataLoaders (mixed into ``backend.schema.loaders.Loaders``)."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from backend.models import Channel, Package, Title
from backend.schema.dataloader import ALL, BaseLoaders, by_key
from backend.services import catalog


class CatalogLoaders(BaseLoaders):
    """The package catalogue and titles."""

    # The catalogue (operator-sized, the same for every customer) comes from the process's
    # cache (``catalog.catalogue``): one token read per request, however many paths reach it.
    @cached_property
    def catalogue(self) -> DataLoader[str, catalog.Catalogue]:
        async def fetch(keys: list[str]) -> dict[str, catalog.Catalogue]:
            return {ALL: await catalog.catalogue()}

        return by_key(fetch)

    @cached_property
    def package(self) -> DataLoader[int, Package | None]:
        async def fetch(keys: list[int]) -> dict[int, Package]:
            return dict((await self.catalogue.load(ALL)).packages_by_id)

        return by_key(fetch)

    @cached_property
    def channel_count(self) -> DataLoader[int, int]:
        async def fetch(keys: list[int]) -> dict[int, int]:
            return dict((await self.catalogue.load(ALL)).channel_counts)

        return by_key(fetch, int)

    @cached_property
    def channels_by_package(self) -> DataLoader[int, list[Channel]]:
        async def fetch(keys: list[int]) -> dict[int, list[Channel]]:
            return dict(await (await self.catalogue.load(ALL)).channels())

        return by_key(fetch, list)

    @cached_property
    def all_packages(self) -> DataLoader[str, list[Package]]:
        async def fetch(keys: list[str]) -> dict[str, list[Package]]:
            return {ALL: list((await self.catalogue.load(ALL)).packages)}

        return by_key(fetch, list)

    @cached_property
    def title(self) -> DataLoader[int, Title | None]:
        async def fetch(keys: list[int]) -> dict[int, Title]:
            return dict((await self.catalogue.load(ALL)).titles_by_id)

        return by_key(fetch)
