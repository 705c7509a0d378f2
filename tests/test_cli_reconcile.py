"""``icok payments reconcile`` of this checkout (``python -m backend.cli``) in a subprocess."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from backend import db as database
from backend.clock import now
from backend.config import Settings
from backend.models import Payment
from backend.models.enums import PaymentStatus
from backend.services import payments
from tests.factories import make_customer, make_meta
from tests.test_cli import assert_one_line_error, icok, out_of_date_database
from tests.test_cli import postgres_url as postgres_url  # the fixtures, re-exported
from tests.test_cli import workdir as workdir

pytestmark = pytest.mark.real_time  # the CLI runs in subprocesses on real time

SECRET = "cli-reconcile-secret-" + "r" * 32


def _settings(workdir: Path, url: str) -> Settings:
    return Settings(data_dir=workdir / "data", database_url=url, secret_key=SECRET)


async def _sandbox_payments(settings: Settings) -> tuple[Payment, Payment, Payment]:
    """Sandbox top-ups started 2 hours, 10 minutes and 1 minute ago."""
    await database.init(settings.database_url)
    try:
        customer = await make_customer(settings)
        made = [
            (
                await payments.start_top_up(
                    settings, customer.id, "20", "card", f"cli-rec-{age}", meta=make_meta()
                )
            ).payment
            for age in (120, 10, 1)
        ]
        for payment, age in zip(made, (120, 10, 1), strict=True):
            await Payment.filter(id=payment.id).update(created_at=now() - timedelta(minutes=age))
        return made[0], made[1], made[2]
    finally:
        await database.close()


async def _statuses(url: str) -> dict[int, PaymentStatus]:
    await database.init(url)
    try:
        return {p.id: p.status for p in await Payment.all()}
    finally:
        await database.close()


def _reconcile_prints_what_it_changed(workdir: Path, url: str) -> None:
    env = {"ICOK_DATABASE_URL": url, "ICOK_SECRET_KEY": SECRET}
    assert icok(workdir, "migrate", env=env).code == 0
    old, mid, new = asyncio.run(_sandbox_payments(_settings(workdir, url)))
    first = icok(workdir, "payments", "reconcile", env=env)
    assert first.code == 0, first
    assert "Traceback" not in first.err
    assert first.out.splitlines() == [
        f"payment {old.id} (sandbox {old.provider_ref}): pending -> expired (sandbox: pending)",
        "asked about 2 pending payment(s): 1 changed, 1 unchanged, 0 not answered or refused; "
        "0 left for the next run, 0 of providers not configured here",
    ]
    assert asyncio.run(_statuses(url)) == {
        old.id: PaymentStatus.EXPIRED,
        mid.id: PaymentStatus.PENDING,
        new.id: PaymentStatus.PENDING,
    }
    wider = icok(workdir, "payments", "reconcile", "--older-than", "0", env=env)
    assert wider.code == 0, wider
    assert wider.out.splitlines() == [
        "asked about 2 pending payment(s): 0 changed, 2 unchanged, 0 not answered or refused; "
        "0 left for the next run, 0 of providers not configured here",
    ]


def test_reconcile_on_sqlite(workdir: Path) -> None:
    _reconcile_prints_what_it_changed(workdir, f"sqlite://{workdir / 'icok.sqlite3'}")


def test_reconcile_on_postgresql(workdir: Path, postgres_url: str) -> None:
    _reconcile_prints_what_it_changed(workdir, postgres_url)


def test_reconcile_help(workdir: Path) -> None:
    result = icok(workdir, "payments", "reconcile", "--help")
    assert result.code == 0, result
    assert result.out.startswith("usage: icok payments reconcile")
    for words in ("--older-than", "MINUTES", "ICOK_PAYMENT_TIMEOUT_SECONDS", "pending"):
        assert words in result.out
    assert "reconcile" in icok(workdir, "payments", "--help").out
    assert "payments" in icok(workdir, "--help").out
    assert not (workdir / "data").exists()  # help touches nothing


def test_reconcile_failures_are_one_line(workdir: Path) -> None:
    bad_provider = icok(workdir, "payments", "reconcile", ICOK_PAYMENT_PROVIDER="stripe")
    assert_one_line_error(bad_provider, "ICOK_PAYMENT_PROVIDER")
    no_credentials = icok(workdir, "payments", "reconcile", ICOK_PAYMENT_PROVIDER="payu")
    assert_one_line_error(no_credentials, "ICOK_PAYU_POS_ID")
    production = icok(
        workdir, "payments", "reconcile", ICOK_MODE="production", ICOK_SECRET_KEY=SECRET
    )
    assert_one_line_error(production, "sandbox")
    url = out_of_date_database(workdir)
    outdated = icok(workdir, "payments", "reconcile", ICOK_DATABASE_URL=url)
    assert_one_line_error(outdated, "not up to date")
    unreachable = icok(
        workdir,
        "payments",
        "reconcile",
        ICOK_DATABASE_URL="postgres://icok:secret-pw-xyz@127.0.0.1:1/icok",
    )
    assert_one_line_error(unreachable, "127.0.0.1")
    assert "secret-pw-xyz" not in unreachable.err
    for bad in ("soon", "-1"):
        wrong = icok(workdir, "payments", "reconcile", "--older-than", bad)
        assert wrong.code == 2 and "--older-than" in wrong.err and "Traceback" not in wrong.err
