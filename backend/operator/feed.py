"""The operator API's upsert mutations: one per kind of the feed (``backend.services.feed``),
each taking a batch of typed items and answering with a result per item.

A kind's module declares its input type and registers a mutation with :func:`upsert`::

    @strawberry.type
    class Mutation:
        @mutation(description="...", permission_classes=[requires(Scope.CUSTOMERS_WRITE)])
        async def upsert_customers(
            self, info: OperatorInfo, input: UpsertCustomersInput
        ) -> FeedPayload:
            return await upsert(info, "customer", input.items, dry_run=input.dry_run)

The typed items become the same snake_case objects ``icok import`` reads from JSON Lines, so both
are checked by the same kind; errors name fields as the input does (``lines.2.vatRate``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields, is_dataclass, replace
from typing import Any

import strawberry
from strawberry.scalars import JSON

from backend.importer import Importer, camel_path
from backend.operator.context import OperatorInfo
from backend.schema.enums import ItemStatus
from backend.schema.errors import UserError, to_user_errors
from backend.schema.mutation import mutation
from backend.services.errors import DomainError, ErrorCode
from backend.services.feed import (
    MAX_BATCH,
    FeedRun,
    ItemResult,
    Kind,
    apply_batch,
    kinds,
)


@strawberry.type(description="What became of one item of a batch.")
class FeedItemResult:
    index: int = strawberry.field(description="The item's position in the batch, from 0.")
    key: str = strawberry.field(
        description="The item's key (customer number, invoice number...), empty when unreadable."
    )
    status: ItemStatus
    errors: list[UserError] = strawberry.field(
        description="Why the item was rejected (empty otherwise); field paths as in the input."
    )


@strawberry.type(description="The outcome of an upsert: one result per item, in order.")
class FeedPayload:
    results: list[FeedItemResult] = strawberry.field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    dry_run: bool = strawberry.field(
        default=False, description="True when nothing was written (the statuses say what would be)."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Errors about the whole call (e.g. too many items)."
    )


def plain(value: Any) -> Any:
    """A typed input as the plain snake_case object the feed reads (unset and null fields
    left out, nested inputs and lists converted)."""
    if is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if item is not None and item is not strawberry.UNSET:
                out[f.name] = plain(item)
        return out
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


async def upsert(
    info: OperatorInfo, kind_name: str, items: Sequence[Any], *, dry_run: bool
) -> FeedPayload:
    """Apply ``items`` (typed inputs) as one batch of the feed kind ``kind_name``, written by
    the request's API key (audited as ``key:<name>``). Raises ``DomainError(TOO_MANY)`` for a
    batch over ``feed.MAX_BATCH`` (the ``mutation`` decorator makes it the payload's error)."""
    return await apply(info, kinds(info.context.settings)[kind_name], items, dry_run=dry_run)


async def apply(
    info: OperatorInfo, kind: Kind[Any, Any], items: Sequence[Any], *, dry_run: bool
) -> FeedPayload:
    """:func:`upsert` with a ``kind`` that ``icok import`` does not read (e.g. the operator's
    publications, ``backend.services.feed.publications``)."""
    ctx = info.context
    run = FeedRun(ctx.writer, dry_run=dry_run)
    results = await apply_batch(kind, [plain(item) for item in items], run)
    return payload(results, ctx, dry_run=dry_run)


def payload(
    results: Sequence[ItemResult],
    ctx: Any,
    *,
    dry_run: bool,
    paths: Callable[[str | None], str | None] | None = None,
) -> FeedPayload:
    """The payload of ``results``; error paths camel-cased by ``to_user_errors`` or, for items
    whose unknown fields keep their own spelling (``upsertItems``), by ``paths``."""
    counts = {status: 0 for status in ItemStatus}
    out = []
    for result in results:
        counts[result.status] += 1
        errors = [e for err in result.errors for e in to_user_errors(err, ctx.language)]
        if paths is not None:
            for error, source in zip(errors, result.errors, strict=True):
                error.field = paths(source.field)
        out.append(
            FeedItemResult(index=result.index, key=result.key, status=result.status, errors=errors)
        )
    return FeedPayload(
        results=out,
        created=counts[ItemStatus.CREATED],
        updated=counts[ItemStatus.UPDATED],
        unchanged=counts[ItemStatus.UNCHANGED],
        rejected=counts[ItemStatus.REJECTED],
        dry_run=dry_run,
    )


@strawberry.input
class UpsertItemsInput:
    items: list[JSON] = strawberry.field(
        description=(
            "At most 500 objects of any kinds, each as a line of an icok import file: "
            '{"type": "customer", "number": ..., ...} with camelCase fields. They are applied '
            "kind by kind in dependency order (customers before their contracts...)."
        )
    )
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


async def upsert_items(info: OperatorInfo, items: Sequence[Any], *, dry_run: bool) -> FeedPayload:
    """Apply a mixed batch of ``items`` (objects of the import file's shape) as ``icok import``
    would, with the request's key as writer: an item of a kind the key's scopes do not cover is
    rejected alone (``SCOPE_NOT_GRANTED``), as is an object without a known type. Results are in
    the items' order. Raises ``DomainError(TOO_MANY)`` for more than ``MAX_BATCH`` items."""
    if len(items) > MAX_BATCH:
        raise DomainError(ErrorCode.TOO_MANY, "items", {"max": MAX_BATCH})
    ctx = info.context
    results: dict[int, ItemResult] = {}

    def keep(number: int, _type: str, result: ItemResult) -> None:
        results[number] = replace(result, index=number)

    importer = Importer(
        ctx.settings,
        ctx.writer,
        dry_run=dry_run,
        report=lambda _rejection: None,
        allowed=lambda kind: kind.scope in {str(scope) for scope in ctx.key.scopes},
        outcome=keep,
    )
    for index, item in enumerate(items):
        await importer.add_object(index, item)
    await importer.finish()
    ordered = [results[index] for index in range(len(items))]
    return payload(ordered, ctx, dry_run=dry_run, paths=camel_path)


@strawberry.type
class Mutation:
    @mutation(
        description=(
            "Create or update objects of several kinds in one call, each item shaped like a line "
            "of an icok import file; an item of a kind the key's scopes do not cover is "
            "rejected alone (SCOPE_NOT_GRANTED)."
        )
    )
    async def upsert_items(self, info: OperatorInfo, input: UpsertItemsInput) -> FeedPayload:
        return await upsert_items(info, input.items, dry_run=input.dry_run)
