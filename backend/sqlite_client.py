"""The SQLite client ICOK uses: Tortoise's, with writers that wait for each other.

Several processes may write one SQLite file at once: the server (each of its workers) and the
CLI (``icok import``, ``cleanup``, ``operator-key``...). SQLite lets one write at a time, so the
others must wait rather than fail with "database is locked":

- every connection waits up to :data:`BUSY_TIMEOUT_MS` for the write lock (``PRAGMA
  busy_timeout``; a ``?busy_timeout=`` in the database URL overrides it);
- every transaction starts with ``BEGIN IMMEDIATE``, taking the write lock at its start. With
  Tortoise's plain ``BEGIN`` a transaction that read first and then writes while another
  process holds the lock fails at once: SQLite does not wait there, because the other writer's
  commit would make what it read stale. Readers are never blocked (WAL).

Selected by :func:`backend.db.tortoise_config` as the engine of ``sqlite://`` URLs.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.base.client import (
    ConnectionWrapper,
    TransactionalDBClient,
    TransactionContext,
)
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections
from tortoise.exceptions import OperationalError

BUSY_TIMEOUT_MS = 30_000
"""How long a write waits for another process's write to finish, in milliseconds."""


class WaitingSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        kwargs.setdefault("busy_timeout", BUSY_TIMEOUT_MS)
        super().__init__(file_path, **kwargs)

    def _in_transaction(self) -> TransactionContext:
        return _TransactionContext(_ImmediateTransaction(self), self._lock)

    def acquire_connection(self) -> ConnectionWrapper[Any]:
        return _ConnectionWrapper(self._lock, self)


class _ConnectionWrapper(ConnectionWrapper[Any]):
    """Tortoise's, except that a connection that cannot be opened (the file's directory gone:
    "unable to open database file") releases the lock it took: Tortoise's keeps it, and every
    later statement of the process waits for it forever."""

    async def __aenter__(self) -> Any:
        await self._lock.acquire()
        try:
            await self.ensure_connection()
        except BaseException:
            self._lock.release()
            raise
        return self.connection


class _TransactionContext(SqliteTransactionContext):
    """Tortoise's, except that a transaction that cannot begin (the lock was not had in time)
    leaves the connection as it was: Tortoise's keeps the failed transaction as the current
    connection and its lock taken."""

    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            self._trxlock.release()
            raise
        return self.connection


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        """``BEGIN IMMEDIATE``; raises ``OperationalError`` ("database is locked") when another
        process keeps the write lock longer than the busy timeout."""
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise OperationalError(exc) from exc


client_class = WaitingSqliteClient
