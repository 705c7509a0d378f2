"""Migrations: they apply on fresh SQLite and PostgreSQL databases, the models have no change
without a migration, the CHECK constraints bite, and an out-of-date database is refused."""

from __future__ import annotations

import asyncio
import secrets
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError
from tortoise.migrations.api import migrate as migrate_api
from tortoise.migrations.autodetector import MigrationAutodetector

from backend import db as database
from backend.app import create_app
from backend.clock import now
from backend.config import Settings
from backend.db import MigrationsPending, prepare_database
from backend.models import (
    Account,
    Customer,
    Invoice,
    Payment,
    Subscription,
    Wallet,
    WalletTransaction,
)
from backend.models.enums import PaymentMethod, PaymentPurpose, WalletTransactionKind
from backend.services.accounts import find_account
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES, TEST_SECRET, _pg_admin, _with_database
from tests.factories import (
    make_catalogue,
    make_customer,
    make_service,
    subscribe,
)

MIGRATIONS_DIR = Path(database.__file__).parent / "migrations"
ALL_MIGRATIONS = sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))


def _postgres_or_skip() -> str:
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("ICOK_REQUIRE_POSTGRES=1 but ICOK_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL tests skipped: set ICOK_TEST_POSTGRES_URL to run them")
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new, empty database (nothing migrated)."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'fresh.sqlite3'}"
        return
    admin = _postgres_or_skip()
    name = f"icok_fresh_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(admin, f'CREATE DATABASE "{name}"'))
    yield _with_database(admin, name)
    asyncio.run(_pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest_asyncio.fixture
async def half_migrated(fresh_url: str) -> AsyncIterator[str]:
    """A database with only the first migration applied (an out-of-date deployment)."""
    await migrate_api(config=database.tortoise_config(fresh_url), target="models.0001_initial")
    await database.close()
    yield fresh_url
    await database.close()


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=url, secret_key=TEST_SECRET)


async def _tables() -> set[str]:
    conn = get_connection("default")
    if conn.capabilities.dialect == "sqlite":
        _, rows = await conn.execute_query("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        _, rows = await conn.execute_query(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        )
    return {row["name"] for row in rows}


async def _indexed_columns() -> set[tuple[str, tuple[str, ...]]]:
    """Every (table, columns) with an index, read from the database itself."""
    conn = get_connection("default")
    found = set()
    if conn.capabilities.dialect == "sqlite":
        _, indexes = await conn.execute_query(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'"
        )
        for index in indexes:
            _, columns = await conn.execute_query(f'PRAGMA index_info("{index["name"]}")')
            names = tuple(c["name"] for c in sorted(columns, key=lambda c: c["seqno"]))
            found.add((index["tbl_name"], names))
    else:
        _, rows = await conn.execute_query(
            "SELECT t.relname AS table, array_agg(a.attname ORDER BY k.n) AS columns "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
            "GROUP BY i.indexrelid, t.relname"
        )
        found = {(row["table"], tuple(row["columns"])) for row in rows}
    return found


async def test_migrations_apply_on_a_fresh_database(fresh_url: str) -> None:
    applied = await database.migrate(fresh_url)
    await database.close()
    assert applied == ALL_MIGRATIONS
    await database.init(fresh_url)
    try:
        assert await database.pending_migrations() == []
        assert await database.applied_migrations() == ALL_MIGRATIONS
        model_tables = {m._meta.db_table for m in Tortoise.apps.get_models_iterable()}
        assert model_tables <= await _tables()
        # Every index the models declare exists (a table rebuilt on SQLite used to lose them).
        declared = {
            (m._meta.db_table, tuple(index))
            for m in Tortoise.apps.get_models_iterable()
            for index in m._meta.indexes
        }
        assert declared - await _indexed_columns() == set()
    finally:
        await database.close()
    # a second run is a no-op
    assert await database.migrate(fresh_url) == []
    await database.close()


@pytest_asyncio.fixture
async def orm() -> AsyncIterator[None]:
    """The ORM initialised on an in-memory database (the autodetector needs only the models)."""
    await database.init("sqlite://:memory:")
    yield
    await database.close()


async def test_no_model_change_is_missing_a_migration(orm) -> None:
    config = {database.APP: database.tortoise_config("")["apps"][database.APP]}
    changes = await MigrationAutodetector(Tortoise.apps, config).changes()
    assert changes == [], (
        "models changed without a migration: run "
        "'tortoise -c backend.db.TORTOISE_ORM makemigrations' "
        f"({[w.operations for w in changes]})"
    )


async def test_the_autodetector_sees_unmigrated_models(orm, tmp_path: Path, monkeypatch) -> None:
    """The check above can fail: against an empty migrations package it finds every model."""
    package = tmp_path / "empty_migrations"
    package.mkdir()
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    config = {
        database.APP: {
            **database.tortoise_config("")["apps"][database.APP],
            "migrations": package.name,
        }
    }
    try:
        changes = await MigrationAutodetector(Tortoise.apps, config).changes()
    finally:
        sys.modules.pop(package.name, None)
    assert changes and len(changes[0].operations) >= 20


async def test_wallet_balance_cannot_go_negative_in_the_database(db, settings) -> None:
    customer = await make_customer(settings)
    wallet = await Wallet.create(customer=customer, balance=500)
    with pytest.raises(IntegrityError):
        await Wallet.filter(id=wallet.id).update(balance=-1)
    with pytest.raises(IntegrityError):
        await Wallet.create(customer=await make_customer(settings), balance=-100)
    await wallet.refresh_from_db()
    assert wallet.balance == 500
    await Wallet.filter(id=wallet.id).update(balance=0)  # zero is fine
    with pytest.raises(IntegrityError):
        await WalletTransaction.create(
            wallet=wallet,
            kind=WalletTransactionKind.PURCHASE,
            amount=-600,
            balance_after=-100,
            created_at=now(),
        )


async def test_other_checks_bite(db, settings) -> None:
    customer = await make_customer(settings)
    with pytest.raises(IntegrityError):
        await Invoice.create(
            customer=customer,
            number="FV/2026/01/000001",
            period_start=date(2025, 12, 1),
            period_end=date(2025, 12, 31),
            issued_on=date(2026, 1, 1),
            due_on=date(2026, 1, 15),
            net=1000,
            vat=230,
            gross=1231,
        )
    with pytest.raises(IntegrityError):
        await Payment.create(
            customer=customer,
            purpose=PaymentPurpose.WALLET_TOP_UP,
            amount=0,
            method=PaymentMethod.BLIK,
            provider="sandbox",
            idempotency_key="k1",
            created_at=now(),
        )


async def test_a_promotional_price_needs_its_end(db, settings) -> None:
    cat = await make_catalogue()
    service = await make_service(await make_customer(settings))
    ok = await subscribe(service, cat.sat_base)
    ok.promo_price, ok.promo_until = 0, date(2026, 12, 31)
    await ok.save()  # a free month is a price
    for price, until in ((1749, None), (None, date(2026, 12, 31)), (-1, date(2026, 12, 31))):
        with pytest.raises(IntegrityError):
            await Subscription.filter(id=ok.id).update(promo_price=price, promo_until=until)


async def test_prepare_database_migrates_an_empty_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'new.sqlite3'}"
    await prepare_database(_settings(tmp_path, url))
    try:
        assert await database.pending_migrations() == []
    finally:
        await database.close()


async def test_prepare_database_refuses_an_out_of_date_database(
    half_migrated: str, tmp_path: Path
) -> None:
    with pytest.raises(MigrationsPending) as exc:
        await prepare_database(_settings(tmp_path, half_migrated))
    message = str(exc.value)
    assert "icok migrate" in message
    assert "0002_check_constraints" in message
    assert "\n" not in message


async def test_prepare_database_never_migrates_postgresql_by_itself(tmp_path: Path) -> None:
    """Only the embedded database is created on start; a server database needs 'icok migrate'."""
    admin = _postgres_or_skip()
    name = f"icok_empty_{secrets.token_hex(4)}"
    await _pg_admin(admin, f'CREATE DATABASE "{name}"')
    try:
        with pytest.raises(MigrationsPending):
            await prepare_database(_settings(tmp_path, _with_database(admin, name)))
    finally:
        await database.close()
        await _pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_readyz_answers_503_with_pending_migrations(half_migrated: str, tmp_path) -> None:
    await database.init(half_migrated)
    settings = _settings(tmp_path, half_migrated).with_overrides(readiness_cache_seconds=0)
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["code"] == "MIGRATIONS_PENDING"
        assert ready.json()["database"] == "migrations pending"
        assert ready.json()["pending"][0] == "0002_check_constraints"
        assert (await client.get("/healthz")).status_code == 200
    await database.migrate(half_migrated)
    await database.init(half_migrated)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/readyz")).status_code == 200


async def test_readyz_answers_503_when_the_database_is_gone(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'gone.sqlite3'}"
    await database.migrate(url)
    await database.close()
    app = create_app(_settings(tmp_path, url), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        ready = await client.get("/readyz")  # the ORM is closed: no connection
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"


async def _account_at_0004(customer: Customer, email: str) -> Account:
    """An account row with only the columns the table had at 0004 (the model has more now)."""
    connection = get_connection("default")
    sqlite = connection.capabilities.dialect == "sqlite"
    columns = "customer_id, email, password_hash, email_confirmed_at, terms_version, "
    columns += "terms_accepted_at, failed_logins, created_at"
    at = now()
    if sqlite:
        values, params = (
            "?, ?, '!unusable', ?, '2026-01', ?, 0, ?",
            [customer.id, email, at, at, at],
        )
    else:
        values, params = "$1, $2, '!unusable', $3, '2026-01', $3, 0, $3", [customer.id, email, at]
    sql = f"INSERT INTO account ({columns}) VALUES ({values})"  # noqa: S608 (constants only)
    await connection.execute_query(sql, params)
    return await Account.filter(email=email).only("id").get()


async def test_stored_punycode_addresses_get_their_canonical_form(
    fresh_url: str, settings: Settings
) -> None:
    """0005: an address stored in ASCII form before email-validator is found by either form."""
    await migrate_api(
        config=database.tortoise_config(fresh_url), target="models.0004_login_email_change"
    )
    await database.close()
    await database.init(fresh_url)
    try:
        customer = await make_customer(settings, email="Kontakt@XN--W-UGA1V8H.PL")
        account = await _account_at_0004(customer, "jan@xn--w-uga1v8h.pl")
        taken = await _account_at_0004(await make_customer(settings), "ewa@żółw.pl")
        duplicate = await _account_at_0004(await make_customer(settings), "ewa@xn--w-uga1v8h.pl")
    finally:
        await database.close()
    assert (await database.migrate(fresh_url))[0] == "0005_canonical_emails"
    await database.close()
    await database.init(fresh_url)
    try:
        assert (await Customer.get(id=customer.id)).email == "kontakt@żółw.pl"
        assert (await Account.get(id=account.id)).email == "jan@żółw.pl"
        assert await find_account("jan@xn--w-uga1v8h.pl") == account
        assert (await Account.get(id=taken.id)).email == "ewa@żółw.pl"
        assert (await Account.get(id=duplicate.id)).email == "ewa@xn--w-uga1v8h.pl"  # kept
    finally:
        await database.close()
