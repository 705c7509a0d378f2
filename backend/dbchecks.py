"""Enforce CHECK constraints that Tortoise 1.1 records in migration state but never emits.

``CreateModel`` ignores ``Meta.constraints``, so the checks are added by a follow-up migration:
``ALTER TABLE ... ADD CONSTRAINT`` on PostgreSQL, and triggers on SQLite (which cannot add a
CHECK to an existing table).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

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
