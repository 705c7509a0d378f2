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


def _client_classes() -> list[type]:
    """The default connection's class and the classes of its transactions (outer and nested),
    whose statements go through their own copies of the execute methods."""
    connection = get_connection("default")
    outer = connection._in_transaction()  # a context object only: nothing is begun
    wrapper = getattr(outer, "connection", None) or outer.client
    nested = wrapper._in_transaction().client
    return list(dict.fromkeys([type(connection), type(wrapper), type(nested)]))


@contextlib.contextmanager
def _watching(seen: Callable[[str, list[Any]], None]) -> Iterator[None]:
    """Calls ``seen(sql, values)`` for every statement sent while the block runs, inside
    transactions too."""
    # Every original is taken before any is replaced: a class inheriting another's method gets
    # its own wrapper of the original, never a wrapper of a wrapper (counted twice).
    found = {
        (cls, name): (getattr(cls, name, None), cls.__dict__.get(name))
        for cls in _client_classes()
        for name in METHODS
    }
    for (cls, name), (original, _) in found.items():
        if original is None:
            continue

        def wrapper(self: Any, query: str, *args: Any, _original: Any = original, **kw: Any) -> Any:
            values = args[0] if args else kw.get("values")
            seen(query, list(values) if isinstance(values, (list, tuple)) else [])
            return _original(self, query, *args, **kw)

        setattr(cls, name, wrapper)
    try:
        yield
    finally:
        for (cls, name), (original, own) in found.items():
            if original is None:
                continue
            if own is None:
                delattr(cls, name)
            else:
                setattr(cls, name, own)


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
