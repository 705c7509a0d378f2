"""What the kinds stored as one row each share: references resolved with some of their columns
(:func:`refs`), and :class:`RowKind`, which finds, compares and writes the row of a key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.models import Model

from backend.services.errors import ErrorCode
from backend.services.feed.engine import FeedRun, Kind, Problems

P = TypeVar("P")
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Ref:
    """A referenced row: its ``id`` and the ``values`` of the columns asked for; ``id`` 0 with
    no values for a row a dry run would have created (nothing is known about it)."""

    id: int
    values: tuple[Any, ...] = ()


async def refs(
    run: FeedRun, model: type[Model], column: str, keys: Iterable[str], kind: str, *columns: str
) -> dict[str, Ref]:
    """The rows of ``model`` whose ``column`` is one of ``keys`` with their ``columns``, by
    key, in one query (a second one in a dry run for the keys not stored: those ``kind`` would
    have created by then map to ``Ref(0)``). Absent keys are unknown references."""
    wanted = sorted(set(keys))
    found: dict[str, Ref] = {}
    if wanted:
        rows = await model.filter(**{f"{column}__in": wanted}).values_list(column, "id", *columns)
        found = {str(row[0]): Ref(int(row[1]), tuple(row[2:])) for row in rows}
    missing = [key for key in wanted if key not in found]
    if run.dry_run and missing:
        for key in await run.ids(model, column, missing, kind):
            found.setdefault(key, Ref(0))
    return found


def unknown(problems: Problems, index: int, field: str, kind: str, key: str) -> None:
    """The item at ``index`` refers by ``field`` to the ``kind`` ``key``, which does not exist."""
    problems.add(index, ErrorCode.UNKNOWN_REFERENCE, field, kind=kind, key=key)


async def update(model: type[Model], rows: Sequence[Model], names: Sequence[str]) -> None:
    """Write the columns ``names`` of ``rows`` (their attributes already set) in one statement."""
    if rows:
        await model.bulk_update(rows, fields=list(names))


class RowKind(Kind[P, M]):
    """A kind stored as one ``model`` row per item, found by ``key_column`` (the item's key,
    unless :meth:`stored` and :meth:`inserted` say otherwise); the item has an attribute for
    each of ``columns``, which are compared and written (one statement for the new rows, one
    for the changed ones)."""

    model: type[M]
    key_column: str
    columns: tuple[str, ...]

    @property
    def key_fields(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.key_column,)

    def key(self, item: P) -> str:
        return str(getattr(item, self.key_column))

    def inserted(self, item: P) -> dict[str, Any]:
        """The columns only a new row gets besides ``columns`` (default: its key)."""
        return {self.key_column: self.key(item)}

    async def stored(self, keys: Sequence[str]) -> Mapping[str, M]:
        rows = await self.model.filter(**{f"{self.key_column}__in": list(keys)})
        return {str(getattr(row, self.key_column)): row for row in rows}

    def differs(self, item: P, row: M) -> bool:
        return any(getattr(row, name) != getattr(item, name) for name in self.columns)

    def values(self, item: P) -> dict[str, Any]:
        return {name: getattr(item, name) for name in self.columns}

    async def write(self, new: Sequence[P], changed: Sequence[tuple[P, M]]) -> None:
        await self.create(new)
        await self.change(changed)

    async def create(self, new: Sequence[P]) -> None:
        if new:
            await self.model.bulk_create(
                [self.model(**self.inserted(item), **self.values(item)) for item in new]
            )

    async def change(self, changed: Sequence[tuple[P, M]]) -> None:
        for item, row in changed:
            for name, value in self.values(item).items():
                setattr(row, name, value)
        await update(self.model, [row for _, row in changed], self.columns)
