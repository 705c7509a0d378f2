"""Relay conventions: global IDs, the ``Node`` interface, and ``node(id:)`` / ``nodes(ids:)``.

A global ID is base64 of ``"Type:pk"``. Each Node type registers how to fetch many of its
objects at once for the current customer (through the per-request loaders, which go through
``services.ownership``), so ``node`` returns null both for unknown IDs and for objects of
another customer: the two cases cannot be told apart.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import strawberry
from tortoise.models import Model

from backend.schema.context import Info
from backend.schema.loaders import loaders
from backend.services.errors import DomainError, ErrorCode

MAX_NODES = 100
MAX_PK = 2**31 - 1  # primary keys are 32-bit integers on PostgreSQL

NodeFetcher = Callable[[Info, list[int]], Awaitable[Sequence[Any | None]]]
_FETCHERS: dict[str, NodeFetcher] = {}


@strawberry.interface(description="An object with a global ID (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description='Global ID: base64 of "Type:id".')


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{pk}".encode()).decode())


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """``(type, pk)`` or None for anything malformed."""
    if not global_id or len(global_id) > 200:
        return None
    try:
        raw = base64.b64decode(global_id.encode(), validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, _, pk = raw.partition(":")
    if not type_name or not pk.isascii() or not pk.isdigit() or len(pk) > 10:
        return None
    if int(pk) > MAX_PK or str(int(pk)) != pk:  # out of the column's range, or not canonical
        return None
    return type_name, int(pk)


def decode_id(global_id: str, *type_names: str, field: str = "id") -> int:
    """The primary key inside ``global_id`` if it names one of ``type_names``.

    For mutation inputs: a malformed ID or an ID of another type raises ``NOT_FOUND`` on
    ``field``, exactly as an ID of another customer's object does in the service layer."""
    parsed = from_global_id(global_id)
    if parsed is None or parsed[0] not in type_names:
        raise DomainError(ErrorCode.NOT_FOUND, field)
    return parsed[1]


def register_node(type_name: str) -> Callable[[NodeFetcher], NodeFetcher]:
    def decorator(fetch: NodeFetcher) -> NodeFetcher:
        _FETCHERS[type_name] = fetch
        return fetch

    return decorator


def register_model_node(type_name: str, model: type[Model], convert: Callable[[Any], Any]) -> None:
    """The usual Node: rows of ``model`` the customer may see (through the per-request
    loaders), each turned into its GraphQL type by ``convert``."""

    async def fetch(info: Info, pks: list[int]) -> list[Any | None]:
        rows = await loaders(info).many(model, pks)
        return [convert(row) if row else None for row in rows]

    _FETCHERS[type_name] = fetch


async def resolve_nodes(info: Info, global_ids: Sequence[str]) -> list[Any | None]:
    """Objects for ``global_ids`` in order (null where unknown, foreign or malformed); one
    batched fetch per type."""
    wanted: dict[str, list[int]] = defaultdict(list)
    parsed = [from_global_id(g) for g in global_ids]
    for item in parsed:
        if item is not None and item[0] in _FETCHERS:
            wanted[item[0]].append(item[1])
    found: dict[tuple[str, int], Any] = {}
    for type_name, pks in wanted.items():
        unique = list(dict.fromkeys(pks))
        for pk, obj in zip(unique, await _FETCHERS[type_name](info, unique), strict=True):
            if obj is not None:
                found[(type_name, pk)] = obj
    return [found.get(item) if item is not None else None for item in parsed]


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global ID; null if it is not yours.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return (await resolve_nodes(info, [id]))[0]

    @strawberry.field(description=f"Objects by global IDs (at most {MAX_NODES}), in order.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        # (more than MAX_NODES IDs: refused before execution, backend.schema.limits)
        return await resolve_nodes(info, ids)
