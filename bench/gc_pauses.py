"""Garbage-collection pauses of the dashboard (issue 17 item 6): the SPA's ``Dashboard``
operation sent one at a time to the real server (uvicorn, one process, production mode, as in
``bench/dashboard_tax.py``), with and without ``gc.freeze()`` after start-up
(``backend.app.freeze_start_up_objects``; "without" replaces it by a no-op in the server).

The server records every collection through ``gc.callbacks`` (generation, pause in ms) and
hands them to the bench at ``/bench/gc`` (a route of this bench only). Printed per variant:
latency p50 / p99 / max, collections per generation with their median and longest pause, and
the objects frozen at start-up. The database: SQLite (or ``--database-url``) with the demo
catalogue and ``--customers`` generated customers (``bench/population.py``).

    python bench/gc_pauses.py                    # 1,000 customers, 1,500 requests per variant
    python bench/gc_pauses.py --requests 3000 --rounds 2

Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's backend and tests, not an installed copy

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.dashboard_tax import graphql_body, log_in, prepare, server_env
from bench.population import login_of
from bench.serving import started
from tests.checkout import free_port

GC_PATH = "/bench/gc"
NO_FREEZE = "BENCH_GC_NO_FREEZE"
"""Set (to 1) in the server's environment: start-up objects are not frozen (the "before")."""

_pauses: list[tuple[int, float]] = []
_started = 0.0


def _record(phase: str, info: dict[str, int]) -> None:
    global _started
    if phase == "start":
        _started = time.perf_counter()
    else:
        _pauses.append((info["generation"], (time.perf_counter() - _started) * 1000))


async def gc_report(_: Request) -> Response:
    return JSONResponse({"pauses": _pauses, "frozen": gc.get_freeze_count()})


def gc_app() -> Starlette:
    """The real app (settings from the environment) recording its collections, with
    :data:`GC_PATH` in front of its routes."""
    from backend import app as app_module
    from backend.config import load_settings

    if os.environ.get(NO_FREEZE):
        app_module.freeze_start_up_objects = lambda: None
    gc.callbacks.append(_record)
    app = app_module.create_app(load_settings())
    app.router.routes.insert(0, Route(GC_PATH, gc_report, methods=["GET"]))
    return app


def serve(port: int) -> None:
    import uvicorn

    from backend.config import load_settings
    from backend.logging_setup import logging_config

    uvicorn.run(
        "bench.gc_pauses:gc_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        log_config=logging_config(load_settings().log_format),
        proxy_headers=False,
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(url: str, login: str, requests: int) -> tuple[list[float], dict]:
    headers = {"content-type": "application/json", "x-icok-language": "pl", "origin": url}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        token = await log_in(client, login)
        client.cookies.set("icok_session", token)
        body = graphql_body()
        for _ in range(50):  # warm-up
            await client.post("/graphql", content=body)
        before = len((await client.get(GC_PATH)).json()["pauses"])
        latencies = []
        for _ in range(requests):
            started = time.perf_counter()
            response = await client.post("/graphql", content=body)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or b'"dashboard"' not in response.content:
                raise SystemExit(f"{response.status_code} {response.text[:300]}")
        report = (await client.get(GC_PATH)).json()
    report["pauses"] = report["pauses"][before:]
    return latencies, report


def run_variant(database_url: str, data_dir: Path, freeze: bool, args: argparse.Namespace) -> str:
    port = free_port()
    env = server_env(database_url, data_dir)
    if not freeze:
        env[NO_FREEZE] = "1"
    log = data_dir / f"server-{'freeze' if freeze else 'nofreeze'}.log"
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", str(port)]
    url = f"http://127.0.0.1:{port}"
    with started(command, url=url, log=log, cwd=ROOT, env=env):
        latencies, report = asyncio.run(measure(url, login_of(0), args.requests))
    lines = [
        f"{'with' if freeze else 'without'} gc.freeze() ({report['frozen']:,} objects frozen): "
        f"{len(latencies)} requests, p50 {percentile(latencies, 50):.1f} ms, "
        f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms"
    ]
    for generation in (0, 1, 2):
        pauses = [ms for g, ms in report["pauses"] if g == generation]
        if pauses:
            lines.append(
                f"    generation {generation}: {len(pauses)} collections, median "
                f"{statistics.median(pauses):.2f} ms, longest {max(pauses):.2f} ms"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1000, help="generated (1000)")
    parser.add_argument("--requests", type=int, default=1500, help="per variant (1500)")
    parser.add_argument("--rounds", type=int, default=1, help="without/with pairs (1)")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    with tempfile.TemporaryDirectory(prefix="icok-gc-") as tmp:
        data_dir = Path(tmp)
        database_url = f"sqlite://{data_dir / 'bench.sqlite3'}"
        print(asyncio.run(prepare(database_url, data_dir, args.customers, 0)))
        for _ in range(args.rounds):
            for freeze in (False, True):
                print(run_variant(database_url, data_dir, freeze, args), flush=True)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores)")


if __name__ == "__main__":
    main()
