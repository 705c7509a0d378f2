"""The batch upsert behind every kind of the operator's feed.

One batch is a list of items of one kind (at most :data:`MAX_BATCH`), each a JSON-like object.
Every item gets its own result: ``created``, ``updated``, ``unchanged`` (what is stored is
already equal: nothing is written, which is what makes a re-run cheap and a crashed import
resumable) or ``rejected`` with its errors. A rejected item never affects the others:

1. each item is read and checked on its own (:class:`backend.services.feed.reader.Reader`);
2. a key met twice in the batch rejects the later items (``DUPLICATE_KEY``);
3. the kind resolves the operator's references in bulk (``UNKNOWN_REFERENCE``, a key or PESEL
   already another object's);
4. the stored rows are read by key in one query and compared;
5. the new and changed items are written in one transaction, with one ``operator_write``
   audit event naming who wrote (the API key's name, or the import file). Should that
   transaction fail (a concurrent writer took a key in between), each item is written again in
   its own transaction, so only the item that collides is rejected (``WRITE_CONFLICT``).

An item is written whole or not at all (an invoice with its lines in one transaction).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from backend.models.enums import AuditKind
from backend.services import audit
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.feed.reader import Reader
from backend.services.request import RequestMeta

MAX_BATCH = 500
"""The most items one call (or one batch of ``icok import``) carries."""

P = TypeVar("P")  # the checked item a kind reads
R = TypeVar("R")  # what is stored for a key


class ItemStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass
class ItemResult:
    """The outcome of the batch's item at ``index`` (0-based), whose key is ``key`` ("" when
    it could not be read). In a dry run the status says what would have happened."""

    index: int
    key: str = ""
    status: ItemStatus = ItemStatus.REJECTED
    errors: list[DomainError] = field(default_factory=list)


@dataclass(frozen=True)
class Writer:
    """Who writes: ``name`` is recorded in the audit trail (``key:<API key name>`` or
    ``import:<file name>``), ``meta`` is the request (``SYSTEM`` for the command line)."""

    name: str
    meta: RequestMeta


class FeedRun:
    """What the batches of one run share: who writes and, in a ``dry_run``, the keys the run
    would have created, so that a later batch may refer to them (a contract to a customer
    created three batches before) although nothing was written."""

    def __init__(self, writer: Writer, *, dry_run: bool = False) -> None:
        self.writer = writer
        self.dry_run = dry_run
        self._would_create: dict[str, set[str]] = defaultdict(set)

    async def ids(
        self, model: type[Model], column: str, keys: Iterable[str], kind: str
    ) -> dict[str, int]:
        """The ids of the stored ``model`` rows whose ``column`` is one of ``keys``, in one
        query; in a dry run the keys of ``kind`` the run would have created map to 0."""
        wanted = sorted(set(keys))
        found: dict[str, int] = {}
        if wanted:
            rows = await model.filter(**{f"{column}__in": wanted}).values_list(column, "id")
            found = {str(key): int(pk) for key, pk in rows}
        if self.dry_run:
            for key in self._would_create[kind].intersection(wanted):
                found.setdefault(key, 0)
        return found

    def created(self, kind: str, keys: Iterable[str]) -> None:
        if self.dry_run:
            self._would_create[kind].update(keys)


class Problems:
    """The errors of a batch's items found after reading, by item index."""

    def __init__(self) -> None:
        self.by_index: dict[int, list[DomainError]] = defaultdict(list)

    def add(self, index: int, code: ErrorCode, field: str | None = None, **params: Any) -> None:
        self.by_index[index].append(DomainError(code, field, params))


class Kind(ABC, Generic[P, R]):
    """One kind of object the operator sends. Subclasses say how an item is read and keyed,
    how its references are resolved, how the stored row is found and compared, and how new
    and changed items are written (in bulk: this runs inside the batch's transaction)."""

    name: ClassVar[str]
    """The type name in ``icok import`` lines (``customer``)."""
    scope: ClassVar[str]
    """The API key scope that may write it (``customers:write``)."""
    key_fields: ClassVar[tuple[str, ...]] = ()
    """The fields the key is made of: a rejected item whose errors are all about other fields
    still reports its key (so the operator knows which object was refused)."""

    @abstractmethod
    def read(self, reader: Reader) -> P:
        """The checked item; problems go to ``reader.errors`` (the item is then rejected)."""

    @abstractmethod
    def key(self, item: P) -> str:
        """The operator's identifier of the item (its customer number, invoice number...)."""

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, P]], problems: Problems
    ) -> None:
        """Resolve the items' references in bulk (default: none); an unresolvable one is a
        problem of its item (``UNKNOWN_REFERENCE``)."""
        return None

    @abstractmethod
    async def stored(self, keys: Sequence[str]) -> Mapping[str, R]:
        """What is stored for ``keys``, by key (absent keys are new)."""

    @abstractmethod
    def differs(self, item: P, row: R) -> bool:
        """True when writing ``item`` would change what is stored as ``row``."""

    @abstractmethod
    async def write(self, new: Sequence[P], changed: Sequence[tuple[P, R]]) -> None:
        """Insert ``new`` and update ``changed`` (called inside a transaction)."""


async def apply_batch(
    kind: Kind[P, R], items: Sequence[Mapping[str, Any]], run: FeedRun
) -> list[ItemResult]:
    """Upsert ``items`` (snake_case objects) of ``kind``; one :class:`ItemResult` per item,
    in order. Raises ``DomainError(TOO_MANY)`` for more than :data:`MAX_BATCH` items (nothing
    is read then)."""
    if len(items) > MAX_BATCH:
        raise DomainError(ErrorCode.TOO_MANY, "items", {"max": MAX_BATCH})
    results = [ItemResult(index=i) for i in range(len(items))]
    valid: list[tuple[int, P]] = []
    first_of: dict[str, int] = {}
    for i, raw in enumerate(items):
        errors = Collector()
        reader = Reader(raw, errors)
        item = kind.read(reader)
        reader.finish()
        if errors.errors:
            results[i].errors = errors.errors
            if kind.key_fields and not any(
                (e.field or "").split(".")[0] in kind.key_fields for e in errors.errors
            ):
                results[i].key = kind.key(item)
            continue
        key = kind.key(item)
        results[i].key = key
        if key in first_of:
            results[i].errors = [
                DomainError(ErrorCode.DUPLICATE_KEY, None, {"key": key, "first": first_of[key]})
            ]
            continue
        first_of[key] = i
        valid.append((i, item))
    problems = Problems()
    await kind.resolve(run, valid, problems)
    for i, errs in problems.by_index.items():
        results[i].errors.extend(errs)
    valid = [(i, item) for i, item in valid if not results[i].errors]
    rows = await kind.stored([results[i].key for i, _ in valid])
    new: list[tuple[int, P]] = []
    changed: list[tuple[int, P, R]] = []
    for i, item in valid:
        row = rows.get(results[i].key)
        if row is None:
            new.append((i, item))
            results[i].status = ItemStatus.CREATED
        elif kind.differs(item, row):
            changed.append((i, item, row))
            results[i].status = ItemStatus.UPDATED
        else:
            results[i].status = ItemStatus.UNCHANGED
    if run.dry_run:
        run.created(kind.name, (results[i].key for i, _ in new))
    elif new or changed:
        await _write(kind, run, new, changed, results)
    return results


async def _write(
    kind: Kind[P, R],
    run: FeedRun,
    new: list[tuple[int, P]],
    changed: list[tuple[int, P, R]],
    results: list[ItemResult],
) -> None:
    try:
        async with in_transaction():
            await kind.write([item for _, item in new], [(item, row) for _, item, row in changed])
            await _audit(kind, run, results)
        return
    except IntegrityError:
        pass
    # Someone else wrote one of these keys in between: item by item (each in its own
    # savepoint), so only that one fails; the written ones commit with their audit event.
    async with in_transaction():
        for i, item in new:
            await _write_one(kind, results[i], [item], [])
        for i, item, row in changed:
            await _write_one(kind, results[i], [], [(item, row)])
        await _audit(kind, run, results)


async def _write_one(
    kind: Kind[P, R], result: ItemResult, new: list[P], changed: list[tuple[P, R]]
) -> None:
    try:
        async with in_transaction():
            await kind.write(new, changed)
    except IntegrityError:
        result.status = ItemStatus.REJECTED
        result.errors = [DomainError(ErrorCode.WRITE_CONFLICT, None, {})]


async def _audit(kind: Kind[Any, Any], run: FeedRun, results: list[ItemResult]) -> None:
    """One ``operator_write`` event per written batch: who wrote, the type, the count of each
    status and the keys of the objects created and updated (what a key changed, findable)."""
    counts = {status.value: 0 for status in ItemStatus}
    written: dict[str, list[str]] = {ItemStatus.CREATED.value: [], ItemStatus.UPDATED.value: []}
    for result in results:
        counts[result.status.value] += 1
        if result.status.value in written:
            written[result.status.value].append(result.key)
    await audit.record(
        AuditKind.OPERATOR_WRITE,
        None,
        run.writer.meta,
        writer=run.writer.name,
        type=kind.name,
        **counts,
        keys=written,
    )
