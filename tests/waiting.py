"""Waiting for a condition that background work (a worker task, a lifespan chore) makes true.

Tests freeze time (``tests/conftest.py``), so they never wait for time to pass: they move the
clock, then wait here until the background task has noticed. The deadline is generous and only a
safety net: it measures real time (``time.monotonic``), which the freeze leaves alone.

``wait_until_sync`` is the same for a server in a subprocess (``live_server``, a CLI worker), whose
clock cannot be moved from the test: the test's thread blocks between polls.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def wait_until(
    condition: Callable[[], Awaitable[object] | object],
    *,
    within: float = 30.0,
    every: float = 0.01,
) -> None:
    """Poll ``condition()`` (a coroutine function, or a plain one for in-process state) every
    ``every`` seconds, letting the other tasks run, until it is truthy.

    Raises ``AssertionError`` when it is still false after ``within`` seconds of real time.
    """

    async def holds() -> object:
        result = condition()
        return await result if inspect.isawaitable(result) else result

    deadline = time.monotonic() + within
    while not await holds():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {within} s: {condition!r}")
        await asyncio.sleep(every)


def wait_until_sync(
    condition: Callable[[], T | None],
    *,
    within: float = 30.0,
    every: float = 0.1,
    what: str | Callable[[], str] = "",
) -> T:
    """Poll ``condition()`` every ``every`` seconds until it is truthy, and return that value.

    Raises ``AssertionError`` when it is still false after ``within`` seconds of real time; its
    message is ``what`` (a callable is called then, to show what had happened), else the condition.
    """
    deadline = time.monotonic() + within
    while not (result := condition()):
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"still not true after {within} s: {said or repr(condition)}")
        time.sleep(every)
    return result
