"""``icok serve --workers 2`` and ``/metrics``: the workers count into shared files
(``prometheus_client``'s multiprocess mode, set up by the CLI), so whichever worker answers a
scrape reports every worker's requests; the files go when the server stops."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.checkout import ICOK, free_port
from tests.test_cli import SERVE_TIMEOUT
from tests.test_cli import _env as cli_env
from tests.test_cli import migrated as migrated  # the fixture, re-exported

pytestmark = pytest.mark.real_time  # the server runs in a subprocess on real time

REQUESTS = 30


def _spa_requests(text: str) -> float:
    """``icok_http_requests_total{endpoint="/*", status="2xx"}`` in a scrape."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "icok_http_requests_total" and sample.labels == {
                "endpoint": "/*",
                "status": "2xx",
            }:
                return sample.value
    return 0.0


def _get(url: str) -> httpx.Response:
    """A GET on a new connection (so the kernel hands it to either worker)."""
    with httpx.Client(timeout=30, headers={"Connection": "close"}) as client:
        return client.get(url)


def test_every_worker_reports_every_workers_requests(
    tmp_path: Path, migrated: Callable[[str], None]
) -> None:
    url = f"sqlite://{tmp_path / 'icok.sqlite3'}"
    migrated(url)
    scratch = tmp_path / "tmp"  # where the CLI makes the shared directory
    scratch.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = cli_env(tmp_path, ICOK_DATABASE_URL=url, TMPDIR=str(scratch))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [*ICOK, "serve", "--workers", "2", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
    try:
        deadline = time.monotonic() + SERVE_TIMEOUT
        while True:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                if _get(f"{base}/metrics").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        assert len(list(scratch.iterdir())) == 1  # the shared directory
        for n in range(REQUESTS):
            assert _get(f"{base}/client/route/{n}").status_code == 200
        scrapes = [_spa_requests(_get(f"{base}/metrics").text) for _ in range(8)]
        assert scrapes == [REQUESTS] * 8, scrapes
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert list(scratch.iterdir()) == []  # removed when the server stopped
