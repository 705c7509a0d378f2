"""``icok import``: the operator's feed as a JSON Lines file, streamed in batches.

Each line is one object ``{"type": "<kind name>", ...fields}`` with the fields in camelCase, the
same shapes as the operator API (``{"type": "customer", "number": "K-1", "firstName": ...}``).
The file is never read whole: lines are read one at a time (each capped at
:data:`MAX_LINE_BYTES` without reading a longer one into memory), parsed, and kept in a window
of at most ``batch_size`` x :data:`WINDOW_BATCHES` lines (and :data:`WINDOW_BYTES` bytes). When
the window is full its lines are grouped by type and applied in the kinds' dependency order
(``backend.services.feed.kinds``: customers before contracts before services...), each type in
batches of up to ``batch_size`` items, through the same
:func:`backend.services.feed.apply_batch` as the operator API. So a file listing each customer
with its contract, services and invoices one after the other still resolves its references, as
long as a line refers to nothing more than a window further down the file.

Every line gets an outcome: created, updated, unchanged (nothing written: re-running a file,
e.g. after a crash, skips what is already equal) or rejected with its errors. A line is rejected
on its own, before the engine sees it, when it is not blank but cannot be read: longer than
:data:`MAX_LINE_BYTES` (``LINE_TOO_LONG``), not UTF-8 (``INVALID_ENCODING``), containing a NUL
byte (``FORBIDDEN_CHARACTER``), not a JSON object or repeating a field (``INVALID_JSON``),
or without a type (``REQUIRED``) or with an unknown one (``UNKNOWN_TYPE``). Blank lines are
skipped. A field named in another spelling than camelCase (``customer_number``) is an unknown
field (``UNKNOWN_FIELD``, reported with the item's other errors). Error paths are given back in
camelCase (``lines.2.vatRate``). Rejections are reported as they are found: a line the engine
rejects is reported when its window is applied, after unreadable lines found later.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from backend.config import Settings
from backend.i18n import translate
from backend.models.enums import Language
from backend.services.errors import DomainError, ErrorCode
from backend.services.feed import (
    FeedRun,
    ItemResult,
    ItemStatus,
    Kind,
    Writer,
    apply_batch,
    kinds,
)
from backend.services.text import displayable

MAX_LINE_BYTES = 1024 * 1024
"""The longest line accepted, in bytes (without its line end)."""
WINDOW_BATCHES = 10
"""How many batches' worth of lines the window holds before it is applied."""
WINDOW_BYTES = 64 * 1024 * 1024
"""The window is applied once the lines in it reach this many bytes, however few they are."""
_SKIP_CHUNK = 64 * 1024
_UPPER = re.compile(r"[A-Z]")
_AS_SENT = "\x00"  # marks a key kept as sent (keys holding a NUL are kept as sent too)
NO_TYPE = "(no type)"
"""The tally of lines rejected before their type was known."""


@dataclass(frozen=True)
class Rejection:
    """One error of a rejected line (a line with three errors gives three rejections): its
    1-based ``line`` number, ``type`` and ``key`` when known (else ""), the camelCase ``field``
    path or None, the error ``code`` and its English ``message``."""

    line: int
    type: str
    key: str
    field: str | None
    code: str
    message: str

    def as_text(self) -> str:
        """One line for a terminal (control characters made U+FFFD)."""
        parts = (self.type or "-", self.key or "-", self.field or "-")
        where = " ".join(displayable(part) for part in parts)
        return f"line {self.line}: {where}: {self.code}: {displayable(self.message)}"

    def as_json(self) -> str:
        """One JSON Lines record with the fields above (ASCII, escapes for the rest)."""
        return json.dumps(
            {
                "line": self.line,
                "type": self.type,
                "key": self.key,
                "field": self.field,
                "code": self.code,
                "message": self.message,
            }
        )


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class ImportSummary:
    """What a run did: a :class:`Tally` of lines per type (rejected lines of no known type
    under :data:`NO_TYPE`), the number of non-blank ``lines``, the wall time in ``seconds``."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    lines: int = 0
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        return sum(t.rejected for t in self.tallies.values())

    def tally(self, type_name: str) -> Tally:
        return self.tallies.setdefault(type_name, Tally())

    def describe(self, source: str) -> str:
        """The summary ``icok import`` prints: a table of outcomes per type and the speed."""
        rate = self.lines / self.seconds if self.seconds > 0 else 0.0
        head = (
            f"{'Checked' if self.dry_run else 'Imported'} {source}: {self.lines} line(s) in "
            f"{self.seconds:.1f} s ({rate:.0f} lines/s)"
            + (", dry run: nothing was written" if self.dry_run else "")
        )
        width = max([len("type"), *(len(name) for name in self.tallies)])
        rows = [
            head,
            f"{'type':<{width}}  {'created':>8} {'updated':>8} {'unchanged':>9} {'rejected':>8}",
        ]
        for name, t in self.tallies.items():
            if not (t.created or t.updated or t.unchanged or t.rejected):
                continue
            rows.append(
                f"{name:<{width}}  {t.created:>8} {t.updated:>8} {t.unchanged:>9} {t.rejected:>8}"
            )
        return "\n".join(rows)


def snake_case(name: str) -> str:
    """``customerNumber`` -> ``customer_number``."""
    return _UPPER.sub(lambda m: "_" + m.group(0).lower(), name)


def camel_case(name: str) -> str:
    """``customer_number`` -> ``customerNumber``."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_path(path: str | None) -> str | None:
    """An engine error path in the file's spelling: ``lines.2.vat_rate`` -> ``lines.2.vatRate``."""
    if path is None:
        return None
    return ".".join(
        part[len(_AS_SENT) :] if part.startswith(_AS_SENT) else camel_case(part)
        for part in path.split(".")
    )


class _LineError(Exception):
    def __init__(self, code: ErrorCode, field: str | None = None, **params: Any) -> None:
        self.error = DomainError(code, field, params)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name in out:
            raise _LineError(ErrorCode.INVALID_JSON, detail=f"the field {name!r} occurs twice")
        out[name] = value
    return out


@functools.lru_cache(maxsize=4096)
def _snake_name(name: str) -> str | None:
    """The snake_case of a camelCase field name, None for a name in any other spelling."""
    snake = snake_case(name)
    if camel_case(snake) != name or snake.startswith("_") or _AS_SENT in name:
        return None
    return snake


def _snake_keys(value: Any) -> Any:
    """``value`` with every object's keys in snake_case (lists of objects too). A key that is
    not the camelCase form of its snake_case (``customer_number``, ``Number``) is kept as
    :data:`_AS_SENT` + the key, which no kind reads: it is reported as UNKNOWN_FIELD, under its
    own name, with the item's other errors."""
    if isinstance(value, list):
        return [_snake_keys(v) if isinstance(v, dict | list) else v for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for name, inner in value.items():
        snake = _snake_name(name)
        if snake is None:
            out[_AS_SENT + name] = inner
        else:
            out[snake] = _snake_keys(inner) if isinstance(inner, dict | list) else inner
    return out


def read_lines(
    stream: IO[bytes], limit: int = MAX_LINE_BYTES
) -> Iterator[tuple[bytes | None, int]]:
    """Each line of ``stream`` without its line end (``\\n`` or ``\\r\\n``), or None when it is
    longer than ``limit`` bytes (the rest of such a line is skipped in small chunks, never held),
    with the number of bytes it took in the file."""
    while True:
        raw = stream.readline(limit + 2)
        if not raw:
            return
        size = len(raw)
        if not raw.endswith(b"\n") and size == limit + 2:
            while True:
                rest = stream.readline(_SKIP_CHUNK)
                size += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None, size
            continue
        content = raw[:-1] if raw.endswith(b"\n") else raw
        if content.endswith(b"\r"):
            content = content[:-1]
        yield (content if len(content) <= limit else None), size


def parse_line(
    content: bytes | None, names: Mapping[str, object], *, first: bool = False
) -> tuple[str, dict[str, Any]] | None:
    """The type and the snake_case item of one line, None for a blank line. Raises
    :class:`_LineError` (the line is rejected) as the module's docstring lists."""
    if content is None:
        raise _LineError(ErrorCode.LINE_TOO_LONG, None, max=MAX_LINE_BYTES)
    if first and content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]  # a byte-order mark some editors write
    if not content.strip():
        return None
    if b"\x00" in content:
        raise _LineError(ErrorCode.FORBIDDEN_CHARACTER, None, character="U+0000")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _LineError(ErrorCode.INVALID_ENCODING, None, position=exc.start + 1) from None
    try:
        data = json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise _LineError(ErrorCode.INVALID_JSON, None, detail=exc.msg) from None
    except (ValueError, RecursionError):
        raise _LineError(ErrorCode.INVALID_JSON, None, detail="too deep or too large") from None
    return typed_item(data, names)


def typed_item(data: Any, names: Mapping[str, object]) -> tuple[str, dict[str, Any]]:
    """The type and the snake_case item of one object of the file's shape (``{"type": ...,
    ...camelCase fields}``), as a line or the operator API's ``upsertItems`` gives it. Raises
    :class:`_LineError`: INVALID_JSON (not an object), REQUIRED / UNKNOWN_TYPE (its type)."""
    if not isinstance(data, dict):
        raise _LineError(ErrorCode.INVALID_JSON, None, detail=f"{type(data).__name__}, no object")
    data = dict(data)
    type_name = data.pop("type", None)
    if type_name is None:
        raise _LineError(ErrorCode.REQUIRED, "type")
    if not isinstance(type_name, str) or type_name not in names:
        raise _LineError(ErrorCode.UNKNOWN_TYPE, "type", allowed=", ".join(names))
    return type_name, _snake_keys(data)


class Importer:
    """One run of ``icok import``: feed it lines with :meth:`add` and :meth:`finish` it.

    ``report`` receives every :class:`Rejection` as it is found; ``batch_size`` is at most
    ``feed.MAX_BATCH``. ``allowed`` says which kinds may be written (an item of another kind is
    rejected with ``SCOPE_NOT_GRANTED``: the operator API's key scopes); ``outcome``, when given,
    receives every item's line number and :class:`backend.services.feed.ItemResult` (with the
    type) once it is known."""

    def __init__(
        self,
        settings: Settings,
        writer: Writer,
        *,
        dry_run: bool = False,
        batch_size: int = 500,
        report: Callable[[Rejection], None],
        allowed: Callable[[Kind[Any, Any]], bool] | None = None,
        outcome: Callable[[int, str, ItemResult], None] | None = None,
    ) -> None:
        self.kinds: dict[str, Kind[Any, Any]] = kinds(settings)
        self.run = FeedRun(writer, dry_run=dry_run)
        self.batch_size = batch_size
        self.report = report
        self.allowed = allowed
        self.outcome = outcome
        self.summary = ImportSummary(dry_run=dry_run)
        for name in self.kinds:
            self.summary.tally(name)
        self._window: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        self._window_lines = 0
        self._window_bytes = 0
        self._started = time.monotonic()

    async def add(self, number: int, content: bytes | None, size: int) -> None:
        """Take line ``number`` (its ``content`` as :func:`read_lines` gives it)."""
        try:
            parsed = parse_line(content, self.kinds, first=number == 1)
        except _LineError as exc:
            self.summary.lines += 1
            self._reject(number, "", "", [exc.error])
            return
        if parsed is None:
            return
        self.summary.lines += 1
        await self._take(number, *parsed, size)

    async def add_object(self, number: int, data: Any) -> None:
        """Take item ``number`` given as an already parsed object of the file's shape."""
        self.summary.lines += 1
        try:
            type_name, item = typed_item(data, self.kinds)
        except _LineError as exc:
            self._reject(number, "", "", [exc.error])
            return
        await self._take(number, type_name, item, 0)

    async def _take(self, number: int, type_name: str, item: dict[str, Any], size: int) -> None:
        kind = self.kinds[type_name]
        if self.allowed is not None and not self.allowed(kind):
            error = DomainError(ErrorCode.SCOPE_NOT_GRANTED, "type", {"scope": kind.scope})
            self._reject(number, type_name, "", [error])
            return
        self._window[type_name].append((number, item))
        self._window_lines += 1
        self._window_bytes += size
        if (
            self._window_lines >= self.batch_size * WINDOW_BATCHES
            or self._window_bytes >= WINDOW_BYTES
        ):
            await self.flush()

    async def flush(self) -> None:
        """Apply the window: its types in dependency order, each in batches."""
        for name, kind in self.kinds.items():
            entries = self._window.pop(name, [])
            for start in range(0, len(entries), self.batch_size):
                await self._apply(kind, entries[start : start + self.batch_size])
        self._window_lines = 0
        self._window_bytes = 0

    async def finish(self) -> ImportSummary:
        await self.flush()
        self.summary.seconds = time.monotonic() - self._started
        return self.summary

    async def _apply(self, kind: Kind[Any, Any], chunk: list[tuple[int, dict[str, Any]]]) -> None:
        results = await apply_batch(kind, [item for _, item in chunk], self.run)
        tally = self.summary.tally(kind.name)
        for (number, _), result in zip(chunk, results, strict=True):
            if result.status is ItemStatus.REJECTED:
                errors = [
                    DomainError(e.code, e.field, {**e.params, "first": chunk[e.params["first"]][0]})
                    if e.code is ErrorCode.DUPLICATE_KEY and "first" in e.params
                    else e
                    for e in result.errors
                ]
                self._reject(number, kind.name, result.key, errors)
            else:
                setattr(tally, result.status.value, getattr(tally, result.status.value) + 1)
                if self.outcome is not None:
                    self.outcome(number, kind.name, result)

    def _reject(self, number: int, type_name: str, key: str, errors: list[DomainError]) -> None:
        self.summary.tally(type_name or NO_TYPE).rejected += 1
        if self.outcome is not None:
            rejected = ItemResult(index=number, key=key, status=ItemStatus.REJECTED, errors=errors)
            self.outcome(number, type_name, rejected)
        for error in errors:
            self.report(
                Rejection(
                    line=number,
                    type=type_name,
                    key=key,
                    field=camel_path(error.field),
                    code=str(error.code),
                    message=translate(error.code, Language.EN, **error.params),
                )
            )


async def import_stream(
    stream: IO[bytes],
    settings: Settings,
    writer: Writer,
    *,
    dry_run: bool = False,
    batch_size: int = 500,
    report: Callable[[Rejection], None],
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import the JSON Lines of ``stream`` (binary) as the module's docstring says; ``progress``
    is called with the bytes each line took. Returns the run's :class:`ImportSummary`."""
    importer = Importer(settings, writer, dry_run=dry_run, batch_size=batch_size, report=report)
    for number, (content, size) in enumerate(read_lines(stream), start=1):
        await importer.add(number, content, size)
        if progress is not None:
            progress(size)
    return await importer.finish()
