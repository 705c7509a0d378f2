"""Batch reads for the GraphQL layer's DataLoaders: the per-domain batch functions take many
parent IDs and run one query, so the number of statements is independent of the number of rows.
These helpers group the rows of such a query by their parent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)


def group(rows: Iterable[Any], key: str) -> dict[Any, list[Any]]:
    """``rows`` grouped by their attribute ``key`` (e.g. ``"service_id"``), order kept."""
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


async def related(query: QuerySet[Any], relation: str, target: QuerySet[M]) -> dict[int, list[M]]:
    """Many-to-many rows for the rows of ``query``, in exactly two statements whatever the
    data (Tortoise's ``prefetch_related`` skips its second query when nothing matched, which
    would make the statement count depend on the data): the pairs through a join, then the
    targets (from ``target``, which applies the ownership rule)."""
    pairs = await query.values_list("id", f"{relation}__id")
    wanted = {right for _, right in pairs if right is not None}
    found = {row.pk: row for row in await target.filter(id__in=sorted(wanted))}
    result: dict[int, list[M]] = defaultdict(list)
    for left, right in pairs:
        if right in found:
            result[left].append(found[right])
    return result
