"""Counts the SQL statements the ORM sends, by wrapping the connection class's execute methods
(the same on SQLite and PostgreSQL, no server-side statistics needed)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tortoise.connection import get_connection

METHODS = (
    "execute_query",
    "execute_query_dict",
    "execute_query_dict_with_affected",
    "execute_insert",
    "execute_many",
    "execute_script",
)


@dataclass
class Statement:
    sql: str
    values: list[Any]
    """The bound values (``?`` on SQLite, ``$1``… on PostgreSQL), empty when none."""


@contextlib.contextmanager
def _watching(seen: Callable[[str, list[Any]], None]) -> Iterator[None]:
    """Calls ``seen(sql, values)`` for every statement sent while the block runs."""
    client_class = type(get_connection("default"))
    originals: dict[str, Any] = {}
    for name in METHODS:
        original = getattr(client_class, name, None)  # inherited too (backend.sqlite_client)
        if original is None:
            continue
        originals[name] = client_class.__dict__.get(name)

        def wrapper(self: Any, query: str, *args: Any, _original: Any = original, **kw: Any) -> Any:
            values = args[0] if args else kw.get("values")
            seen(query, list(values) if isinstance(values, (list, tuple)) else [])
            return _original(self, query, *args, **kw)

        setattr(client_class, name, wrapper)
    try:
        yield
    finally:
        for name, own in originals.items():
            if own is None:
                delattr(client_class, name)
            else:
                setattr(client_class, name, own)


@contextlib.contextmanager
def count_statements() -> Iterator[list[str]]:
    """Yields a list that collects the text of every statement sent while the block runs."""
    texts: list[str] = []
    with _watching(lambda sql, values: texts.append(sql)):
        yield texts


@contextlib.contextmanager
def record_statements() -> Iterator[list[Statement]]:
    """Like :func:`count_statements`, with each statement's bound values (to ``EXPLAIN`` it)."""
    recorded: list[Statement] = []
    with _watching(lambda sql, values: recorded.append(Statement(sql, values))):
        yield recorded
