"""``BoundedPool`` never holds more work than it admitted, even when a caller gives up (its
request task cancelled) while its job still runs in a thread, which cannot be stopped."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from backend.services.bounded_pool import BoundedPool
from backend.services.errors import DomainError, ErrorCode
from tests.waiting import wait_until


async def _gave_up(pool: BoundedPool, caller: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Start ``caller``, wait until its job runs in the pool's one thread, then cancel it."""
    task = asyncio.create_task(caller())
    await wait_until(lambda: pool.stats().busy == 1)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _refused(pool: BoundedPool) -> None:
    with pytest.raises(DomainError) as refused:
        await pool.run(1, int)
    assert refused.value.code is ErrorCode.SERVER_BUSY


@pytest.mark.parametrize("holding", [False, True], ids=["run", "admitted block"])
async def test_a_caller_that_gave_up_leaves_its_place_only_when_its_job_ends(
    holding: bool,
) -> None:
    pool = BoundedPool("icok-test-pool", 1, ErrorCode.SERVER_BUSY)
    release = threading.Event()

    async def caller() -> None:
        if holding:
            async with pool.admitted(1):
                await pool.run(1, release.wait)
        else:
            await pool.run(1, release.wait)

    try:
        await _gave_up(pool, caller)
        assert pool.stats().busy == 1  # (the job still runs)
        assert pool.admitted_now == 1
        await _refused(pool)  # one more would wait behind it, beyond the bound
    finally:
        release.set()
    await wait_until(lambda: pool.admitted_now == 0)
    assert await pool.run(1, int) == 0


async def test_a_task_started_inside_an_admitted_block_takes_a_place_of_its_own() -> None:
    pool = BoundedPool("icok-test-pool", 1, ErrorCode.SERVER_BUSY)
    async with pool.admitted(1):
        assert await pool.run(1, int) == 0  # the block's own work uses its place
        # A task created here copies the context but not the place: one more is refused.
        with pytest.raises(DomainError) as refused:
            await asyncio.create_task(pool.run(1, int))
        assert refused.value.code is ErrorCode.SERVER_BUSY
    assert pool.admitted_now == 0
