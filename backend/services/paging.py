"""Keyset (cursor) pagination shared by every list a customer pages through.

A cursor is an opaque, URL-safe token holding the sort key of the last row seen, so the next
page is one indexed range query (``WHERE (key) < (last)``) whatever the page number, and rows
inserted meanwhile neither repeat nor vanish. Bad tokens raise ``INVALID_CURSOR``; page sizes
above :data:`MAX_PAGE_SIZE` raise ``PAGE_SIZE_TOO_LARGE``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from backend.services.errors import DomainError, ErrorCode

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Keyset:
    """The sort of a list, newest first: ``fields`` are (model field, kind) pairs ending with a
    unique column, all descending (all ascending when ``ascending``, e.g. oldest first). A kind
    is ``int``, ``bool``, ``str``, ``date`` or ``datetime``."""

    name: str
    fields: tuple[tuple[str, str], ...]
    ascending: bool = False

    def order_by(self) -> list[str]:
        sign = "" if self.ascending else "-"
        return [f"{sign}{name}" for name, _ in self.fields]

    def cursor(self, row: object) -> str:
        """The opaque cursor of ``row`` (a model row, or any object with the keyset's fields as
        attributes)."""
        values = [_dump(getattr(row, name), kind) for name, kind in self.fields]
        raw = json.dumps([self.name, *values], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def parse(self, cursor: str) -> list[Any]:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if not isinstance(data, list) or data[0] != self.name:
                raise ValueError("cursor of another list")
            raw = data[1:]
            if len(raw) != len(self.fields):
                raise ValueError("wrong length")
            return [_load(v, kind) for v, (_, kind) in zip(raw, self.fields, strict=True)]
        except (ValueError, TypeError, IndexError, binascii.Error, UnicodeDecodeError):
            raise DomainError(ErrorCode.INVALID_CURSOR, "after") from None

    def after(self, cursor: str) -> Q:
        """Rows strictly after ``cursor`` in this order."""
        values = self.parse(cursor)
        names = [name for name, _ in self.fields]
        beyond = "gt" if self.ascending else "lt"
        branches = []
        for i, name in enumerate(names):
            equal = {names[j]: values[j] for j in range(i)}
            branches.append(Q(**equal, **{f"{name}__{beyond}": values[i]}))
        return Q(*branches, join_type=Q.OR)


def _dump(value: Any, kind: str) -> Any:
    if kind in ("date", "datetime"):
        return value.isoformat()
    if kind == "bool":
        return bool(value)
    if kind == "str":
        return str(value)
    return int(value)


def _load(value: Any, kind: str) -> Any:
    if kind == "int" and type(value) is int and -(2**31) <= value < 2**31:
        return value  # (bigger would overflow PostgreSQL's integer columns)
    if kind == "bool" and type(value) is bool:
        return value
    if kind == "str" and isinstance(value, str) and len(value) <= 200:
        return value
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if kind == "datetime" and isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive datetime")
        return parsed
    raise ValueError(f"bad {kind}")


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first > MAX_PAGE_SIZE:
        raise DomainError(ErrorCode.PAGE_SIZE_TOO_LARGE, "first", {"max": MAX_PAGE_SIZE})
    if first < 0:
        raise DomainError(ErrorCode.INVALID, "first")
    return first


@dataclass
class Page(Generic[M]):
    rows: Sequence[M]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total_count: int


async def paginate(
    query: QuerySet[M], keyset: Keyset, *, first: int | None, after: str | None
) -> Page[M]:
    """One page of ``query`` (already filtered to the customer) plus the total count.

    Two statements whatever the page: the count and the page itself (one row more than asked,
    to know whether another page follows).
    """
    size = page_size(first)
    condition = keyset.after(after) if after else None
    total = await query.count()
    page_query = query.filter(condition) if condition is not None else query
    rows = list(await page_query.order_by(*keyset.order_by()).limit(size + 1))
    has_next = len(rows) > size
    rows = rows[:size]
    return Page(rows, [keyset.cursor(r) for r in rows], has_next, after is not None, total)
