"""The PostgreSQL client ICOK uses: Tortoise's asyncpg client, recycling dead pooled connections.

When PostgreSQL ends its backends (a restart, a failover, ``pg_terminate_backend``), the pool's
idle connections are dead before asyncpg has read the server's goodbye: the next statement on
one fails with "cannot switch to state ..." or "connection was closed in the middle of
operation", and Tortoise's client (which translates only statement errors: no reconnect, no
retry) hands that to the request. Here, one such fault costs at most the statements that were
running on the dead connections (the requests in flight):

- a connection fault (:func:`backend.db.is_unavailable`) expires the whole pool
  (``Pool.expire_connections``): the other idle connections, from before the fault, are
  replaced by fresh ones when next acquired instead of each failing a request;
- a statement outside a transaction that met a dead connection is run once more on a fresh one
  when that is safe: the connection was found dead before the statement was sent (asyncpg's
  "cannot switch to state", "connection is closed"), or the statement only reads (``SELECT``);
- a transaction whose ``BEGIN`` met a dead connection begins again on a fresh one (nothing of
  it ran);
- what still fails is raised as Tortoise's ``DBConnectionError`` (from the driver's error), which
  the app answers with 503 (``backend.middleware.DatabaseOutageMiddleware``).

With a timeout (``backend.db.init(wait_seconds=)``; asyncpg's connect ``timeout`` and
``command_timeout``), a wait for the server is bounded: a statement that got no answer within
it, or a request that found no free pooled connection within it (the others stuck in statements
to a server behind a network partition), fails as ``DBConnectionError`` ("did not answer
within ...", the app's 503) and is never run again (a timed-out statement may have reached the
server; reading again would wait as long once more). The pool is expired as for any connection
fault.

A statement inside a transaction is never repeated: the transaction fails (its request is in
flight), and so does its ``COMMIT`` or ``ROLLBACK`` on a dead connection, as ``DBConnectionError``
(a ``COMMIT`` whose answer was lost may have taken effect: it is never sent again). Selected by :func:`backend.db.tortoise_config` as the engine of ``postgres://`` URLs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import (
    NestedTransactionContext,
    PoolConnectionWrapper,
    TransactionalDBClient,
    TransactionContext,
    TransactionContextPooled,
)
from tortoise.connection import get_connections
from tortoise.exceptions import DBConnectionError

from backend.db import describe_error, found_dead, is_unavailable


def _reads_only(args: tuple[Any, ...]) -> bool:
    query = args[0] if args else None
    return isinstance(query, str) and query.lstrip()[:6].upper() == "SELECT"


def _timed_out(exc: BaseException) -> bool:
    """Whether ``exc`` is a wait for the server that ran out (asyncpg's ``command_timeout``, the
    connect ``timeout``, the pool's acquire ``timeout``: all ``TimeoutError``)."""
    return isinstance(exc, TimeoutError)


class RecyclingAsyncpgClient(AsyncpgDBClient):
    @property
    def timeout(self) -> float | None:
        """Seconds: a statement's bound, and a wait for a free pooled connection's (None: none)."""
        timeout = self._root().extra.get("command_timeout")
        return None if timeout is None else float(timeout)

    def _root(self) -> AsyncpgDBClient:
        """The pool's client (a transaction's parent's, however nested)."""
        client: Any = self
        while isinstance(client, TransactionalDBClient):
            client = client._parent
        return cast(AsyncpgDBClient, client)

    def _in_transaction(self) -> TransactionContext:
        return _TransactionContext(_Transaction(self), self._pool_init_lock)

    def acquire_connection(self) -> Any:
        """Tortoise's, waiting at most :attr:`timeout` for a free pooled connection."""
        return _BoundedPoolConnection(self, self._pool_init_lock)

    def _timeout_error(self, exc: BaseException) -> DBConnectionError:
        """``exc`` (a :func:`_timed_out` wait) as the database's unavailability; without the
        server's bound (the CLI's commands) it was asyncpg's own connect timeout."""
        bound = self.timeout
        within = "in time" if bound is None else f"within {bound:g} s"
        return DBConnectionError(f"the database did not answer {within}")

    async def expire_pool(self) -> None:
        """Replace every pooled connection when next acquired (those in use when released)."""
        pool = self._root()._pool
        if pool is not None:
            await pool.expire_connections()

    async def _translate_exceptions(
        self, func: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        """Tortoise's translation, with connection faults handled as the module says."""
        try:
            return await super()._translate_exceptions(func, *args, **kwargs)
        except Exception as exc:
            if _timed_out(exc):
                await self.expire_pool()
                raise self._timeout_error(exc) from exc
            if not is_unavailable(exc):
                raise
            await self.expire_pool()
            in_transaction = isinstance(self, TransactionalDBClient)
            if in_transaction or not (found_dead(exc) or _reads_only(args)):
                raise DBConnectionError(describe_error(exc)) from exc
        try:  # (once, on a fresh connection)
            return await super()._translate_exceptions(func, *args, **kwargs)
        except Exception as exc:
            if _timed_out(exc):
                raise self._timeout_error(exc) from exc
            if not is_unavailable(exc):
                raise
            raise DBConnectionError(describe_error(exc)) from exc


class _BoundedPoolConnection(PoolConnectionWrapper[asyncpg.Connection]):
    """Tortoise's pooled connection for one statement, acquired within the client's timeout
    (a ``TimeoutError`` past it)."""

    client: RecyclingAsyncpgClient

    async def __aenter__(self) -> asyncpg.Connection:
        await self.ensure_connection()
        pool = self.client._pool
        assert pool is not None  # (ensure_connection made it)
        self.connection = await pool.acquire(timeout=self.client.timeout)
        return self.connection


class _Transaction(TransactionWrapper, RecyclingAsyncpgClient):
    """Tortoise's transaction, the faults of its statements, ``COMMIT`` and ``ROLLBACK`` (and
    their savepoint forms) handled by :class:`RecyclingAsyncpgClient` (expire the pool, raise
    ``DBConnectionError``; no retry). Tortoise's raw ``commit``/``rollback`` let asyncpg's
    error out as it came, and a failed rollback hid the statement's ``DBConnectionError``."""

    def _in_transaction(self) -> TransactionContext:
        return NestedTransactionContext(_Transaction(self))

    async def commit(self) -> None:
        """Tortoise's; a connection fault is ``DBConnectionError`` (whether the server
        committed is unknown then: it is never sent again)."""
        await self._translate_exceptions(TransactionWrapper.commit)

    async def rollback(self) -> None:
        """Tortoise's; a connection fault is ``DBConnectionError`` (the server rolls back what a
        dead connection left open)."""
        await self._translate_exceptions(TransactionWrapper.rollback)


class _TransactionContext(TransactionContextPooled):
    """Tortoise's, except that a ``BEGIN`` on a dead connection is tried once more on a fresh
    one, and a transaction that cannot begin gives its connection back to the pool and leaves
    the task's current connection as it was (Tortoise's keeps both)."""

    client: _Transaction

    async def __aenter__(self) -> TransactionalDBClient:
        await self.ensure_connection()
        pool = self.client._parent._pool
        assert pool is not None  # (ensure_connection made it)
        for attempt in (1, 2):
            try:
                self.client._connection = await pool.acquire(timeout=self.client.timeout)
            except TimeoutError as exc:
                await self.client.expire_pool()
                raise self.client._timeout_error(exc) from exc
            self.token = get_connections().set(self.connection_name, self.client)
            try:
                await self.client.begin()
            except Exception as exc:
                get_connections().reset(self.token)
                await _release_quietly(pool, self.client._connection)
                if attempt == 1 and isinstance(exc, DBConnectionError):
                    continue
                raise
            break
        return self.client


async def _release_quietly(pool: asyncpg.Pool, connection: Any) -> None:
    """Give a connection that failed back to the pool (which closes it if it cannot reset it)."""
    try:
        await pool.release(connection)
    except Exception as exc:
        if not is_unavailable(exc):
            raise


client_class = RecyclingAsyncpgClient


class _FloorFaults(logging.Filter):
    """asyncpg's pool keeps ``min_size`` connections open, reconnecting in the background when
    they die; during an outage each of its retries (1 s, 2 s, 4 s ... apart) logs a WARNING with
    a traceback. Such a record whose error is the database's unavailability is dropped: the
    outage is logged once by the requests that meet it (:data:`backend.db.incident`) and by
    ``/readyz`` (:mod:`backend.readiness`), not every few seconds with a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or not str(record.msg).startswith("Failed to restore the pool"):
            return True
        return not is_unavailable(exc)


logging.getLogger("asyncpg.pool").addFilter(_FloorFaults())
