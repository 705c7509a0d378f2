"""The base of the per-request DataLoaders (``backend.schema.loaders``): batching by key and
objects by primary key through ``services.ownership``.

Each domain package defines its loaders as a mixin of :class:`BaseLoaders` in
``backend/schema/<domain>/loaders.py``; ``backend.schema.loaders`` combines them and is the one
way to reach them (``loaders(info)``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from backend.services.ownership import visible

K = TypeVar("K")
V = TypeVar("V")
M = TypeVar("M", bound=Model)

ALL = "all"  # the key of loaders that fetch a whole list once per request


def by_key(
    fetch: Callable[[list[K]], Awaitable[dict[K, V]]], default: Callable[[], Any] = lambda: None
) -> DataLoader[K, Any]:
    """A DataLoader over ``fetch`` (keys to a dict of the found ones); a missing key loads
    ``default()`` (None, or e.g. ``list`` for relations with no rows)."""

    async def load(keys: list[K]) -> list[Any]:
        found = await fetch(keys)
        return [found.get(key, default()) for key in keys]

    return DataLoader(load_fn=load)


class BaseLoaders:
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

            loader = self._objects[model] = by_key(fetch)
        return loader

    def known(self, rows: Sequence[M]) -> Sequence[M]:
        """Record ``rows`` (read through ``services.ownership`` by another loader) as this
        request's objects by primary key, so that :meth:`objects` does not read them again;
        returns ``rows``."""
        if rows:
            self.objects(type(rows[0])).prime_many({row.pk: row for row in rows})
        return rows

    async def many(self, model: type[M], keys: Sequence[int]) -> list[M | None]:
        return list(await self.objects(model).load_many(list(keys)))
