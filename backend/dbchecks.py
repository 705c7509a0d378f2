"""Enforce CHECK constraints that Tortoise 1.1 records in migration state but never emits.

``CreateModel`` ignores ``Meta.constraints``, so the checks are added by a follow-up migration:
``ALTER TABLE ... ADD CONSTRAINT`` on PostgreSQL, and triggers on SQLite (which cannot add a
CHECK to an existing table).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from tortoise.migrations import operations as ops

Check = tuple[str, str, str]  # (table, constraint name, SQL condition that must hold)


def add_checks(checks: Sequence[Check]) -> Callable[[Any, Any], Awaitable[None]]:
    async def forward(_apps: Any, editor: Any) -> None:
        for table, name, condition in checks:
            if editor.DIALECT == "sqlite":
                new_cond = _qualify(condition, table)
                for event in ("INSERT", "UPDATE"):
                    await editor.client.execute_script(
                        f'CREATE TRIGGER "{name}_{event.lower()}" BEFORE {event} ON "{table}" '
                        f"WHEN NOT ({new_cond}) "
                        f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                    )
            else:
                await editor.client.execute_script(
                    f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" CHECK ({condition})'
                )

    return forward


def drop_checks(checks: Sequence[Check]) -> Callable[[Any, Any], Awaitable[None]]:
    async def backward(_apps: Any, editor: Any) -> None:
        for table, name, _ in checks:
            if editor.DIALECT == "sqlite":
                for event in ("insert", "update"):
                    await editor.client.execute_script(f'DROP TRIGGER IF EXISTS "{name}_{event}"')
            else:
                await editor.client.execute_script(
                    f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"'
                )

    return backward


def _qualify(condition: str, table: str) -> str:
    """Prefix bare column names with NEW. for use inside a trigger (simple conditions only)."""
    out: list[str] = []
    for token in condition.split():
        out.append(f"NEW.{token}" if token.isidentifier() and token.upper() not in _SQL else token)
    return " ".join(out)


_SQL = {"AND", "OR", "NOT", "NULL", "IS", "IN"}


class AlterEnumField(ops.AlterField):
    """An ``AlterField`` that changes only the migration state, for an enum field that gained a
    value: its column (a ``VARCHAR`` wide enough) stays as it is, only the column comment listing
    the values would change. Tortoise 1.1 alters a column on SQLite by rebuilding the table,
    which drops the table's indexes (0004 and 0007 lost ``audit_event``'s that way:
    :func:`restore_indexes` brings them back)."""

    async def database_forward(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def database_backward(self, *args: Any, **kwargs: Any) -> None:
        return None


def restore_indexes(
    indexes: Sequence[tuple[str, Sequence[str]]],
) -> Callable[[Any, Any], Awaitable[None]]:
    """A ``RunPython`` step creating, on SQLite, each ``(table, columns)`` index that a table
    rebuild dropped, under the name Tortoise gives it (``IF NOT EXISTS``: harmless where it
    survived). PostgreSQL never lost them."""

    async def forward(_apps: Any, editor: Any) -> None:
        if editor.DIALECT != "sqlite":
            return
        for table, columns in indexes:
            name = editor._generate_index_name_for_table("idx", table, list(columns))
            quoted = ", ".join(f'"{column}"' for column in columns)
            await editor.client.execute_script(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({quoted})'
            )

    return forward


def add_indexes(
    indexes: Sequence[tuple[str, Sequence[str]]],
) -> Callable[[Any, Any], Awaitable[None]]:
    """A ``RunPython`` step creating each ``(table, columns)`` index on both databases, for a
    table no model declares (a many-to-many ``through`` table), under the name Tortoise would
    give it (``IF NOT EXISTS``)."""

    async def forward(_apps: Any, editor: Any) -> None:
        for table, columns in indexes:
            name = editor._generate_index_name_for_table("idx", table, list(columns))
            quoted = ", ".join(f'"{column}"' for column in columns)
            await editor.client.execute_script(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({quoted})'
            )

    return forward


def drop_indexes(
    indexes: Sequence[tuple[str, Sequence[str]]],
) -> Callable[[Any, Any], Awaitable[None]]:
    """The reverse of :func:`add_indexes`."""

    async def backward(_apps: Any, editor: Any) -> None:
        for table, columns in indexes:
            name = editor._generate_index_name_for_table("idx", table, list(columns))
            await editor.client.execute_script(f'DROP INDEX IF EXISTS "{name}"')

    return backward
