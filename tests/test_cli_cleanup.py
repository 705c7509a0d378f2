"""``icok cleanup`` of this checkout (``python -m backend.cli``) in a subprocess, on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from backend import db as database
from backend.clock import now
from backend.config import Settings
from backend.models import Payment, Session
from backend.models.enums import PaymentStatus
from backend.services import payments, sessions
from tests.factories import (
    make_account,
    make_captcha,
    make_customer,
    make_meta,
    make_rate_limit,
)
from tests.test_cli import assert_one_line_error, icok, out_of_date_database
from tests.test_cli import migrated as migrated  # the fixtures, re-exported
from tests.test_cli import postgres_url as postgres_url

pytestmark = pytest.mark.real_time  # the CLI runs in subprocesses on real time

SECRET = "cli-cleanup-secret-" + "s" * 32


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


def _settings(workdir: Path, url: str) -> Settings:
    return Settings(data_dir=workdir / "data", database_url=url, secret_key=SECRET)


async def _stale_rows(settings: Settings) -> int:
    """Two dead sessions, one live; an old captcha; an ended window; a stale payment."""
    await database.init(settings.database_url)
    try:
        customer = await make_customer(settings)
        account = await make_account(customer)
        at = now()
        for revoked in (at - timedelta(days=2), at - timedelta(days=3), None):
            _, row = await sessions.create_session(account, settings, meta=make_meta())
            await Session.filter(id=row.id).update(revoked_at=revoked)
        await make_captcha(at - timedelta(hours=1))
        await make_rate_limit("login-ip:198.51.100.7", count=3, window_ends_at=at)
        stale = await payments.start_top_up(
            settings, customer.id, "20", "card", "cli-stale-1", meta=make_meta()
        )
        await Payment.filter(id=stale.payment.id).update(created_at=at - timedelta(hours=2))
        return stale.payment.id
    finally:
        await database.close()


async def _status(url: str, payment_id: int) -> tuple[PaymentStatus, int]:
    await database.init(url)
    try:
        return (await Payment.get(id=payment_id)).status, await Session.all().count()
    finally:
        await database.close()


def _cleanup_removes_and_reports(workdir: Path, url: str) -> None:
    """``url``: a migrated database."""
    env = {"ICOK_DATABASE_URL": url, "ICOK_SECRET_KEY": SECRET}
    payment_id = asyncio.run(_stale_rows(_settings(workdir, url)))
    first = icok(workdir, "cleanup", env=env)
    assert first.code == 0, first
    assert first.out.strip() == (
        "removed 2 session(s), 0 device login(s), 0 account token(s), 1 captcha(s), 1 rate-limit window(s); "
        "expired 1 pending payment(s)"
    )
    assert "Traceback" not in first.err
    assert asyncio.run(_status(url, payment_id)) == (PaymentStatus.EXPIRED, 1)
    second = icok(workdir, "cleanup", env=env)
    assert second.code == 0, second
    assert second.out.startswith(
        "removed 0 session(s), 0 device login(s), 0 account token(s), 0 captcha(s)"
    )


def test_cleanup_help(workdir: Path) -> None:
    result = icok(workdir, "cleanup", "--help")
    assert result.code == 0, result
    assert result.out.startswith("usage: icok cleanup")
    for words in ("sessions", "captchas", "rate-limit", "ICOK_PAYMENT_TIMEOUT_SECONDS"):
        assert words in result.out
    assert "cleanup" in icok(workdir, "--help").out
    assert not (workdir / "data").exists()  # help touches nothing


def test_cleanup_on_sqlite(workdir: Path, migrated: Callable[[str], None]) -> None:
    url = f"sqlite://{workdir / 'icok.sqlite3'}"
    migrated(url)
    _cleanup_removes_and_reports(workdir, url)


def test_cleanup_on_postgresql(
    workdir: Path, postgres_url: str, migrated: Callable[[str], None]
) -> None:
    refused = icok(workdir, "cleanup", ICOK_DATABASE_URL=postgres_url, ICOK_SECRET_KEY=SECRET)
    assert_one_line_error(refused, "not up to date", "icok migrate")  # never migrates PostgreSQL
    migrated(postgres_url)
    _cleanup_removes_and_reports(workdir, postgres_url)


def test_cleanup_failures_are_one_line(workdir: Path) -> None:
    unreachable = icok(
        workdir, "cleanup", ICOK_DATABASE_URL="postgres://icok:secret-pw-xyz@127.0.0.1:1/icok"
    )
    assert_one_line_error(unreachable, "127.0.0.1")
    assert "secret-pw-xyz" not in unreachable.err  # the password is not printed
    bad_setting = icok(workdir, "cleanup", ICOK_PAYMENT_TIMEOUT_SECONDS="soon")
    assert_one_line_error(bad_setting, "ICOK_PAYMENT_TIMEOUT_SECONDS")
    url = out_of_date_database(workdir)
    assert_one_line_error(icok(workdir, "cleanup", ICOK_DATABASE_URL=url), "not up to date")
