"""A dedicated thread pool that admits a bounded amount of work and refuses the rest at once.

CPU-heavy work that must not run on the event loop (bcrypt, zxcvbn) goes to a pool of its own
instead of asyncio's default executor: the default one is unbounded in what it queues and
shared with everything else, so a burst of logins once made every other request wait for
seconds. A :class:`BoundedPool` runs at most ``threads`` jobs at a time and admits at most
``most`` (running or waiting, the caller says how many per call); one more is refused with
its ``busy`` :class:`~backend.services.errors.ErrorCode` before any work, so a flood costs its
senders an immediate "try again" instead of costing everybody a long wait.

A request that does other work before its job (database reads, counting attempts) takes its
place first with :meth:`BoundedPool.admitted` and keeps it for the whole block: it is refused
before that work, and the jobs inside the block use the place it holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from backend.services.errors import DomainError, ErrorCode

T = TypeVar("T")


@dataclass(frozen=True)
class PoolStats:
    """A pool's state at one moment (the figures behind ``/metrics``)."""

    threads: int
    """Worker threads."""
    busy: int
    """Jobs running in a worker thread now."""
    queued: int
    """Admitted and not running: waiting for a thread, or for their request's earlier work."""
    refused_total: int
    """Requests refused (``busy`` error) since the process started, in this process (``/metrics``
    counts every worker's through :func:`on_refused`)."""


def _lower_priority(by: int) -> None:
    """Raise the calling thread's nice value by ``by`` (Linux gives each thread its own; where
    that is not possible the thread keeps the process's priority)."""
    if by and hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
        thread = threading.get_native_id()
        with contextlib.suppress(OSError):
            current = os.getpriority(os.PRIO_PROCESS, thread)
            os.setpriority(os.PRIO_PROCESS, thread, min(19, current + by))


_refusal_listeners: list[Callable[[str], None]] = []


def on_refused(listener: Callable[[str], None]) -> None:
    """Call ``listener(pool name)`` each time any pool refuses a request (after the refusal is
    counted, before ``busy`` is raised; in the refusing task). ``backend.metrics`` counts them
    here into a counter every worker's ``/metrics`` sums; a listener must not raise."""
    if listener not in _refusal_listeners:
        _refusal_listeners.append(listener)


class BoundedPool:
    """``threads`` worker threads named ``name-N``; :meth:`run` and :meth:`admitted` refuse
    with ``DomainError(busy)`` (no field) when ``most`` requests are admitted already.

    ``nice``: the worker threads run that much below the process's CPU priority (Linux), so
    when the cores are contended the event loop (every other request) gets the CPU first."""

    def __init__(self, name: str, threads: int, busy: ErrorCode, *, nice: int = 0) -> None:
        if threads < 1:
            raise ValueError(f"a pool needs at least one thread, got {threads}")
        self.name = name
        self.threads = threads
        self.busy_code = busy
        self._executor = ThreadPoolExecutor(
            max_workers=threads,
            thread_name_prefix=name,
            initializer=_lower_priority,
            initargs=(nice,),
        )
        self._lock = threading.Lock()
        self._admitted = 0
        self._running = 0
        self._refused = 0
        # The task holding a place for its admitted() block: a task it creates inside the block
        # copies the context but is not that task, so it takes a place of its own.
        self._holding: ContextVar[asyncio.Task[Any] | None] = ContextVar(
            f"{name}-holding", default=None
        )

    @property
    def admitted_now(self) -> int:
        """Requests admitted now (running, waiting, or holding a place for their block)."""
        return self._admitted

    def stats(self) -> PoolStats:
        with self._lock:
            return PoolStats(
                threads=self.threads,
                busy=self._running,
                queued=self._admitted - self._running,
                refused_total=self._refused,
            )

    def _admit(self, most: int) -> None:
        with self._lock:
            refused = self._admitted >= most
            if refused:
                self._refused += 1
            else:
                self._admitted += 1
        if refused:
            for listener in _refusal_listeners:
                listener(self.name)
            raise DomainError(self.busy_code)

    def _leave(self) -> None:
        with self._lock:
            self._admitted -= 1

    def _holds_place(self) -> bool:
        """Whether the current task is inside its own :meth:`admitted` block."""
        holder = self._holding.get()
        return holder is not None and holder is asyncio.current_task()

    @asynccontextmanager
    async def admitted(self, most: int) -> AsyncIterator[None]:
        """Hold one place for the block (raise ``busy`` at once when ``most`` are admitted):
        every :meth:`run` inside it uses this place. Nested blocks hold the outer place."""
        if self._holds_place():
            yield
            return
        self._admit(most)
        token = self._holding.set(asyncio.current_task())
        try:
            yield
        finally:
            self._holding.reset(token)
            self._leave()

    def _counted(self, fn: Callable[[], T]) -> T:
        with self._lock:
            self._running += 1
        try:
            return fn()
        finally:
            with self._lock:
                self._running -= 1

    async def run(self, most: int, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in a worker thread, its result or exception. Inside
        :meth:`admitted` it uses the block's place; otherwise it takes one for itself, or raises
        ``busy`` (before any work) when ``most`` requests are admitted.

        A caller that is cancelled while its job runs leaves the job a place until it ends (a
        thread cannot be stopped): the pool never holds more work than it admitted."""
        job = functools.partial(self._counted, functools.partial(fn, *args, **kwargs))
        holding = self._holds_place()
        if not holding:
            self._admit(most)
        try:
            future = self._executor.submit(job)
        except BaseException:
            if not holding:
                self._leave()
            raise
        if not holding:
            future.add_done_callback(self._left)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            if holding and not future.done():  # (the block's place goes with the block)
                with self._lock:
                    self._admitted += 1
                future.add_done_callback(self._left)
            raise

    def _left(self, _job: Future[Any]) -> None:
        self._leave()
