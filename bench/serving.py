"""A server for a bench: started in a subprocess, ready once ``/healthz`` answers 200, stopped
(terminated, killed after 15 s) when the bench is done with it."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx


@contextlib.contextmanager
def started(
    command: list[str],
    *,
    url: str,
    log: Path,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float = 120,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` (its output to ``log``) and wait up to ``timeout`` seconds for ``url``'s
    ``/healthz``; the process while the block runs. Raises ``SystemExit`` with the log when it
    exits or does not answer in time."""
    process = subprocess.Popen(
        command, cwd=cwd, env=dict(env), stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the server exited:\n{log.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
