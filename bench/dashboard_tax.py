"""The GraphQL tax on the start screen (issue 17): the SPA's real ``Dashboard`` operation through
``/graphql`` against a plain Starlette endpoint (:func:`raw_dashboard`, defined here, never
served by the app itself) that runs the same services, sends the same SQL statements and
returns the identical JSON, with 1,000 and 100,000 generated customers
(``bench/population.py``), on SQLite and on PostgreSQL.

How: a database is migrated and populated (the demo catalogue, then 1,000 generated customers);
the bench logs in as one of them through the SPA's own Captcha and Login documents (its password
checked against the generated bcrypt hash), proves in process that both endpoints return the same
JSON and counts their statements, then starts the real server (uvicorn, one process, production
mode: trusted documents on) with the raw endpoint added to the same app (same middleware, same
process, same database pool) and measures in alternating rounds (ABBA: graphql, raw, raw,
graphql, ...). Each round sends up to ``--latency`` requests one at a time (latency) then up to
``--requests`` more with ``--concurrency`` in flight (throughput), each part cut short after half
of ``--round-seconds`` (a slow server gives fewer samples, not a longer run); the server's CPU
time (user + system, all threads, ``/proc/<pid>/stat``) over the round divided by its requests
is the CPU per request (the app's process only: on PostgreSQL the database server's own work
is not in it, it shows in the latencies). The throughput ratio is given per ABBA pair (median [min–max]); on a
busy machine the ratio of CPU per request is the steadier figure.
Then 99,000 more customers are added, the server restarted, and the rounds repeated. At 100k it
prints the plan of each dashboard statement (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL
``EXPLAIN``) and flags full scans of big tables. Last, the login page's bytes on the wire: the
responses a browser fetches for ``/`` (the HTML, its stylesheet, icon, every module it loads),
with and without ``Accept-Encoding: gzip``. A summary of the headline figures of every database
ends the output.

The bench server turns the request rate limits off (a few hundred requests a second from one
session would be refused), makes the captcha's proof of work cheap (one login) and lets the
session idle for an hour (it outlives the server's restart); everything else is production's.

    python bench/dashboard_tax.py                      # SQLite (+ PostgreSQL if the env says)
    ICOK_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/ python bench/dashboard_tax.py
    python bench/dashboard_tax.py --rounds 16 --latency 300 --requests 600 --round-seconds 30
    python bench/dashboard_tax.py --sizes 1000 --databases sqlite # quick

Figures, not assertions (the identical JSON is asserted before anything is measured).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's backend and tests, not an installed copy

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise import connections

from backend import db
from backend import models as m
from backend.app import create_app, is_background, request_meta, session_token
from backend.config import Settings, load_settings
from backend.models.enums import Language
from backend.services import billing, catalog, contact, sessions, subscriptions
from backend.services.money import decimal_string, format_money
from backend.trusted_documents import CUSTOMER_MANIFEST
from bench.population import PASSWORD, TYPICAL, check_consistent, login_of, populate, seed_catalogue
from bench.serving import started
from tests.api.account_helpers import captcha_fields
from tests.checkout import checkout_env, free_port
from tests.conftest import _pg_admin, _with_database
from tests.statements import Statement, record_statements
from tests.test_cli import PRODUCTION

RAW_PATH = "/bench/raw-dashboard"
"""Where the bench server answers the raw endpoint (added in front of the app's routes)."""
SECRET = "bench-secret-" + "d" * 40
ORIGIN = "http://127.0.0.1"
TICKS = os.sysconf("SC_CLK_TCK")
BIG_TABLE_ROWS = 10_000
"""A table with more rows than this is big: a full scan of it is flagged."""


# --- the raw endpoint -----------------------------------------------------------------------


def _money(minor: int, language: Language) -> dict[str, str]:
    return {
        "amount": decimal_string(minor),
        "currency": "PLN",
        "formatted": format_money(minor, "PLN", language),
    }


def _gid(type_name: str, pk: int) -> str:
    from backend.schema.relay import to_global_id

    return str(to_global_id(type_name, pk))


async def raw_dashboard(request: Request) -> Response:
    """``POST`` → ``{"data": {"viewer": …}}``: what the SPA's Dashboard document answers, built
    by hand from the same services and the same statements in the same order as its resolvers
    (session, customer, unpaid invoices counted and summed, subscriptions, the first unpaid
    invoices, services, the catalogue's token (packages, channel counts and titles from the
    process's cache), unread and urgent messages)."""
    settings: Settings = request.app.state.settings
    await request.body()  # read like GraphQL reads its document (the bench sends one)
    token = session_token(request)
    auth = await sessions.resolve(token, settings, background=is_background(request))
    if auth is None:
        return JSONResponse({"data": {"viewer": None}})
    language = request_meta(request, settings).language
    cid = auth.customer_id
    customer = (await m.Customer.filter(id__in=[cid]))[0]
    unpaid = await billing.unpaid(cid)
    subs = await subscriptions.customer_subscriptions(cid)
    invoices = await billing.unpaid_invoices(cid)
    services = await subscriptions.services(cid)
    cat = await catalog.catalogue()
    titles = cat.titles_on_sale(featured_only=True, limit=catalog.FEATURED_TITLES)
    unread = await contact.unread_count(cid)
    urgent = await contact.urgent_unread(cid)
    active, available = subscriptions.tv_packages(services, subs, cat.packages)
    by_id = cat.packages_by_id
    tv_services = {s.id: s for s in services}
    charge = billing.next_charge(subs)
    dashboard = {
        "upcomingPayments": {
            "totalDue": _money(unpaid.total, language),
            "overdueCount": unpaid.overdue_count,
            "unpaidCount": unpaid.count,
            "invoices": [
                {
                    "id": _gid("Invoice", i.id),
                    "number": i.number,
                    "dueOn": i.due_on.isoformat(),
                    "overdue": billing.is_overdue(i),
                    "gross": _money(i.gross, language),
                }
                for i in invoices
            ],
            "nextCharge": None
            if charge is None
            else {
                "issuedOn": charge.issued_on.isoformat(),
                "dueOn": charge.due_on.isoformat(),
                "amount": _money(charge.amount, language),
            },
        },
        "tvPackages": [
            {
                "id": _gid("PackageSubscription", s.id),
                "startsOn": s.starts_on.isoformat(),
                "state": subscriptions.subscription_state(s).name,
                "package": {
                    "id": _gid("Package", s.package_id),
                    "name": by_id[s.package_id].name,
                    "kind": by_id[s.package_id].kind.name,
                },
                "service": {
                    "id": _gid("Service", s.service_id),
                    "identifier": tv_services[s.service_id].identifier,
                    "kind": tv_services[s.service_id].kind.name,
                },
            }
            for s in active
        ],
        "availableTvPackages": [
            {
                "id": _gid("Package", p.id),
                "name": p.name,
                "channelCount": cat.channel_count(p.id),
                "monthlyPrice": _money(p.monthly_price, language),
            }
            for p in available
        ],
        "featuredTitles": [
            {
                "id": _gid("Title", t.id),
                "kind": t.kind.name,
                "name": t.name,
                "genre": t.genre,
                "year": t.year,
                "price": _money(t.price, language),
            }
            for t in titles
        ],
        "unreadMessageCount": unread,
        "urgentMessages": [{"id": _gid("Message", u.id), "subject": u.subject} for u in urgent],
    }
    viewer = {"profile": {"firstName": customer.first_name}, "dashboard": dashboard}
    return JSONResponse({"data": {"viewer": viewer}})


def bench_app() -> Starlette:
    """The real app (settings from the environment, like ``icok serve``) with :data:`RAW_PATH`
    in front of its routes: the same middleware, process and database pool for both."""
    app = create_app(load_settings())
    app.router.routes.insert(0, Route(RAW_PATH, raw_dashboard, methods=["POST"]))
    return app


# --- documents --------------------------------------------------------------------------------


def spa_document(operation: str) -> str:
    """The SPA's registered document whose operation is ``operation`` (exact text)."""
    manifest: dict[str, str] = json.loads(CUSTOMER_MANIFEST.read_text())
    pattern = re.compile(rf"\b(query|mutation)\s+{operation}\b")
    found = [text for text in manifest.values() if pattern.search(text)]
    if len(found) != 1:
        raise SystemExit(f"{len(found)} documents named {operation} in {CUSTOMER_MANIFEST}")
    return found[0]


DASHBOARD = spa_document("Dashboard")


def graphql_body() -> bytes:
    return json.dumps({"query": DASHBOARD, "variables": {}}).encode()


RAW_BODY = b"{}"


# --- the server -----------------------------------------------------------------------------


def server_env(database_url: str, data_dir: Path) -> dict[str, str]:
    return {
        **checkout_env({k: v for k, v in os.environ.items() if not k.startswith("ICOK_")}),
        **PRODUCTION,
        "ICOK_SECRET_KEY": SECRET,
        "ICOK_DATA_DIR": str(data_dir),
        "ICOK_DATABASE_URL": database_url,
        "ICOK_RATE_LIMIT_SESSION": "0",
        "ICOK_RATE_LIMIT_ANONYMOUS": "0",
        "ICOK_SESSION_IDLE_SECONDS": "3600",
        "ICOK_CAPTCHA_PROOF_MAX_NUMBER": "2000",
    }


def settings_for(database_url: str, data_dir: Path) -> Settings:
    """The bench server's settings, as its process reads them (the password hash depends on
    the secret key)."""
    return load_settings(server_env(database_url, data_dir))


@dataclass
class Server:
    url: str
    pid: int


@contextlib.contextmanager
def serving(database_url: str, data_dir: Path) -> Iterator[Server]:
    """:func:`serve` in a subprocess on a free port, stopped afterwards."""
    port = free_port()
    env = server_env(database_url, data_dir)  # (the base URL stays https://; Origin: the host)
    log = data_dir / "server.log"
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", str(port)]
    url = f"{ORIGIN}:{port}"
    with started(command, url=url, log=log, cwd=ROOT, env=env) as process:
        yield Server(url, process.pid)


def serve(port: int) -> None:
    """uvicorn with :func:`bench_app` on ``port``, as ``icok serve`` runs the app (one process,
    log level info with the app's logging configuration, no proxy headers)."""
    import uvicorn

    from backend.logging_setup import logging_config

    uvicorn.run(
        "bench.dashboard_tax:bench_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        log_level="info",
        log_config=logging_config(load_settings().log_format),
        access_log=False,  # (the app writes the access line, as under icok serve)
        proxy_headers=False,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def log_in(client: httpx.AsyncClient, login: str) -> str:
    """Log in through the SPA's Captcha and Login documents; returns the session token."""
    captcha = await client.post("/graphql", json={"query": spa_document("Captcha")})
    fields = captcha_fields(captcha.json()["data"]["captcha"])
    variables = {"input": {"login": login, "password": PASSWORD, **fields}}
    answered = await client.post(
        "/graphql", json={"query": spa_document("Login"), "variables": variables}
    )
    payload = answered.json()["data"]["login"]
    if payload.get("errors"):
        raise SystemExit(f"login as {login} failed: {payload['errors']}")
    token = client.cookies.get("icok_session")
    if not token:
        raise SystemExit(f"login as {login} set no session cookie: {answered.text}")
    return token


# --- proof: identical JSON, statements --------------------------------------------------------


@dataclass
class Proof:
    graphql_statements: list[Statement]
    raw_statements: list[Statement]
    body_bytes: int
    full_scans: str = "not checked"
    """The statements with a full scan of a big table (their tables), or "none"."""


async def prove(database_url: str, data_dir: Path, token: str) -> Proof:
    """In this process (ORM initialised): both endpoints through the ASGI app give the same JSON
    and the same statements. Raises ``SystemExit`` when they differ."""
    settings = settings_for(database_url, data_dir)
    app = create_app(settings, manage_database=False)
    app.router.routes.insert(0, Route(RAW_PATH, raw_dashboard, methods=["POST"]))
    transport = httpx.ASGITransport(app=app)
    headers = {"content-type": "application/json", "x-icok-language": "pl"}
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN, headers=headers) as client:
        client.cookies.set("icok_session", token)
        for language in ("pl", "en"):
            client.headers["x-icok-language"] = language
            graphql = await client.post("/graphql", content=graphql_body())
            raw = await client.post(RAW_PATH, content=RAW_BODY)
            compare(graphql, raw)
        client.headers["x-icok-language"] = "pl"
        with record_statements() as by_graphql:
            graphql = await client.post("/graphql", content=graphql_body())
        with record_statements() as by_raw:
            raw = await client.post(RAW_PATH, content=RAW_BODY)
    compare(graphql, raw)
    key = sorted
    if key(s.sql for s in by_graphql) != key(s.sql for s in by_raw):
        raise SystemExit(
            "the raw endpoint's statements differ:\n"
            + "\n".join(f"G {s.sql}" for s in by_graphql)
            + "\n"
            + "\n".join(f"R {s.sql}" for s in by_raw)
        )
    return Proof(by_graphql, by_raw, len(graphql.content))


def compare(graphql: httpx.Response, raw: httpx.Response) -> None:
    a, b = graphql.json(), raw.json()
    if "errors" in a or a != b:
        raise SystemExit(
            "the raw endpoint's JSON differs:\n"
            f"graphql: {json.dumps(a, ensure_ascii=False)}\n"
            f"raw:     {json.dumps(b, ensure_ascii=False)}"
        )
    viewer = a["data"]["viewer"]
    if viewer is None or not viewer["dashboard"]["tvPackages"]:
        raise SystemExit(f"the dashboard is empty (not logged in?): {a}")


# --- EXPLAIN ----------------------------------------------------------------------------------


async def explain(statements: list[Statement]) -> list[tuple[str, list[str], list[str]]]:
    """Each distinct statement's plan lines and the big tables it scans fully (SQLite:
    ``SCAN <table>``, with or without an index, whose every entry it reads; PostgreSQL:
    ``Seq Scan on <table>``)."""
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    sizes: dict[str, int] = {}
    for table in await _tables(conn, postgres):
        _, rows = await conn.execute_query(f'SELECT COUNT(*) AS n FROM "{table}"')
        sizes[table] = int(rows[0]["n"])
    big = {t for t, n in sizes.items() if n > BIG_TABLE_ROWS}
    done: set[str] = set()
    result = []
    for s in statements:
        if s.sql in done:
            continue
        done.add(s.sql)
        if postgres:
            _, rows = await conn.execute_query(f"EXPLAIN {s.sql}", s.values)
            lines = [r["QUERY PLAN"] for r in rows]
            pattern = r"Seq Scan on (\w+)"  # (also "Parallel Seq Scan on")
        else:
            _, rows = await conn.execute_query(f"EXPLAIN QUERY PLAN {s.sql}", s.values)
            lines = [r["detail"] for r in rows]
            # SCAN reads every row (in an index's order with USING [COVERING] INDEX: a whole
            # index); SEARCH is a lookup
            pattern = r"^SCAN (\w+)"
        found = (re.search(pattern, line) for line in lines)
        scans = list(dict.fromkeys(f.group(1) for f in found if f and f.group(1) in big))
        result.append((s.sql, lines, scans))
    return result


def short(sql: str) -> str:
    """``sql`` with its column list elided and long IN lists cut, for the plan listing."""
    sql = re.sub(r"^SELECT .+? FROM ", "SELECT … FROM ", sql, count=1)
    sql = re.sub(r"\((?:\?|\$\d+)(?:,(?:\?|\$\d+)){3,}\)", "(…)", sql)
    return sql if len(sql) <= 400 else sql[:400] + " …"


async def _tables(conn: Any, postgres: bool) -> list[str]:
    if postgres:
        sql = "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    _, rows = await conn.execute_query(sql)
    return [r["name"] for r in rows]


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Round:
    target: str
    latencies_ms: list[float]
    rps: float
    cpu_ms: float
    """Server CPU per request over the whole round (latency and throughput parts)."""
    concurrent: int
    """Requests sent in the throughput part."""


@dataclass
class Results:
    rounds: list[Round] = field(default_factory=list)

    def of(self, target: str) -> list[Round]:
        return [r for r in self.rounds if r.target == target]


async def one_round(
    server: Server, token: str, target: str, args: argparse.Namespace, scale: float = 1.0
) -> Round:
    """One round against ``target`` (``graphql`` or ``raw``): up to ``args.latency`` requests
    one at a time, then up to ``args.requests`` with ``args.concurrency`` in flight, each part
    stopping early after half of ``args.round_seconds`` (so a slow server bounds the run time,
    with fewer samples); ``scale`` shrinks the counts (warm-up)."""
    path, body = ("/graphql", graphql_body()) if target == "graphql" else (RAW_PATH, RAW_BODY)
    headers = {"content-type": "application/json", "x-icok-language": "pl", "origin": server.url}
    concurrency = args.concurrency
    budget = args.round_seconds / 2
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=server.url, headers=headers, limits=limits, timeout=60
    ) as client:
        client.cookies.set("icok_session", token)

        async def send() -> float:
            started = time.perf_counter()
            response = await client.post(path, content=body)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or b'"dashboard"' not in response.content:
                raise SystemExit(f"{target}: {response.status_code} {response.text[:300]}")
            return elapsed

        await asyncio.gather(*(send() for _ in range(concurrency)))  # connections open
        cpu0 = cpu_seconds(server.pid)
        latencies: list[float] = []
        deadline = time.perf_counter() + budget
        while len(latencies) < max(5, int(args.latency * scale)):
            latencies.append(await send())
            if time.perf_counter() > deadline and len(latencies) >= 5:
                break
        remaining = max(concurrency, int(args.requests * scale))
        done = 0
        started = time.perf_counter()
        deadline = started + budget

        async def worker() -> None:
            nonlocal remaining, done
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                await send()
                done += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
        cpu = cpu_seconds(server.pid) - cpu0
    return Round(target, latencies, done / wall, cpu * 1000 / (len(latencies) + done), done)


def order(rounds: int) -> list[str]:
    """ABBA: graphql, raw, raw, graphql, graphql, raw, ..."""
    pattern = ["graphql", "raw", "raw", "graphql"]
    return [pattern[n % 4] for n in range(rounds)]


async def measure(server: Server, token: str, args: argparse.Namespace) -> Results:
    results = Results()
    for n in range(args.warmup):  # the server's caches, the database's pages
        await one_round(server, token, order(2)[n % 2], args, scale=0.3)
    for target in order(args.rounds):
        results.rounds.append(await one_round(server, token, target, args))
    return results


# --- figures ------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def spread(values: list[float], digits: int = 2) -> str:
    """The median and [min–max] of ``values``."""
    f = f".{digits}f"
    return f"{statistics.median(values):{f}} [{min(values):{f}}–{max(values):{f}}]"


def pair_ratios(results: Results) -> list[float]:
    """GraphQL/raw throughput per adjacent pair of rounds (ABBA: each pair is one of each)."""
    ratios = []
    rounds = results.rounds
    for a, b in zip(rounds[0::2], rounds[1::2], strict=False):
        g, r = (a, b) if a.target == "graphql" else (b, a)
        ratios.append(g.rps / r.rps)
    return ratios


SUMMARY: list[str] = []
"""The headline figures of every database, printed again at the end."""


def report(size: int, results: Results, load: float, concurrency: int) -> dict[str, float]:
    """Prints one size's figures; returns the headline ones."""
    sequential = statistics.median(len(r.latencies_ms) for r in results.rounds)
    concurrent = statistics.median(r.concurrent for r in results.rounds)
    print(
        f"  {size:,} customers: {len(results.rounds)} rounds ABBA, each {sequential:.0f} requests"
        f" one at a time + {concurrent:.0f} at concurrency {concurrency} (medians);"
        f" load average {load:.1f}"
    )
    summary: dict[str, float] = {}
    for target in ("graphql", "raw"):
        rounds = results.of(target)
        p50 = [percentile(r.latencies_ms, 50) for r in rounds]
        p99 = [percentile(r.latencies_ms, 99) for r in rounds]
        pooled = [x for r in rounds for x in r.latencies_ms]
        summary[f"{target}_p50"] = percentile(pooled, 50)
        summary[f"{target}_p99"] = percentile(pooled, 99)
        print(
            f"    {target:<8} {spread([r.rps for r in rounds], 1):>22} req/s"
            f"   CPU/request {spread([r.cpu_ms for r in rounds], 1):>20} ms"
            f"   p50 {spread(p50, 1):>20} ms   p99 {spread(p99, 1):>22} ms"
        )
    ratios = pair_ratios(results)
    summary["ratio"] = statistics.median(ratios)
    summary["ratio_min"], summary["ratio_max"] = min(ratios), max(ratios)
    print(f"    throughput GraphQL/raw {spread(ratios)} (median [min–max] of {len(ratios)} pairs)")
    cpu = {t: statistics.median(r.cpu_ms for r in results.of(t)) for t in ("graphql", "raw")}
    summary["graphql_cpu"], summary["raw_cpu"] = cpu["graphql"], cpu["raw"]
    summary["cpu_ratio"] = cpu["raw"] / cpu["graphql"]
    print(
        f"    CPU per request raw/GraphQL {summary['cpu_ratio']:.2f} (the throughput ratio a "
        "saturated server would show; steadier than wall-clock throughput on a busy machine)"
    )
    print(
        f"    dashboard p99/p50 (GraphQL, all rounds' latencies): "
        f"{summary['graphql_p99'] / summary['graphql_p50']:.2f}"
        f" (raw {summary['raw_p99'] / summary['raw_p50']:.2f})"
    )
    return summary


# --- login page bytes -------------------------------------------------------------------------


async def login_page_bytes(server: Server) -> None:
    """The responses a browser fetches for the login page (``/``: the HTML, what it links,
    every module imported statically or by a constant dynamic import, stylesheets' urls)."""
    for encoding in ("gzip", "identity"):
        headers = {"accept-encoding": encoding}
        seen: set[str] = set()
        queue = ["/"]
        body_total = header_total = 0
        async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
            while queue:
                path = queue.pop(0)
                if path in seen:
                    continue
                seen.add(path)
                async with client.stream("GET", path) as response:
                    raw = b"".join([chunk async for chunk in response.aiter_raw()])
                    header_total += sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
                    body_total += len(raw)
                    if response.status_code != 200:
                        raise SystemExit(f"GET {path}: {response.status_code}")
                    if response.headers.get("content-encoding") == "gzip":
                        raw = gzip.decompress(raw)
                    text = raw.decode("utf-8", "replace")
                queue += [p for p in referenced(path, text) if p not in seen]
        line = (
            f"login page, Accept-Encoding: {encoding}: {len(seen)} responses, "
            f"{(body_total + header_total) / 1024:.1f} KiB on the wire "
            f"({body_total / 1024:.1f} KiB bodies + {header_total / 1024:.1f} KiB headers)"
        )
        print(f"  {line}")
        if line not in SUMMARY:  # (the same static files for every database)
            SUMMARY.append(line)


def referenced(path: str, text: str) -> list[str]:
    """Same-site paths ``text`` (fetched from ``path``) makes a browser fetch."""
    found: list[str] = []
    if path == "/" or path.endswith(".html"):
        found += re.findall(r'<(?:script|link)[^>]*?(?:src|href)="([^"]+)"', text)
    elif path.endswith(".js"):
        # import/export ... from '...'; import '...' (statements at the start of a line)
        clause = r"""^[ \t]*(?:import|export)\s+[\w\s{},*$]*?\bfrom\s*['"]([^'"]+)['"]"""
        found += re.findall(clause, text, re.MULTILINE)
        found += re.findall(r"""^[ \t]*import\s*['"]([^'"]+)['"]""", text, re.MULTILINE)
        found += re.findall(r"""import\(\s*['"]([^'"]+)['"]\s*\)""", text)
        for name in re.findall(r"import\(\s*([A-Z_][A-Z0-9_]*)\s*\)", text):
            constant = re.search(rf"""\b{name}\s*=\s*['"]([^'"]+)['"]""", text)
            if constant:
                found.append(constant.group(1))
    elif path.endswith(".css"):
        found += re.findall(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""", text)
    paths = []
    for ref in found:
        if ref.startswith(("data:", "http:", "https:", "//")):
            continue
        paths.append(urlsplit(urljoin(f"http://x{path}", ref)).path)
    return paths


# --- one database -------------------------------------------------------------------------------


async def prepare(database_url: str, data_dir: Path, count: int, start: int) -> str:
    """Migrate (first time), populate; returns a line about it."""
    settings = settings_for(database_url, data_dir)
    if start == 0:
        await db.migrate(database_url)
        await db.close()
    await db.init(database_url)
    try:
        if start == 0:
            await seed_catalogue(settings)
        made = await populate(settings, count, start=start)
        counts = await check_consistent()
    finally:
        await db.close()
    return (
        f"  +{made.customers:,} customers ({made.rows:,} rows) in {made.seconds:.1f} s; "
        f"consistent; {counts['customer']:,} customers, {counts['invoice']:,} invoices, "
        f"{counts['message_read']:,} message reads, {counts['audit_event']:,} audit events"
    )


async def proof_and_plans(database_url: str, data_dir: Path, token: str, plans: bool) -> Proof:
    await db.init(database_url)
    try:
        proof = await prove(database_url, data_dir, token)
        if plans:
            print(f"  EXPLAIN of the dashboard's statements (big table: > {BIG_TABLE_ROWS:,} rows)")
            flagged = []
            for sql, lines, scans in await explain(proof.graphql_statements):
                flag = "FULL SCAN of " + ", ".join(scans) if scans else "ok"
                if scans:
                    flagged.append(f"{short(sql)[:50]}… ({', '.join(scans)})")
                print(f"    [{flag}] {short(sql)}")
                for line in lines:
                    print(f"        {line}")
            proof.full_scans = f"{len(flagged)}: " + "; ".join(flagged) if flagged else "none"
    finally:
        await db.close()
    return proof


async def run_database(name: str, database_url: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="icok-dashboard-tax-") as tmp:
        data_dir = Path(tmp)
        print(f"\n== {name} ({db.describe_url(database_url)})", flush=True)
        summaries: dict[int, dict[str, float]] = {}
        generated = 0
        token = ""
        for size in args.sizes:
            print(await prepare(database_url, data_dir, size - generated, generated), flush=True)
            generated = size
            with serving(database_url, data_dir) as server:
                if not token:
                    headers = {"origin": server.url, "x-icok-language": "pl"}
                    async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
                        token = await log_in(client, login_of(TYPICAL))
                    print(f"  logged in as {login_of(TYPICAL)} (password checked by the server)")
                proof = await proof_and_plans(
                    database_url, data_dir, token, plans=size == max(args.sizes)
                )
                print(
                    f"  identical JSON ({proof.body_bytes:,} bytes); SQL statements per request:"
                    f" GraphQL {len(proof.graphql_statements)}, raw {len(proof.raw_statements)}",
                    flush=True,
                )
                started = time.monotonic()
                load = os.getloadavg()[0]
                results = await measure(server, token, args)
                summary = summaries[size] = report(size, results, load, args.concurrency)
                print(f"  ({time.monotonic() - started:.0f} s)")
                SUMMARY.append(
                    f"{name}, {size:,} customers: GraphQL/raw throughput {summary['ratio']:.2f}"
                    f" [{summary['ratio_min']:.2f}–{summary['ratio_max']:.2f}], CPU per request"
                    f" {summary['graphql_cpu']:.1f} vs {summary['raw_cpu']:.1f} ms (raw/GraphQL"
                    f" {summary['cpu_ratio']:.2f}), GraphQL p50 {summary['graphql_p50']:.1f} ms,"
                    f" p99/p50 {summary['graphql_p99'] / summary['graphql_p50']:.2f},"
                    f" {len(proof.graphql_statements)} statements (load average {load:.1f})"
                )
                if size == max(args.sizes):
                    SUMMARY.append(f"{name}, {size:,} customers: full scans: {proof.full_scans}")
                    if args.login_page:
                        await login_page_bytes(server)
        if len(summaries) > 1:
            small, large = summaries[min(summaries)], summaries[max(summaries)]
            figures = {t: large[f"{t}_p50"] / small[f"{t}_p50"] for t in ("graphql", "raw")}
            line = (
                f"p50 {max(summaries):,}/{min(summaries):,} customers: GraphQL "
                f"{figures['graphql']:.2f}, raw {figures['raw']:.2f}"
            )
            print(f"  {line}")
            SUMMARY.append(f"{name}: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1_000, 100_000],
        help="customers, ascending (1000,100000)",
    )
    parser.add_argument("--rounds", type=int, default=8, help="measured rounds, ABBA (8)")
    parser.add_argument(
        "--latency", type=int, default=100, help="sequential requests per round, at most (100)"
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="concurrent requests per round, at most (200)"
    )
    parser.add_argument(
        "--round-seconds",
        type=float,
        default=5.0,
        help="a round's time limit, half for each part (5): bounds the run on a slow server",
    )
    parser.add_argument("--concurrency", type=int, default=4, help="in flight (4)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured rounds (2)")
    parser.add_argument(
        "--databases",
        default="sqlite,postgres",
        help="sqlite,postgres (PostgreSQL only with a server URL)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ICOK_BENCH_POSTGRES_URL", ""),
        help="a PostgreSQL server's URL (default: ICOK_BENCH_POSTGRES_URL)",
    )
    parser.add_argument(
        "--no-login-page",
        dest="login_page",
        action="store_false",
        help="skip the login page's bytes",
    )
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:  # (the bench's own server process, see serving())
        serve(args.serve)
        return
    if args.rounds % 2:
        parser.error("--rounds must be even (pairs of GraphQL and raw)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    wanted = args.databases.split(",")
    if "sqlite" in wanted:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(run_database("SQLite", f"sqlite://{Path(tmp) / 'bench.sqlite3'}", args))
    if "postgres" in wanted and args.postgres:
        admin_url = args.postgres
        name = f"icok_dashboard_tax_{secrets.token_hex(4)}"
        asyncio.run(_pg_admin(admin_url, f'CREATE DATABASE "{name}"'))
        try:
            asyncio.run(run_database("PostgreSQL", _with_database(admin_url, name), args))
        finally:
            asyncio.run(_pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    elif "postgres" in wanted:
        print("\n(PostgreSQL skipped: set ICOK_BENCH_POSTGRES_URL or --postgres)")
    print("\n== Summary")
    for line in SUMMARY:
        print(f"  {line}")


if __name__ == "__main__":
    main()
