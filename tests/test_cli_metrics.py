"""``icok serve --workers 2`` and ``/metrics``: the workers count into shared files
(``prometheus_client``'s multiprocess mode, set up by the CLI), so whichever worker answers a
scrape reports every worker's requests; the files go when the server stops."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
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


def _sample(text: str, name: str, **labels: str) -> float:
    """The sample ``name{labels}`` in a scrape (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


@contextlib.contextmanager
def _two_workers(
    tmp_path: Path, migrated: Callable[[str], None], **env_vars: str
) -> Iterator[tuple[str, Path]]:
    """``icok serve --workers 2`` on a migrated SQLite database: its base URL and the scratch
    directory the CLI makes the shared metrics directory in (empty again once it stopped)."""
    url = f"sqlite://{tmp_path / 'icok.sqlite3'}"
    migrated(url)
    scratch = tmp_path / "tmp"  # where the CLI makes the shared directory
    scratch.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = cli_env(tmp_path, ICOK_DATABASE_URL=url, TMPDIR=str(scratch), **env_vars)
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
        yield base, scratch
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert list(scratch.iterdir()) == []  # removed when the server stopped


def test_every_worker_reports_every_workers_requests(
    tmp_path: Path, migrated: Callable[[str], None]
) -> None:
    with _two_workers(tmp_path, migrated) as (base, _):
        for n in range(REQUESTS):
            assert _get(f"{base}/client/route/{n}").status_code == 200
        scrapes = [_spa_requests(_get(f"{base}/metrics").text) for _ in range(8)]
        assert scrapes == [REQUESTS] * 8, scrapes


STRENGTH = "query($p: String!) { passwordStrength(password: $p) { score } }"
FLOOD = 48
"""Strength queries sent at once: far beyond what a worker's scoring queue admits."""


def _strength(base: str, n: int) -> bool:
    """One costly strength query on a new connection: whether it was refused
    PASSWORD_SCORING_BUSY."""
    password = (("abcdefghij"[: 2 + n % 8] + str(n)) * 100)[:100]  # (zxcvbn finds it costly)
    with httpx.Client(timeout=60, headers={"Connection": "close"}) as client:
        body = client.post(
            f"{base}/graphql", json={"query": STRENGTH, "variables": {"p": password}}
        )
    codes = [e["extensions"]["code"] for e in body.json().get("errors", [])]
    assert set(codes) <= {"PASSWORD_SCORING_BUSY"}, body.text
    return bool(codes)


def test_every_worker_reports_every_workers_pool_refusals(
    tmp_path: Path, migrated: Callable[[str], None]
) -> None:
    """The password pools' refusals are a counter in the shared files, not the answering
    worker's own figure: every scrape reports as many as the clients were answered."""
    with _two_workers(tmp_path, migrated, ICOK_RATE_LIMIT_ANONYMOUS="0") as (base, _):
        refused = 0
        for flood in range(5):  # (refusals in both workers are likely after a few floods)
            with ThreadPoolExecutor(FLOOD) as pool:
                refused += sum(
                    pool.map(partial(_strength, base), range(flood * FLOOD, (flood + 1) * FLOOD))
                )
        assert refused > 0
        name = "icok_password_pool_refused_total"
        scrapes = [_sample(_get(f"{base}/metrics").text, name, pool="scoring") for _ in range(8)]
        assert scrapes == [refused] * 8, scrapes
