"""``icok import FILE`` of this checkout (``python -m backend.cli``) in a subprocess, on SQLite
and PostgreSQL: a file mixing good and bad lines, every kind of unreadable line, batches and the
window, dry runs, re-runs that change nothing, the report (stderr or ``--report``), the exit
statuses (0 all taken, 1 some rejected, 2 usage) and the progress bar (only on a terminal)."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import pty
import re
import socket
import sqlite3
import struct
import subprocess
import termios
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend import db as database
from backend.importer import MAX_LINE_BYTES
from backend.models import AuditEvent, Customer
from backend.models.enums import AuditKind
from backend.services.identifiers import make_pesel
from tests.checkout import ICOK
from tests.test_cli import Result, Server, _env, _wait_healthy, icok
from tests.test_cli import migrated as migrated  # the fixtures, re-exported
from tests.test_cli import postgres_url as postgres_url
from tests.test_cli import start_server as start_server  # the fixture, re-exported

pytestmark = pytest.mark.real_time  # the CLI runs in subprocesses on real time

SECRET = "cli-import-secret-" + "s" * 32


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def pesel(serial: int) -> str:
    return make_pesel(date(1980, 5, 17), serial, female=serial % 2 == 0)


def customer(number: str, serial: int, **fields: Any) -> dict[str, Any]:
    return {
        "type": "customer",
        "number": number,
        "firstName": "Anna",
        "lastName": "Nowak",
        "pesel": pesel(serial),
        "postalCode": "00-950",
        "city": "Warszawa",
        **fields,
    }


def write_lines(path: Path, *lines: dict[str, Any] | str | bytes) -> Path:
    """``lines`` as a file: objects as JSON, text and bytes as they are, each ended by LF."""
    with path.open("wb") as out:
        for line in lines:
            if isinstance(line, dict):
                line = json.dumps(line, ensure_ascii=False)
            out.write((line.encode() if isinstance(line, str) else line) + b"\n")
    return path


def icok_reading(stdin: Path, workdir: Path, *args: str, **variables: str) -> Result:
    """:func:`tests.test_cli.icok` with ``stdin`` (a file) as its standard input."""
    with stdin.open("rb") as source:
        proc = subprocess.run(
            [*ICOK, *args],
            cwd=workdir,
            env=_env(workdir, **variables),
            capture_output=True,
            timeout=120,
            stdin=source,
            check=False,
        )
    return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def rejected(err: str) -> dict[int, list[str]]:
    """The stderr report as {line number: ["type key field: CODE", ...]}."""
    out: dict[int, list[str]] = {}
    for row in err.splitlines():
        if not row.startswith("line "):
            continue
        head, where, code, _message = row.split(": ", 3)
        out.setdefault(int(head.removeprefix("line ")), []).append(f"{where}: {code}")
    return out


def summary_row(out: str, type_name: str) -> list[int]:
    """created, updated, unchanged, rejected of ``type_name`` in the printed summary."""
    for row in out.splitlines():
        if row.startswith(f"{type_name} "):
            return [int(n) for n in row.split()[-4:]]
    return [0, 0, 0, 0]


async def _stored(url: str) -> tuple[dict[str, tuple[str, str]], list[dict[str, Any]]]:
    await database.init(url)
    try:
        customers = {
            c.number: (c.first_name, c.city) for c in await Customer.all().order_by("number")
        }
        audits = [
            e.details for e in await AuditEvent.filter(kind=AuditKind.OPERATOR_WRITE).order_by("id")
        ]
        return customers, audits
    finally:
        await database.close()


def stored(url: str) -> tuple[dict[str, tuple[str, str]], list[dict[str, Any]]]:
    """The customers stored (number -> first name, city) and the operator-write audit details."""
    return asyncio.run(_stored(url))


def _mixed_file_round_trip(workdir: Path, url: str) -> None:
    env = {"ICOK_DATABASE_URL": url, "ICOK_SECRET_KEY": SECRET}
    feed = write_lines(
        workdir / "feed.jsonl",
        customer("K-1", 1),
        "{not json",
        customer("K-2", 2, pesel="44051401358"),  # bad checksum
        customer("K-3", 3, city="Kraków"),
        "",
        customer("K-4", 4, first_name="Jan"),  # snake_case is not the file's spelling
        customer("K-5", 5, postalCode="00-95"),
        {"number": "K-6"},
        customer("K-1", 6),  # the same key again in the batch
    )
    first = icok(workdir, "import", str(feed), env=env)
    assert first.code == 1, first
    assert "Traceback" not in first.err
    assert rejected(first.err) == {
        2: ["- - -: INVALID_JSON"],
        3: ["customer K-2 pesel: INVALID_PESEL"],  # the key is given when it is readable
        6: ["customer K-4 first_name: UNKNOWN_FIELD"],
        7: ["customer K-5 postalCode: INVALID_POSTAL_CODE"],
        8: ["- - type: REQUIRED"],
        9: ["customer K-1 -: DUPLICATE_KEY"],
    }
    assert "(first at item 1)" in first.err  # the line the key was first met on
    assert first.out.startswith("Imported feed.jsonl: 8 line(s) in ")
    assert summary_row(first.out, "customer") == [2, 0, 0, 4]
    assert summary_row(first.out, "(no type)") == [0, 0, 0, 2]
    customers, audits = stored(url)
    assert customers == {"K-1": ("Anna", "Warszawa"), "K-3": ("Anna", "Kraków")}
    assert [a["writer"] for a in audits] == ["import:feed.jsonl"]
    assert audits[0]["created"] == 2

    # The fixed file: what is equal is skipped, the rest written; nothing rejected: status 0.
    fixed = write_lines(
        workdir / "fixed.jsonl",
        customer("K-1", 1),
        customer("K-3", 3, city="Gdańsk"),
        customer("K-5", 5),
    )
    second = icok(workdir, "import", str(fixed), env=env)
    assert second.code == 0, second
    assert second.err == ""
    assert summary_row(second.out, "customer") == [1, 1, 1, 0]
    customers, audits = stored(url)
    assert customers["K-3"] == ("Anna", "Gdańsk") and "K-5" in customers
    third = icok(workdir, "import", str(fixed), env=env)
    assert third.code == 0, third
    assert summary_row(third.out, "customer") == [0, 0, 3, 0]
    assert len(stored(url)[1]) == 2  # an unchanged batch writes no audit event either


def test_mixed_file_on_sqlite(workdir: Path, migrated: Callable[[str], None]) -> None:
    url = f"sqlite://{workdir / 'icok.sqlite3'}"
    migrated(url)
    _mixed_file_round_trip(workdir, url)


def test_mixed_file_on_postgresql(
    workdir: Path, postgres_url: str, migrated: Callable[[str], None]
) -> None:
    migrated(postgres_url)
    _mixed_file_round_trip(workdir, postgres_url)


def test_every_unreadable_line_is_its_own_error(
    workdir: Path, migrated: Callable[[str], None]
) -> None:
    url = f"sqlite://{workdir / 'icok.sqlite3'}"
    migrated(url)
    filler = "x" * (MAX_LINE_BYTES - 100)
    exactly = json.dumps({"type": "customer", "number": filler}).encode()
    exactly = exactly.replace(b'"number"', b'"number"' + b" " * (MAX_LINE_BYTES - len(exactly)))
    assert len(exactly) == MAX_LINE_BYTES
    feed = write_lines(
        workdir / "bad.jsonl",
        b"\xef\xbb\xbf" + json.dumps(customer("K-1", 1)).encode(),  # a BOM is tolerated
        b'{"type": "customer", "number": "K-\xff"}',
        b'{"type": "customer", "number": "K-\x00"}',
        json.dumps(customer("K-2", 2, firstName="An\u0000na")),
        b"x" * (MAX_LINE_BYTES + 1),
        exactly,
        "[1, 2]",
        '"customer"',
        "null",
        "[" * 100_000 + "]" * 100_000,
        '{"type": "customer", "number": "K-3", "number": "K-4"}',
        '{"type": 7}',
        '{"type": "invoice\\u001b[31m"}',
        json.dumps({**customer("K-5", 5), "firstname": "x", "Number": "y", "a_b": 1}),
        "   ",
        json.dumps(customer("K-6", 6)).encode() + b"\r",  # CRLF line ends are fine
        json.dumps(customer("K-7", 7)),
    )
    with feed.open("ab") as out:
        out.write(b"x" * (MAX_LINE_BYTES * 3))  # an over-long last line without a line end
    result = icok(workdir, "import", str(feed), ICOK_DATABASE_URL=url, ICOK_SECRET_KEY=SECRET)
    assert result.code == 1, result
    assert "Traceback" not in result.err
    assert rejected(result.err) == {
        2: ["- - -: INVALID_ENCODING"],
        3: ["- - -: FORBIDDEN_CHARACTER"],
        4: ["customer K-2 firstName: FORBIDDEN_CHARACTER"],
        5: ["- - -: LINE_TOO_LONG"],
        6: [  # exactly at the limit: read and checked
            "customer - number: TOO_LONG",
            "customer - firstName: REQUIRED",
            "customer - lastName: REQUIRED",
            "customer - pesel: REQUIRED",
        ],
        7: ["- - -: INVALID_JSON"],
        8: ["- - -: INVALID_JSON"],
        9: ["- - -: INVALID_JSON"],
        10: ["- - -: INVALID_JSON"],
        11: ["- - -: INVALID_JSON"],
        12: ["- - type: UNKNOWN_TYPE"],
        13: ["- - type: UNKNOWN_TYPE"],
        14: [
            "customer K-5 firstname: UNKNOWN_FIELD",
            "customer K-5 Number: UNKNOWN_FIELD",
            "customer K-5 a_b: UNKNOWN_FIELD",
        ],
        18: ["- - -: LINE_TOO_LONG"],
    }
    assert "U+0000" in result.err
    assert "\x1b" not in result.err  # the operator's text is never echoed raw to a terminal
    assert "(the field 'number' occurs twice)" in result.err
    assert re.search(r"Unknown object type \(allowed: [a-z_, ]*\bcustomer\b", result.err)
    assert "17 line(s)" in result.out  # line 15 is blank
    assert sorted(stored(url)[0]) == ["K-1", "K-6", "K-7"]


def test_batches_and_dry_run(workdir: Path, migrated: Callable[[str], None]) -> None:
    url = f"sqlite://{workdir / 'icok.sqlite3'}"
    migrated(url)
    env = {"ICOK_DATABASE_URL": url, "ICOK_SECRET_KEY": SECRET}
    feed = write_lines(
        workdir / "batches.jsonl",
        customer("K-1", 1),
        customer("K-1", 1, city="Kraków"),  # same batch of 2: a duplicate
        customer("K-2", 2),
        customer("K-1", 1, city="Gdańsk"),  # a later batch: an update
    )
    dry = icok(workdir, "import", "--dry-run", "--batch-size", "2", str(feed), env=env)
    assert dry.code == 1, dry
    assert rejected(dry.err) == {2: ["customer K-1 -: DUPLICATE_KEY"]}
    assert "dry run: nothing was written" in dry.out
    # A dry run compares with what is stored: K-1 of the second batch counts as created again.
    assert summary_row(dry.out, "customer") == [3, 0, 0, 1]
    assert stored(url) == ({}, [])
    real = icok(workdir, "import", "--batch-size", "2", str(feed), env=env)
    assert real.code == 1, real
    assert summary_row(real.out, "customer") == [2, 1, 0, 1]
    assert stored(url)[0] == {"K-1": ("Anna", "Gdańsk"), "K-2": ("Anna", "Warszawa")}
    again = icok(workdir, "import", "--dry-run", str(feed), env=env)
    # In one batch of 500 the second K-1 is the duplicate and the first differs from what is
    # stored (Gdańsk), K-2 is equal; the last K-1 is a duplicate too.
    assert summary_row(again.out, "customer") == [0, 1, 1, 2]


def test_report_file(workdir: Path) -> None:
    feed = write_lines(
        workdir / "r.jsonl", customer("K-1", 1), customer("K-2", 2, pesel="1"), "oops"
    )
    report = workdir / "report.jsonl"
    result = icok(
        workdir,
        "import",
        str(feed),
        "--report",
        str(report),
        ICOK_DATABASE_URL=f"sqlite://{workdir / 'db.sqlite3'}",
    )
    assert result.code == 1, result
    assert result.err.splitlines()[-1] == f"2 line(s) rejected: see {report}"
    assert "line 2" not in result.err and "line 3" not in result.err
    rows = [json.loads(row) for row in report.read_text().splitlines()]
    assert rows == [
        {
            "line": 3,
            "type": "",
            "key": "",
            "field": None,
            "code": "INVALID_JSON",
            "message": "The line is not a valid JSON object (Expecting value).",
        },
        {
            "line": 2,
            "type": "customer",
            "key": "K-2",
            "field": "pesel",
            "code": "INVALID_PESEL",
            "message": rows[1]["message"],
        },
    ]
    assert rows[1]["message"].startswith("Invalid PESEL")  # English on the command line


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("missing.jsonl",), "no such file"),
        (("FEED", "--batch-size", "0"), "between 1 and 500"),
        (("FEED", "--batch-size", "501"), "between 1 and 500"),
        (("FEED", "--batch-size", "many"), "not a number"),
        (("FEED", "--report", "no/such/dir/report.jsonl"), "cannot open"),
        (("FEED", "--report", "FEED"), "would overwrite the file being imported"),
        (("--report", "FEED", "FEED"), "would overwrite the file being imported"),
        (("FEED", "--report", "HARD"), "would overwrite the file being imported"),
        (("FEED", "--report", "SYMBOLIC"), "would overwrite the file being imported"),
        (("-", "--report", "FEED"), "would overwrite the file being imported"),  # stdin is FEED
        (("DIR",), "is a directory, not a file"),
        (("SOCKET",), "is not a regular file"),
        ((), "FILE"),
    ],
)
def test_usage_errors_exit_2(workdir: Path, args: tuple[str, ...], needle: str) -> None:
    feed = write_lines(workdir / "feed.jsonl", customer("K-1", 1))
    os.link(feed, workdir / "hard.jsonl")
    (workdir / "symbolic.jsonl").symlink_to(feed)
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(workdir / "socket"))
    names = {
        "FEED": feed,
        "HARD": workdir / "hard.jsonl",
        "SYMBOLIC": workdir / "symbolic.jsonl",
        "DIR": workdir,
        "SOCKET": workdir / "socket",
    }
    argv = [str(names[a]) if a in names else a for a in args]
    result = icok_reading(
        feed, workdir, "import", *argv, ICOK_DATABASE_URL=f"sqlite://{workdir / 'x.db'}"
    )
    listening.close()
    assert result.code == 2, result
    assert needle in result.err
    assert "Traceback" not in result.err
    assert not (workdir / "x.db").exists()  # nothing was opened
    assert feed.read_text() == json.dumps(customer("K-1", 1)) + "\n"  # nor overwritten


def test_the_report_never_overwrites_the_database(
    workdir: Path, migrated: Callable[[str], None]
) -> None:
    url = f"sqlite://{workdir / 'icok.sqlite3'}"
    migrated(url)
    feed = write_lines(workdir / "feed.jsonl", customer("K-1", 1))
    assert icok(workdir, "import", str(feed), ICOK_DATABASE_URL=url).code == 0
    size = (workdir / "icok.sqlite3").stat().st_size
    result = icok(
        workdir,
        "import",
        str(feed),
        "--report",
        str(workdir / "icok.sqlite3"),
        ICOK_DATABASE_URL=url,
    )
    assert result.code == 2, result
    assert result.err == "icok: error: the report would overwrite the database\n"
    assert (workdir / "icok.sqlite3").stat().st_size == size
    assert sorted(stored(url)[0]) == ["K-1"]


def test_stdin_and_character_devices(workdir: Path, migrated: Callable[[str], None]) -> None:
    """``-`` reads stdin (the writer is ``import:stdin``); /dev/null is an empty file."""
    url = f"sqlite://{workdir / 'icok.sqlite3'}"
    migrated(url)
    feed = write_lines(workdir / "feed.jsonl", customer("K-1", 1), customer("K-2", 2))
    piped = icok_reading(feed, workdir, "import", "-", ICOK_DATABASE_URL=url)
    assert piped.code == 0, piped
    assert piped.out.startswith("Imported stdin: 2 line(s) in ")
    assert summary_row(piped.out, "customer") == [2, 0, 0, 0]
    customers, audits = stored(url)
    assert sorted(customers) == ["K-1", "K-2"]
    assert [a["writer"] for a in audits] == ["import:stdin"]
    empty = icok(workdir, "import", "/dev/null", ICOK_DATABASE_URL=url)
    assert empty.code == 0, empty
    assert empty.out.startswith("Imported null: 0 line(s) in ") and empty.err == ""


def _run_with_stderr_on_a_terminal(workdir: Path, *args: str) -> tuple[int, str]:
    controller, terminal = pty.openpty()
    # 30 rows, 100 columns (tqdm draws nothing on a terminal without a width)
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(
        [*ICOK, *args],
        cwd=workdir,
        env=_env(workdir, ICOK_DATABASE_URL=f"sqlite://{workdir / 't.db'}"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return proc.wait(timeout=120), b"".join(chunks).decode(errors="replace")


def test_progress_bar_only_on_a_terminal(workdir: Path) -> None:
    feed = write_lines(workdir / "feed.jsonl", *(customer(f"K-{n}", n) for n in range(1, 30)))
    code, terminal = _run_with_stderr_on_a_terminal(workdir, "import", str(feed))
    assert code == 0, terminal
    assert "%|" in terminal and "B/s" in terminal  # tqdm's bar over the file's bytes
    piped = icok(workdir, "import", str(feed), ICOK_DATABASE_URL=f"sqlite://{workdir / 't.db'}")
    assert piped.code == 0, piped
    assert piped.err == ""
    assert summary_row(piped.out, "customer") == [0, 0, 29, 0]


def test_import_help(workdir: Path) -> None:
    result = icok(workdir, "import", "--help")
    assert result.code == 0, result
    for words in ("--dry-run", "--batch-size", "--report", "Exit status", "JSON Lines"):
        assert words in result.out
    assert "import" in icok(workdir, "--help").out


def contract(number: str, customer_number: str) -> dict[str, Any]:
    return {
        "type": "contract",
        "number": number,
        "customerNumber": customer_number,
        "signedOn": "2026-03-02",
        "status": "ACTIVE",
    }


def test_the_window_orders_types_and_a_rerun_resolves_the_rest(
    workdir: Path, migrated: Callable[[str], None]
) -> None:
    """Lines are grouped by type within a window (batch size x 10 lines) and applied in the
    kinds' order: a contract listed before its customer goes in. A reference to a line beyond
    the window is UNKNOWN_REFERENCE, and running the file again resolves it."""
    url = f"sqlite://{workdir / 'icok.sqlite3'}"
    migrated(url)
    env = {"ICOK_DATABASE_URL": url, "ICOK_SECRET_KEY": SECRET}
    feed = write_lines(
        workdir / "graph.jsonl",
        contract("UM/1", "K-1"),  # its customer is the next line
        customer("K-1", 1),
        contract("UM/2", "K-2"),  # its customer comes 12 lines later, past the window of 10
        *(customer(f"K-{n}", n) for n in range(10, 21)),
        customer("K-2", 2),
    )
    first = icok(workdir, "import", "--batch-size", "1", str(feed), env=env)
    assert first.code == 1, first
    assert rejected(first.err) == {3: ["contract UM/2 customerNumber: UNKNOWN_REFERENCE"]}
    assert "There is no customer with the key K-2." in first.err
    assert summary_row(first.out, "customer") == [13, 0, 0, 0]
    assert summary_row(first.out, "contract") == [1, 0, 0, 1]
    again = icok(workdir, "import", "--batch-size", "1", str(feed), env=env)
    assert again.code == 0, again
    assert summary_row(again.out, "contract") == [1, 0, 1, 0]
    assert summary_row(again.out, "customer") == [0, 0, 13, 0]


def invoice(number: str, customer_number: str) -> dict[str, Any]:
    line = {"description": "Abonament", "quantity": 1, "unitGross": 9999, "vatRate": 23}
    return {
        "type": "invoice",
        "number": number,
        "customerNumber": customer_number,
        "periodStart": "2026-10-01",
        "periodEnd": "2026-10-31",
        "issuedOn": "2026-11-01",
        "dueOn": "2026-11-15",
        "net": 8129,
        "vat": 1870,
        "gross": 9999,
        "lines": [{**line, "net": 8129, "vat": 1870, "gross": 9999}],
    }


def _operator(http: httpx.Client, key: str, mutation: str, items: list[dict[str, Any]]) -> Any:
    """The data of an ``upsertX`` ``mutation`` of ``items`` (without their ``type``)."""
    name = mutation[0].upper() + mutation[1:]
    query = (
        f"mutation($i: {name}Input!) {{ {mutation}(input: $i) "
        "{ created results { errors { code message } } } }"
    )
    items = [{k: v for k, v in item.items() if k != "type"} for item in items]
    response = http.post(
        "/operator/graphql",
        json={"query": query, "variables": {"i": {"items": items}}},
        headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"},
    )
    return response.json()


def test_import_and_the_server_write_one_sqlite_file_at_once(
    workdir: Path, start_server: Callable[[], Server]
) -> None:
    """SQLite lets one process write at a time: ``icok import`` and the server writing through
    the operator API wait for each other's transactions (busy timeout, BEGIN IMMEDIATE)
    instead of failing with "database is locked" (a transaction that reads before it writes,
    as an invoice batch does, failed at once without waiting)."""
    server = start_server()  # icok serve --demo on the default SQLite file of workdir
    _wait_healthy(server)
    created = icok(
        workdir, "operator-key", "create", "--name", "BSS",
        "--scope", "customers:write", "--scope", "billing:write",
    )  # fmt: skip
    assert created.code == 0, created
    key = created.out.strip()
    feed = write_lines(
        workdir / "many.jsonl",
        *(
            line
            for n in range(1, 301)
            for line in (
                customer(f"K-{n}", n),
                *(invoice(f"FV/{n}/{m}", f"K-{n}") for m in range(1, 6)),
            )
        ),
    )
    with httpx.Client(base_url=server.base, timeout=120) as http:
        first = _operator(http, key, "upsertCustomers", [customer("API-1", 999)])
        assert first["data"]["upsertCustomers"]["created"] == 1, first
        importing = subprocess.Popen(
            [*ICOK, "import", "--batch-size", "100", str(feed)],
            cwd=workdir,
            env=_env(workdir, ICOK_SECRET_KEY=SECRET),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        answers: list[Any] = []
        while importing.poll() is None:
            number = f"FV/API/{len(answers) + 1}"
            answers.append(_operator(http, key, "upsertInvoices", [invoice(number, "API-1")]))
    out, err = importing.communicate(timeout=120)
    assert importing.returncode == 0, err
    assert "Traceback" not in err
    assert summary_row(out, "customer") == [300, 0, 0, 0]
    assert summary_row(out, "invoice") == [1500, 0, 0, 0]
    assert len(answers) >= 3  # the server wrote while the import ran
    failed = [
        a
        for a in answers
        if a != {"data": {"upsertInvoices": {"created": 1, "results": [{"errors": []}]}}}
    ]
    assert not failed, failed[:3]


def test_a_database_error_is_one_line_and_says_to_run_again(
    workdir: Path, migrated: Callable[[str], None]
) -> None:
    """When the database fails mid-import (here: another process holds SQLite's write lock
    longer than the busy timeout of 0 ms the URL sets), the import stops with one line saying
    to run it again (it resumes), exit status 1, no traceback."""
    database_file = workdir / "icok.sqlite3"
    url = f"sqlite://{database_file}"
    feed = write_lines(workdir / "feed.jsonl", customer("K-1", 1))
    migrated(url)
    holder = sqlite3.connect(database_file, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        result = icok(workdir, "import", str(feed), ICOK_DATABASE_URL=f"{url}?busy_timeout=0")
    finally:
        holder.close()
    assert result.code == 1, result
    assert "Traceback" not in result.err and result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("icok: error: "), result.err
    assert "database is locked" in lines[0] and "run the same command again" in lines[0]
    again = icok(workdir, "import", str(feed), ICOK_DATABASE_URL=url)
    assert again.code == 0, again
    assert sorted(stored(url)[0]) == ["K-1"]
