"""``icok payments reconcile`` of this checkout (``python -m backend.cli``) in a subprocess."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from backend import db as database
from backend.clock import now
from backend.config import Settings
from backend.models import OutboxMessage, Payment, Wallet
from backend.models.enums import PaymentStatus
from backend.services import payments
from tests.factories import make_customer, make_meta
from tests.payu_emulator import PayUEmulator
from tests.test_cli import assert_one_line_error, icok, out_of_date_database
from tests.test_cli import migrated as migrated  # the fixtures, re-exported
from tests.test_cli import postgres_url as postgres_url
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


def test_reconcile_on_sqlite(workdir: Path, migrated: Callable[[str], None]) -> None:
    url = f"sqlite://{workdir / 'icok.sqlite3'}"
    migrated(url)
    _reconcile_prints_what_it_changed(workdir, url)


def test_reconcile_on_postgresql(
    workdir: Path, postgres_url: str, migrated: Callable[[str], None]
) -> None:
    migrated(postgres_url)
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
        workdir,
        "payments",
        "reconcile",
        ICOK_MODE="production",
        ICOK_SECRET_KEY=SECRET,
        ICOK_BASE_URL="https://icok.example.pl",
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


async def test_reconcile_asks_payu_and_settles(
    workdir: Path, db: str, payu_settings: Settings, payu_emulator: PayUEmulator
) -> None:
    """The command in a subprocess asks the PayU emulator (real HTTP) about two payments whose
    notifications were lost: one paid (settled, one receipt in the outbox), one cancelled."""
    customer = await make_customer(payu_settings, email="cli-payu@example.com")
    made = [
        (
            await payments.start_top_up(
                payu_settings, customer.id, "20", "blik", f"cli-payu-{i}", meta=make_meta()
            )
        ).payment
        for i in range(2)
    ]
    paid, cancelled = made
    payu_emulator.drop_notifications = 3
    await payu_emulator.pay(paid.provider_ref or "")
    await payu_emulator.cancel(cancelled.provider_ref or "")
    await Payment.filter(id__in=[p.id for p in made]).update(
        created_at=now() - timedelta(minutes=10)
    )
    pos = payu_emulator.pos_settings()
    env = {
        "ICOK_DATABASE_URL": db,
        "ICOK_SECRET_KEY": payu_settings.secret_key,
        "ICOK_BASE_URL": payu_settings.base_url,
        "ICOK_PAYMENT_PROVIDER": "payu",
        "ICOK_PAYU_POS_ID": pos.pos_id,
        "ICOK_PAYU_CLIENT_ID": pos.client_id,
        "ICOK_PAYU_CLIENT_SECRET": pos.client_secret,
        "ICOK_PAYU_SECOND_KEY": pos.second_key,
        "ICOK_PAYU_API_URL": pos.api_url,
    }
    # in a thread: the emulator answers from this test's event loop meanwhile
    result = await asyncio.to_thread(icok, workdir, "payments", "reconcile", env=env)
    assert result.code == 0, result
    assert result.out.splitlines() == [
        f"payment {paid.id} (payu {paid.provider_ref}): pending -> paid (payu: paid)",
        f"payment {cancelled.id} (payu {cancelled.provider_ref}): pending -> cancelled "
        "(payu: cancelled)",
        "asked about 2 pending payment(s): 2 changed, 0 unchanged, 0 not answered or refused; "
        "0 left for the next run, 0 of providers not configured here",
    ]
    assert pos.client_secret not in result.out + result.err
    assert ("GET", f"/api/v2_1/orders/{paid.provider_order_id}") in payu_emulator.calls
    assert {p.id: p.status for p in await Payment.all()} == {
        paid.id: PaymentStatus.PAID,
        cancelled.id: PaymentStatus.CANCELLED,
    }
    assert (await Wallet.get(customer_id=customer.id)).balance == 2000
    assert await OutboxMessage.filter(to="cli-payu@example.com").count() == 1  # the receipt

    calls = len(payu_emulator.calls)
    again = await asyncio.to_thread(icok, workdir, "payments", "reconcile", env=env)
    assert again.code == 0 and again.out.startswith("asked about 0 pending payment(s)"), again
    assert len(payu_emulator.calls) == calls  # nothing pending: PayU is not asked
