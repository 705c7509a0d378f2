"""Serve an ASGI app over real HTTP from inside a test: uvicorn on 127.0.0.1, as a task of the
test's own event loop (so the app shares the test's ORM connections and frozen clock), on a
``tests.checkout.free_port()``. For parties that must reach each other over the network (the
PayU emulator posting notifications to the app). Browser tests, which have no event loop of
their own, serve it from a thread instead (:func:`serve_in_thread`)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn

START_DEADLINE = 10.0
"""Seconds a server may take to listen before the test fails (it takes milliseconds)."""


@contextlib.asynccontextmanager
async def serve(app: Any, port: int) -> AsyncIterator[str]:
    """Serve ``app`` on ``port`` (lifespan off: the test owns the database) while the block
    runs; yields its base URL ``http://127.0.0.1:<port>``."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    deadline = asyncio.get_running_loop().time() + START_DEADLINE
    while not server.started:
        if task.done():
            task.result()  # raises what stopped it (e.g. the port was taken meanwhile)
            raise RuntimeError(f"the server on port {port} stopped before it started")
        if asyncio.get_running_loop().time() > deadline:
            task.cancel()
            raise RuntimeError(f"the server on port {port} did not start")
        await asyncio.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextlib.contextmanager
def serve_in_thread(app: Any, port: int) -> Iterator[str]:
    """:func:`serve` in a thread of its own with its own event loop, for a synchronous test;
    yields the base URL."""
    ready = threading.Event()
    stop: asyncio.Event | None = None
    loop: asyncio.AbstractEventLoop | None = None
    failure: list[BaseException] = []

    async def main() -> None:
        nonlocal stop, loop
        stop, loop = asyncio.Event(), asyncio.get_running_loop()
        try:
            async with serve(app, port):
                ready.set()
                await stop.wait()
        except BaseException as exc:
            failure.append(exc)
            ready.set()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    if not ready.wait(START_DEADLINE + 5) or failure:
        raise RuntimeError(f"the server on port {port} did not start: {failure}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        assert loop is not None and stop is not None
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
