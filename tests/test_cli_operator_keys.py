"""``icok operator-key create|list|revoke`` of this checkout (``python -m backend.cli``) in a
subprocess, on SQLite and PostgreSQL: the key is printed once and only its hash is stored, it
authenticates until revoked, and refused arguments are one ``icok: error:`` line, status 2."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from backend import db as database
from backend.models.operator import ApiKey
from backend.services import operator_keys
from backend.services.operator_keys import OperatorKey, Scope
from tests.test_cli import Result, icok
from tests.test_cli import migrated as migrated  # the fixtures, re-exported
from tests.test_cli import postgres_url as postgres_url

pytestmark = pytest.mark.real_time  # the CLI runs in subprocesses on real time


def assert_refused(result: Result, *needles: str) -> None:
    """One ``icok: error:`` line naming ``needles``, exit status 2, nothing on stdout."""
    assert result.code == 2, result
    assert "Traceback" not in result.err and result.out == ""
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("icok: error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]


async def _stored_and_used(url: str, key: str) -> tuple[ApiKey, OperatorKey | None]:
    await database.init(url)
    try:
        row = await ApiKey.get(key_hash=hashlib.sha256(key.encode()).hexdigest())
        return row, await operator_keys.authenticate(key)
    finally:
        await database.close()


async def _authenticates(url: str, key: str) -> bool:
    await database.init(url)
    try:
        return await operator_keys.authenticate(key) is not None
    finally:
        await database.close()


def _create_list_revoke(workdir: Path, url: str) -> None:
    env = {"ICOK_DATABASE_URL": url}
    created = icok(
        workdir, "operator-key", "create", "--name", "BSS", "--scope", "billing:write",
        "--scope", "customers:write", env=env,
    )  # fmt: skip
    assert created.code == 0, created
    key = created.out.strip()
    assert created.out == key + "\n" and re.fullmatch(r"icok_op_[A-Za-z0-9_-]{43}", key)
    assert "will not be shown again" in created.err and key not in created.err
    row, used = asyncio.run(_stored_and_used(url, key))
    assert (row.name, row.prefix, row.scopes) == ("BSS", key[:12], "customers:write billing:write")
    assert used is not None and used.scopes == {Scope.BILLING_WRITE, Scope.CUSTOMERS_WRITE}

    listed = icok(workdir, "operator-key", "list", env=env)
    assert listed.code == 0, listed
    (line,) = listed.out.splitlines()
    assert line.startswith(f"BSS  prefix={key[:12]}…  scopes=customers:write,billing:write  ")
    assert re.search(r"created=\d{4}-\d\d-\d\d \d\d:\d\d\+0[12]:00  last-used=\d{4}-", line)
    assert line.endswith("revoked=-") and key[12:] not in listed.out

    taken = icok(
        workdir, "operator-key", "create", "--name", "BSS", "--scope", "events:read", env=env
    )
    assert_refused(taken, "--name", "'BSS' already exists")

    revoked = icok(workdir, "operator-key", "revoke", "BSS", env=env)
    assert revoked.code == 0 and revoked.out.startswith("revoked the operator API key 'BSS'")
    assert not asyncio.run(_authenticates(url, key))
    again = icok(workdir, "operator-key", "revoke", "BSS", env=env)
    assert again.code == 0 and again.out == revoked.out  # harmless, same revocation time
    assert re.search(r"revoked=\d{4}-", icok(workdir, "operator-key", "list", env=env).out)
    assert_refused(icok(workdir, "operator-key", "revoke", "nobody", env=env), "NAME: Not found")


def test_keys_on_sqlite(tmp_path: Path, migrated: Callable[[str], None]) -> None:
    url = f"sqlite://{tmp_path / 'icok.sqlite3'}"
    migrated(url)
    _create_list_revoke(tmp_path, url)


def test_keys_on_postgresql(
    tmp_path: Path, postgres_url: str, migrated: Callable[[str], None]
) -> None:
    migrated(postgres_url)
    _create_list_revoke(tmp_path, postgres_url)


REFUSED = [
    (("--name", "", "--scope", "events:read"), ("--name: This field is required.",)),
    (("--name", "x" * 65, "--scope", "events:read"), ("--name", "64")),
    (("--name", "bss\x1b[31m", "--scope", "events:read"), ("--name", "U+001B")),
    (("--name", "bss", "--scope", "events:write"), ("--scope", "'events:write'", "known:")),
    (("--name", "bss", "--scope", "events:read", "--scope", "x\x1b"), ("'x\ufffd'",)),
    (("--name", "", "--scope", "nope"), ("--name: This field is required.", "'nope'")),
]


def test_refused_arguments_are_one_line(tmp_path: Path, migrated: Callable[[str], None]) -> None:
    (tmp_path / "data").mkdir()
    migrated(f"sqlite://{tmp_path / 'data' / 'icok.sqlite3'}")  # the default database
    for arguments, needles in REFUSED:
        result = icok(tmp_path, "operator-key", "create", *arguments)
        assert_refused(result, *needles)
        assert "\x1b" not in result.err
    listed = icok(tmp_path, "operator-key", "list")
    assert listed.code == 0 and listed.out == ""  # nothing was created
    assert listed.err.strip() == "no operator API keys"


def test_help_lists_the_commands_and_scopes(tmp_path: Path) -> None:
    assert "operator-key" in icok(tmp_path, "--help").out
    create = icok(tmp_path, "operator-key", "create", "--help")
    assert create.code == 0 and create.out.startswith("usage: icok operator-key create")
    for scope in Scope:
        assert scope.value in create.out
    for command in ("create", "list", "revoke"):
        assert command in icok(tmp_path, "operator-key", "--help").out
    assert not (tmp_path / "data").exists()  # help touches nothing
