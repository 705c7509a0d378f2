"""``icok import`` speed and memory: N customers (default 10,000), each with a contract, 2
services, 2 devices, 3 subscriptions and 12 invoices of 3 lines (21 objects; the catalogue
first), written as JSON Lines streaming to disk, then imported by the real ``icok import`` of
this checkout into a fresh SQLite database and a fresh PostgreSQL database (created with a random
name and dropped after), twice each: the second run must change nothing (all unchanged).

    python bench/import_speed.py                       # 10,000 customers, both databases
    python bench/import_speed.py --customers 500 --databases sqlite
    python bench/import_speed.py --postgres postgresql://postgres@127.0.0.1:5432/

Prints per run: wall time, lines/s, peak memory of the ``icok`` process (its ``ru_maxrss``),
the exit status and the created/updated/unchanged/rejected counts it printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's backend, not an installed copy

from backend.clock import today
from backend.demo.dates import add_months
from backend.services.billing import invoice_totals, vat_from_gross, vat_summary
from backend.services.identifiers import make_pesel
from tests.conftest import _pg_admin, _with_database

SECRET = "bench-import-secret-" + "x" * 40
VAT = 23
# (code, name, kind, service kind, monthly price in grosze)
PACKAGES = [
    ("BENCH-TV", "Bench TV", "BASE", "SATELLITE_TV", 6_999),
    ("BENCH-SPORT", "Bench Sport", "ADDON", "SATELLITE_TV", 2_499),
    ("BENCH-NET", "Bench Internet", "BASE", "INTERNET", 5_999),
]


@dataclass(frozen=True)
class _Line:
    vat_rate: int
    gross: int


def catalogue() -> Iterator[dict[str, Any]]:
    for code, name, kind, service_kind, price in PACKAGES:
        package: dict[str, Any] = {
            "type": "package",
            "code": code,
            "name": name,
            "kind": kind,
            "serviceKind": service_kind,
            "monthlyPrice": price,
        }
        if kind == "ADDON":
            package["requiresBase"] = "BENCH-TV"
        if service_kind == "SATELLITE_TV":
            package["channels"] = [
                {"name": f"{name} {n}", "category": "general", "hd": n % 2 == 0} for n in range(5)
            ]
        else:
            package["dataLimitMb"] = 200_000
        yield package


def invoice_line(description: str, gross: int) -> dict[str, Any]:
    vat = vat_from_gross(gross, VAT)
    return {
        "description": description,
        "quantity": 1,
        "unitGross": gross,
        "vatRate": VAT,
        "net": gross - vat,
        "vat": vat,
        "gross": gross,
    }


def customer_graph(i: int, day: date) -> Iterator[dict[str, Any]]:
    """The 21 objects of customer ``i``, the way a BSS lists one customer after another."""
    number = f"B{i:07d}"
    contract = f"UM/B/{i:07d}"
    card = f"30{i:010d}"
    phone = f"5{i:08d}"
    signed = add_months(day, -30) - timedelta(days=i % 28)
    born = date(1950, 1, 1) + timedelta(days=i // 5000)
    yield {
        "type": "customer",
        "number": number,
        "firstName": "Jan",
        "lastName": f"Testowy{i}",
        "pesel": make_pesel(born, i % 5000, female=i % 2 == 0),
        "email": f"klient{i}@example.pl",
        "phone": f"6{i:08d}",
        "street": f"ul. Długa {i % 200 + 1}",
        "postalCode": "00-950",
        "city": "Warszawa",
        "consentEmail": i % 3 == 0,
    }
    yield {
        "type": "contract",
        "number": contract,
        "customerNumber": number,
        "signedOn": signed.isoformat(),
        "status": "ACTIVE",
    }
    for identifier, kind, name in (
        (card, "SATELLITE_TV", "Telewizja"),
        (phone, "INTERNET", "Internet"),
    ):
        yield {
            "type": "service",
            "identifier": identifier,
            "contractNumber": contract,
            "kind": kind,
            "name": name,
            "status": "ACTIVE",
            "activatedOn": signed.isoformat(),
        }
    yield {
        "type": "device",
        "serialNumber": f"DEC-B{i:07d}",
        "customerNumber": number,
        "serviceIdentifier": card,
        "kind": "DECODER",
        "model": "Bench HD 1",
        "ownership": "LEASED",
        "installedOn": signed.isoformat(),
    }
    yield {
        "type": "device",
        "serialNumber": f"RTR-B{i:07d}",
        "customerNumber": number,
        "serviceIdentifier": phone,
        "kind": "ROUTER",
        "model": "Bench Router",
        "ownership": "OWNED",
        "installedOn": signed.isoformat(),
    }
    for identifier, code in ((card, "BENCH-TV"), (card, "BENCH-SPORT"), (phone, "BENCH-NET")):
        yield {
            "type": "subscription",
            "serviceIdentifier": identifier,
            "packageCode": code,
            "startsOn": signed.isoformat(),
        }
    first_month = add_months(day.replace(day=1), -12)
    for m in range(12):
        start = add_months(first_month, m)
        end = add_months(start, 1) - timedelta(days=1)
        lines = [invoice_line(f"{name}, {start:%m.%Y}", price) for _, name, _, _, price in PACKAGES]
        net, vat, gross = invoice_totals(vat_summary([_Line(VAT, x["gross"]) for x in lines]))
        yield {
            "type": "invoice",
            "number": f"FV/B/{i:07d}/{m:02d}",
            "customerNumber": number,
            "contractNumber": contract,
            "periodStart": start.isoformat(),
            "periodEnd": end.isoformat(),
            "issuedOn": start.isoformat(),
            "dueOn": (start + timedelta(days=14)).isoformat(),
            "net": net,
            "vat": vat,
            "gross": gross,
            "lines": lines,
        }


def write_file(path: Path, customers: int) -> int:
    """Write the catalogue and ``customers`` graphs to ``path`` line by line; the line count."""
    day = today()
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for obj in catalogue():
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
            count += 1
        for i in range(1, customers + 1):
            for obj in customer_graph(i, day):
                out.write(json.dumps(obj, ensure_ascii=False) + "\n")
                count += 1
    return count


@dataclass
class Run:
    seconds: float
    peak_mb: float
    status: int
    out: str
    err: str


def icok(workdir: Path, url: str, *args: str) -> Run:
    """``icok ARGS`` of this checkout in a child process; its wall time and peak memory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICOK_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.update(ICOK_DATA_DIR=str(workdir / "data"), ICOK_DATABASE_URL=url, ICOK_SECRET_KEY=SECRET)
    out_path, err_path = workdir / "out.txt", workdir / "err.txt"
    started = time.monotonic()
    with out_path.open("w") as out, err_path.open("w") as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", *args],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        seconds=seconds,
        peak_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        status=child.returncode,
        out=out_path.read_text(),
        err=err_path.read_text(),
    )


def report(label: str, lines: int, run: Run) -> None:
    rate = lines / run.seconds if run.seconds else 0.0
    print(
        f"{label:<22} {run.seconds:8.1f} s {rate:9.0f} lines/s {run.peak_mb:8.1f} MB peak "
        f"exit {run.status}",
        flush=True,
    )
    for row in run.out.splitlines()[1:]:
        print(f"    {row}")
    rejected = [row for row in run.err.splitlines() if row.startswith("line ")]
    for row in rejected[:5]:
        print(f"    ! {row}")
    if len(rejected) > 5:
        print(f"    ! ... {len(rejected) - 5} more")


def bench(label: str, workdir: Path, url: str, feed: Path, lines: int, migrate: bool) -> None:
    if migrate:
        done = icok(workdir, url, "migrate")
        if done.status != 0:
            raise SystemExit(f"migrate failed: {done.err.strip()}")
    for attempt in ("first run", "second run"):
        report(f"{label} {attempt}", lines, icok(workdir, url, "import", str(feed)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=10_000, help="customers (10000)")
    parser.add_argument(
        "--databases", default="sqlite,postgres", help="which databases (sqlite,postgres)"
    )
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/",
        help="the PostgreSQL server (a database with a random name is created and dropped)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="icok-import-bench-") as tmp:
        workdir = Path(tmp)
        feed = workdir / "feed.jsonl"
        started = time.monotonic()
        lines = write_file(feed, args.customers)
        print(
            f"{args.customers} customers: {lines} lines, {feed.stat().st_size / 2**20:.1f} MiB "
            f"written in {time.monotonic() - started:.1f} s",
            flush=True,
        )
        wanted = args.databases.split(",")
        if "sqlite" in wanted:
            url = f"sqlite://{workdir / 'bench.sqlite3'}"
            bench("SQLite", workdir, url, feed, lines, migrate=True)
        if "postgres" in wanted:
            name = f"icok_import_bench_{secrets.token_hex(4)}"
            asyncio.run(_pg_admin(args.postgres, f'CREATE DATABASE "{name}"'))
            try:
                url = _with_database(args.postgres, name)
                bench("PostgreSQL", workdir, url, feed, lines, migrate=True)
            finally:
                drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                asyncio.run(_pg_admin(args.postgres, drop))


if __name__ == "__main__":
    main()
