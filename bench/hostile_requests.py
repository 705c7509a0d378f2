"""Hostile requests (issue 15): the server CPU time each one costs, in production mode.

Starts the real server (``icok serve --demo`` with ``ICOK_MODE=production``, uvicorn, one
process) in a subprocess on a new SQLite database, with trusted documents off (what the other
limits do with any document) and on (the production default: a document the SPA did not
register is refused before parsing), and on a throw-away PostgreSQL database too
when ``ICOK_BENCH_POSTGRES_URL`` (or ``--postgres``) gives a server's URL. For each case it sends
one request and reads the server process's CPU time (user + system, all its threads, from
``/proc/<pid>/stat``) before it and after the answer (plus a short settling pause, so work the
request left in a thread is counted); the peak resident memory (``VmHWM``) shows what a body
held in memory costs. The cases:

- **fragment bomb**: ``query { ...F20 }`` with ``fragment Fn on Query { ...Fn-1 ...Fn-1 }``
  (836 bytes, 2^20 expansions when expanded naively);
- **30 x nodes(ids: 100)**: 30 aliases of ``nodes`` with 100 package IDs each, asking for the
  packages' channels;
- **30 x passwordStrength**: 30 aliases, a different repetitive 100-character password each;
- **register x 30**: 30 aliases of ``register`` (a wrong captcha), each with such a password;
- **900 KB email**: a 900 KB e-mail argument to ``passwordStrength(password:, email:)``, and
  in ``register``'s input; likewise a 900 KB identifier, PESEL and password;
- the same hostile variables (a 900 KB e-mail, a repetitive password) in the SPA's own
  registered ``PasswordStrength`` and ``Register`` documents (by ``documentId``: these run with
  trusted documents on too);
- **l33t**: the SPA's ``PasswordStrength`` and ``Register`` (captcha not solved) with
  ``4@8({[<3690!|1$5+7%2`` x 5 (every zxcvbn l33t character), and six such strength requests
  at once followed by a legitimate one (the figure is the CPU of all seven, the verdict the
  legitimate one's);
- **250 MiB webhook**: a 250 MiB POST to ``/payments/webhook/payu``, streamed (chunked, no
  ``Content-Length``) and never held in the bench's memory;
- **100,000 [**: a ``/graphql`` body of 100,000 ``[``;
- **unaliased repetitions** (no aliases, no fragments, under the token limit): 570 x
  ``packages { channels { name } }`` on ``/graphql`` and ``/console/graphql``, 300 x
  ``nodes(ids: $ids) { id }``, 20 x ``packages`` with 20 x ``channels { name }`` each, and on
  ``/operator/graphql`` (with a key; exempt from trusted documents) 570 x
  ``events { nodes { id } }`` and 790 x ``apiKey { name }``;
- **many directives**: ``{ __typename @include(if: true) ... }`` and ``{ __typename @aa @aa
  ... }`` (graphql-cop's "directive overloading") with as many as the token limit lets through.

Prints one line per case (CPU seconds, wall seconds, peak memory growth, the verdict: HTTP
status and error code) and "all under 0.2 s: yes/no". Figures, not assertions.

    python bench/hostile_requests.py
    ICOK_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/ python bench/hostile_requests.py
    python bench/hostile_requests.py -n 3          # the median of 3 runs of each case
    python bench/hostile_requests.py --trusted-documents on
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's backend and tests, not an installed copy

from backend.schema.relay import to_global_id
from backend.trusted_documents import CUSTOMER_MANIFEST
from bench.serving import started
from tests.checkout import ICOK, checkout_env, free_port
from tests.conftest import _pg_admin, _with_database
from tests.test_cli import PRODUCTION

BUDGET = 0.2
"""CPU seconds a hostile request may cost (issue 15, "Done when")."""
SETTLE = 0.3
"""Seconds waited after each answer before the CPU time is read again."""
WEBHOOK_BYTES = 250 * 1024 * 1024
CHUNK = 64 * 1024
SERVER_ENV = {
    **PRODUCTION,  # what production mode needs to start (a real payment provider, the seller...)
    "ICOK_SECRET_KEY": "bench-secret-" + "h" * 40,
    # Each request comes from an address of its own (X-Forwarded-For, see ``measure``), so that
    # no per-address limit (registrations, the request rate) shapes the figures.
    "ICOK_TRUSTED_PROXIES": "127.0.0.1",
}
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15)


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory so far (``VmHWM``), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    operator_key: str
    """An operator API key (``events:read``) of the server's database."""


@contextmanager
def serving(database_url: str, workdir: Path, trusted_documents: str) -> Iterator[Server]:
    """``icok serve --demo`` in production mode on ``database_url`` (``ICOK_TRUSTED_DOCUMENTS``
    ``on``, the production default, or ``off``), stopped afterwards."""
    env = {
        **checkout_env({k: v for k, v in os.environ.items() if not k.startswith("ICOK_")}),
        **SERVER_ENV,
        "ICOK_TRUSTED_DOCUMENTS": trusted_documents,
        "ICOK_DATA_DIR": str(workdir),
        "ICOK_DATABASE_URL": database_url,
    }
    log = workdir / "server.log"
    migrate = subprocess.run(
        [*ICOK, "migrate"], cwd=workdir, env=env, capture_output=True, text=True, check=False
    )
    if migrate.returncode != 0:
        raise SystemExit(f"icok migrate failed:\n{migrate.stdout}{migrate.stderr}")
    created = subprocess.run(
        [*ICOK, "operator-key", "create", "--name", "bench", "--scope", "events:read"],
        cwd=workdir, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if created.returncode != 0:
        raise SystemExit(f"icok operator-key create failed:\n{created.stdout}{created.stderr}")
    operator_key = created.stdout.strip().splitlines()[-1].strip()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [*ICOK, "serve", "--demo", "--port", str(port)]
    with started(command, url=url, log=log, cwd=workdir, env=env) as process:
        yield Server(url, process, log, operator_key)


# --- the cases ------------------------------------------------------------------------------


def gql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"query": query, "variables": variables or {}}


def fragment_bomb() -> dict[str, Any]:
    fragments = ["fragment F0 on Query { apiVersion }"] + [
        f"fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, 21)
    ]
    return gql("query { ...F20 } " + " ".join(fragments))


def many_nodes(package_ids: list[str]) -> dict[str, Any]:
    ids = [package_ids[i % len(package_ids)] for i in range(100)]
    fields = "... on Package { id name channels { name category hd } }"
    aliases = " ".join(f"n{i}: nodes(ids: $ids) {{ {fields} }}" for i in range(30))
    return gql(f"query($ids: [ID!]!) {{ {aliases} }}", {"ids": ids})


def repetitive(i: int) -> str:
    return (f"{i:02d}Ab" * 25)[:100]


def strength_aliases() -> dict[str, Any]:
    aliases = " ".join(
        f'p{i}: passwordStrength(password: "{repetitive(i)}") {{ score }}' for i in range(30)
    )
    return gql(f"query {{ {aliases} }}")


def register_aliases() -> dict[str, Any]:
    variables: dict[str, Any] = {}
    aliases = []
    for i in range(30):
        variables[f"i{i}"] = {
            "identifier": "600100200300",
            "pesel": "44051401359",
            "email": f"bench{i}@example.pl",
            "emailConfirmation": f"bench{i}@example.pl",
            "password": repetitive(i),
            "captchaId": "00000000-0000-0000-0000-000000000000",
            "captchaAnswer": "4",
            "acceptTerms": True,
        }
        aliases.append(f"r{i}: register(input: $i{i}) {{ ok errors {{ code }} }}")
    declared = ", ".join(f"$i{i}: RegisterInput!" for i in range(30))
    return gql(f"mutation({declared}) {{ {' '.join(aliases)} }}", variables)


HUGE_EMAIL = "a" * (900 * 1000) + "@example.pl"
L33T = "4@8({[<3690!|1$5+7%2" * 5
"""zxcvbn's l33t characters, 100 in all: 736 substitution tables to the library (8.5 s CPU)."""


def l33t_register() -> dict[str, Any]:
    """The SPA's ``Register`` with the l33t password and a captcha that is not solved."""
    return registered(
        "mutation Register(", {"input": {**register_aliases()["variables"]["i0"], "password": L33T}}
    )


def l33t_in_parallel(count: int) -> Callable[[httpx.AsyncClient], Any]:
    """``count`` SPA ``PasswordStrength`` requests with the l33t password at once, then a
    legitimate one: its answer (busy or scored) is the case's verdict, the CPU is all of them."""
    hostile = registered("query PasswordStrength(", {"password": L33T})
    legitimate = registered("query PasswordStrength(", {"password": "Zielony-Kanarek-42"})

    async def send(client: httpx.AsyncClient) -> httpx.Response:
        tasks = [asyncio.create_task(client.post("/graphql", json=hostile)) for _ in range(count)]
        answer = await client.post("/graphql", json=legitimate)
        await asyncio.gather(*tasks)
        return answer

    return send


def huge_email_strength() -> dict[str, Any]:
    query = "query($e: String) { passwordStrength(password: $p, email: $e) { score } }"
    query = query.replace("$e: String", "$e: String, $p: String!")
    return gql(query, {"e": HUGE_EMAIL, "p": "Zielony-Kanarek-42"})


def huge_email_register() -> dict[str, Any]:
    body = register_aliases()
    variables = {"i0": {**body["variables"]["i0"], "email": HUGE_EMAIL}}
    return gql(
        "mutation($i0: RegisterInput!) { register(input: $i0) { ok errors { code } } }", variables
    )


def huge_strength(argument: str) -> dict[str, Any]:
    """``passwordStrength`` with a 900 KB ``argument`` (``identifier``, ``pesel`` or the
    ``password`` itself)."""
    huge = "7" * (900 * 1000)
    if argument == "password":
        query = "query($p: String!) { passwordStrength(password: $p) { score } }"
        return gql(query, {"p": huge})
    query = f"query($p: String!, $a: String) {{ passwordStrength(password: $p, {argument}: $a) "
    return gql(query + "{ score } }", {"p": "Zielony-Kanarek-42", "a": huge})


def huge_register(field: str) -> dict[str, Any]:
    """``register`` with a 900 KB ``field`` of its input (``identifier``, ``pesel``)."""
    variables = {"i0": {**register_aliases()["variables"]["i0"], field: "7" * (900 * 1000)}}
    return gql(
        "mutation($i0: RegisterInput!) { register(input: $i0) { ok errors { code } } }", variables
    )


def registered(operation: str, variables: dict[str, Any]) -> dict[str, Any]:
    """A request for the SPA's registered document ``operation`` (e.g. ``query Register(``) by
    its ``documentId``, which runs with trusted documents on too, with hostile variables."""
    manifest = json.loads(CUSTOMER_MANIFEST.read_text())
    (digest,) = [d for d, text in manifest.items() if operation in text]
    return {"documentId": f"sha256:{digest}", "variables": variables}


def repeated(field: str, times: int) -> dict[str, Any]:
    """``field`` ``times`` times in one selection set, without aliases."""
    variables = "($ids: [ID!]!)" if "$ids" in field else ""
    return gql(
        f"query{variables} {{" + f" {field}" * times + " }", {"ids": ["x"]} if variables else {}
    )


def many_directives(directive: str, count: int) -> dict[str, Any]:
    return gql("query { __typename" + f" {directive}" * count + " }")


async def webhook_body() -> AsyncIterator[bytes]:
    """250 MiB of a JSON string, chunk by chunk (never held in memory)."""
    yield b'{"order": "'
    chunk = b"a" * CHUNK
    for _ in range(WEBHOOK_BYTES // CHUNK):
        yield chunk
    yield b'"}'


@dataclass
class Case:
    name: str
    send: Callable[[httpx.AsyncClient], Any]


def cases(package_ids: list[str], operator_key: str) -> list[Case]:
    json_headers = {"content-type": "application/json"}

    def post(body: dict[str, Any], path: str = "/graphql") -> Callable[[httpx.AsyncClient], Any]:
        return lambda client: client.post(path, json=body)

    def operator(body: dict[str, Any]) -> Callable[[httpx.AsyncClient], Any]:
        headers = {"Authorization": f"Bearer {operator_key}"}
        return lambda client: client.post("/operator/graphql", json=body, headers=headers)

    packages_570 = repeated("packages { channels { name } }", 570)
    packages_20_by_20 = repeated("packages {" + " channels { name }" * 20 + " }", 20)

    return [
        Case("baseline { apiVersion }", post(gql("{ apiVersion }"))),
        Case("fragment bomb (F20, 836 B)", post(fragment_bomb())),
        Case("30 x nodes(ids: 100)", post(many_nodes(package_ids))),
        Case("30 x passwordStrength", post(strength_aliases())),
        Case("register x 30 aliases", post(register_aliases())),
        Case("900 KB email (passwordStrength)", post(huge_email_strength())),
        Case("900 KB email (register)", post(huge_email_register())),
        Case("900 KB identifier (passwordStrength)", post(huge_strength("identifier"))),
        Case("900 KB pesel (passwordStrength)", post(huge_strength("pesel"))),
        Case("900 KB password (passwordStrength)", post(huge_strength("password"))),
        Case("900 KB identifier (register)", post(huge_register("identifier"))),
        Case("900 KB pesel (register)", post(huge_register("pesel"))),
        Case(
            "SPA's PasswordStrength, 900 KB email",
            post(
                registered(
                    "query PasswordStrength(", {"password": repetitive(1), "email": HUGE_EMAIL}
                )
            ),
        ),
        Case(
            "SPA's Register, 900 KB email",
            post(
                registered(
                    "mutation Register(", {"input": huge_email_register()["variables"]["i0"]}
                )
            ),
        ),
        Case(
            "SPA's PasswordStrength, l33t x 100",
            post(registered("query PasswordStrength(", {"password": L33T})),
        ),
        Case("SPA's Register, l33t x 100, no captcha", post(l33t_register())),
        Case("6 x l33t in parallel + 1 legitimate", l33t_in_parallel(6)),
        Case(
            "250 MiB webhook body (streamed)",
            lambda client: client.post(
                "/payments/webhook/payu", content=webhook_body(), headers=json_headers
            ),
        ),
        Case(
            "100,000 [ body",
            lambda client: client.post("/graphql", content=b"[" * 100_000, headers=json_headers),
        ),
        # As many as the token limit (4,000) lets through: 7 tokens each, 2 each.
        Case("550 x @include(if: true)", post(many_directives("@include(if: true)", 550))),
        Case("1,950 x unknown @aa", post(many_directives("@aa", 1950))),
        Case("570 x packages{channels{name}}", post(packages_570)),
        Case("  the same, /console/graphql", post(packages_570, "/console/graphql")),
        Case("300 x nodes(ids: $ids) { id }", post(repeated("nodes(ids: $ids) { id }", 300))),
        Case("20 x packages { 20 x channels }", post(packages_20_by_20)),
        Case(
            "570 x events{nodes{id}} (operator)", operator(repeated("events { nodes { id } }", 570))
        ),
        Case("790 x apiKey { name } (operator)", operator(repeated("apiKey { name }", 790))),
    ]


def verdict(response: httpx.Response) -> str:
    code = ""
    try:
        body = response.json()
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            code = str((errors[0].get("extensions") or {}).get("code") or errors[0]["message"][:40])
        elif isinstance(body, dict) and isinstance(body.get("data"), dict):
            nested = [
                e.get("code")
                for v in body["data"].values()
                if isinstance(v, dict)
                for e in v.get("errors") or []
            ]
            code = f"data ({nested[0]})" if nested else "data"
    except ValueError:
        code = response.text[:40].replace("\n", " ")
    return f"{response.status_code} {code}".strip()


@dataclass
class Measure:
    cpu: float
    wall: float
    rss_growth: float
    verdict: str


_addresses = (f"198.18.{n // 250}.{n % 250 + 1}" for n in range(65_000))


async def measure(server: Server, client: httpx.AsyncClient, case: Case) -> Measure:
    """One request of ``case``, from a new client address (198.18.0.0/15, for benchmarks)."""
    client.headers["x-forwarded-for"] = next(_addresses)
    pid = server.process.pid
    rss_before = peak_rss_mib(pid)
    cpu_before = cpu_seconds(pid)
    started = time.perf_counter()
    try:
        response = await case.send(client)
        said = verdict(response)
    except httpx.HTTPError as exc:
        said = f"connection: {type(exc).__name__}"
    wall = time.perf_counter() - started
    await asyncio.sleep(SETTLE)
    cpu = cpu_seconds(pid) - cpu_before
    return Measure(cpu, wall, peak_rss_mib(pid) - rss_before, said)


async def run(label: str, server: Server, samples: int) -> bool:
    timeout = httpx.Timeout(300.0)
    async with httpx.AsyncClient(base_url=server.url, timeout=timeout) as client:
        packages = (await client.post("/graphql", json=gql("{ packages { id } }"))).json()
        if packages.get("data"):
            package_ids = [p["id"] for p in packages["data"]["packages"]]
        else:  # (a document of our own is refused with trusted documents on)
            package_ids = [to_global_id("Package", n) for n in range(1, 21)]
        await asyncio.sleep(1.0)  # the start-up's own work settles
        print(f"\n{label}: server CPU per request (production mode, pid {server.process.pid})")
        print(f"  {'case':38} {'CPU s':>7} {'wall s':>7} {'+peak MiB':>9}  verdict")
        all_under = True
        for case in cases(package_ids, server.operator_key):
            runs = [await measure(server, client, case) for _ in range(samples)]
            cpu = statistics.median(m.cpu for m in runs)
            wall = statistics.median(m.wall for m in runs)
            growth = max(m.rss_growth for m in runs)
            if not case.name.startswith("baseline"):
                all_under = all_under and cpu < BUDGET
            print(f"  {case.name:38} {cpu:7.2f} {wall:7.2f} {growth:9.0f}  {runs[-1].verdict}")
        print(f"  all under {BUDGET} s: {'yes' if all_under else 'no'}")
        return all_under


def on_sqlite(samples: int, trusted_documents: str) -> bool:
    with tempfile.TemporaryDirectory(prefix="icok-hostile-") as tmp:
        workdir = Path(tmp)
        url = f"sqlite://{workdir / 'icok.sqlite3'}"
        with serving(url, workdir, trusted_documents) as server:
            label = f"SQLite, trusted documents {trusted_documents}"
            return asyncio.run(run(label, server, samples))


def on_postgres(admin_url: str, samples: int, trusted_documents: str) -> bool:
    name = f"icok_hostile_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="icok-hostile-") as tmp:
            url = _with_database(admin_url, name)
            with serving(url, Path(tmp), trusted_documents) as server:
                label = f"PostgreSQL, trusted documents {trusted_documents}"
                return asyncio.run(run(label, server, samples))
    finally:
        asyncio.run(_pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1, help="runs of each case; the median (1)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ICOK_BENCH_POSTGRES_URL", ""),
        help="a PostgreSQL server's URL (default: ICOK_BENCH_POSTGRES_URL; none: SQLite only)",
    )
    parser.add_argument(
        "--trusted-documents",
        choices=("on", "off", "both"),
        default="both",
        help="ICOK_TRUSTED_DOCUMENTS of the server: on (the production default) refuses every "
        "GraphQL document the SPA did not register, off shows what the other limits do (both)",
    )
    args = parser.parse_args()
    # A terminated bench stops its server and drops its database on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ok = True
    for trusted in ("off", "on") if args.trusted_documents == "both" else (args.trusted_documents,):
        ok = on_sqlite(args.n, trusted) and ok
        if args.postgres:
            ok = on_postgres(args.postgres, args.n, trusted) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
