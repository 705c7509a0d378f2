"""A bench population: N generated customers with realistic related rows, made by set-based SQL
(one ``INSERT … SELECT`` over a number series per table and slot: ``generate_series`` on
PostgreSQL, a recursive CTE on SQLite), so 100,000 customers take seconds, not minutes.

Use it from a bench (on a migrated database, the ORM initialised)::

    from bench.population import populate, seed_catalogue, check_consistent
    await seed_catalogue(settings)             # the demo catalogue, announcements, demo people
    made = await populate(settings, 1_000)     # customers 0..999
    made = await populate(settings, 99_000, start=1_000)   # appended: 100,000 in all
    await check_consistent()                   # raises AssertionError when rows disagree

Every generated customer ``i`` (0-based, across calls) has: a web account (login
``bench{i}@example.com``, password :data:`PASSWORD`, one precomputed bcrypt hash shared by all),
a contract, a satellite-TV service (a base package, every second one an add-on, a leased
decoder and a smart card) and an internet service (every third a mobile-TV one instead) with its
package and a router or SIM, six monthly invoices with a line each (the newest unpaid for every
third customer, the one before it too, overdue, for every tenth), a wallet with a top-up and a
VOD purchase (balance = ledger sum), two personal messages (an invoice notice, read; an urgent
service notice, unread for every fifth) and reads of the broadcast announcements for every
second, and five audit events. Customer 0 (:data:`TYPICAL`) has all of it (unpaid and overdue
invoices, an add-on, an unread urgent message).

Figures are not asserted here; :func:`check_consistent` checks the invariants the app relies on.
``BENCH_POPULATION_TIMES=1`` in the environment prints each statement's time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from backend import clock
from backend.config import Settings
from backend.demo import seed_demo
from backend.demo.dates import add_months
from backend.demo.people import TERMS_VERSION
from backend.models import Package, Title
from backend.models.enums import PackageKind, ServiceKind, TitleKind
from backend.services.passwords import hash_password_sync

PASSWORD = "Bench-hasło-2026!"
"""Every generated account's password."""
TYPICAL = 0
"""The index of the generated customer the benches log in as (it has every kind of row)."""
MONTHS = 6
"""Monthly invoices per customer."""


def login_of(i: int) -> str:
    """The login (e-mail) of generated customer ``i``."""
    return f"bench{i}@example.com"


@dataclass
class Made:
    customers: int
    rows: int
    """Rows inserted in all tables."""
    seconds: float


class _Sql:
    """Writes dialect-neutral statements: ``?`` placeholders, a number series, values."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self.postgres = conn.capabilities.dialect == "postgres"
        self.instant = "CAST(? AS timestamptz)" if self.postgres else "?"
        """A datetime placeholder where PostgreSQL cannot infer the type (inside CASE)."""

    def series(self, first: int, last: int, name: str = "s") -> str:
        """A FROM item of one column ``i``: ``first``..``last`` inclusive."""
        if self.postgres:
            return f"generate_series({first}, {last}) AS {name}(i)"
        return (
            f"(WITH RECURSIVE q(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM q "
            f"WHERE i < {last}) SELECT i FROM q) AS {name}"
        )

    def pad(self, expr: str, width: int) -> str:
        """``expr`` (an integer) as text, zero-padded to ``width`` digits."""
        if self.postgres:
            return f"lpad(({expr})::text, {width}, '0')"
        return f"printf('%0{width}d', {expr})"

    def value(self, v: Any) -> Any:
        if self.postgres:
            return v
        if isinstance(v, datetime):
            return str(v)  # Tortoise's SQLite form: '2026-12-01 04:30:28.995636+00:00'
        if isinstance(v, date):
            return v.isoformat()
        return v

    async def run(self, sql: str, *values: Any) -> None:
        if self.postgres:
            parts = sql.split("?")
            sql = parts[0] + "".join(f"${n}{p}" for n, p in enumerate(parts[1:], 1))
        t = time.perf_counter()
        await self.conn.execute_query(sql, [self.value(v) for v in values])
        if os.environ.get("BENCH_POPULATION_TIMES"):
            print(f"{time.perf_counter() - t:7.2f} s  {sql[:70]}")

    async def next_id(self, table: str) -> int:
        _, rows = await self.conn.execute_query(f"SELECT COALESCE(MAX(id), 0) AS m FROM {table}")
        return int(rows[0]["m"]) + 1

    async def count(self, table: str) -> int:
        _, rows = await self.conn.execute_query(f"SELECT COUNT(*) AS n FROM {table}")
        return int(rows[0]["n"])


def pick(index: str, values: Sequence[Any]) -> str:
    """A CASE choosing ``values[index % len(values)]`` (integers only, written inline)."""
    if len(values) == 1:
        return str(int(values[0]))
    whens = " ".join(f"WHEN {n} THEN {int(v)}" for n, v in enumerate(values))
    return f"(CASE ({index}) % {len(values)} {whens} END)"


async def seed_catalogue(settings: Settings) -> None:
    """The demo data (catalogue, broadcast announcements, the demo customers): the catalogue
    the generated customers subscribe to."""
    await seed_demo(settings)


TABLES = [
    "customer",
    "account",
    "contract",
    "service",
    "subscription",
    "device",
    "invoice",
    "invoice_line",
    "wallet",
    "wallet_transaction",
    "purchase",
    "message",
    "message_read",
    "audit_event",
]


async def populate(settings: Settings, count: int, *, start: int = 0) -> Made:
    """Insert generated customers ``start`` .. ``start + count - 1`` (indexes must not have
    been generated before) in one transaction; needs :func:`seed_catalogue` first. Returns how
    many customers and rows were made and the wall time in seconds. Raises ``LookupError``
    when the catalogue is missing."""
    started = clock.now()
    t0 = datetime.now()
    packages = [p for p in await Package.all() if p.sellable]
    titles = [t for t in await Title.all() if t.kind is TitleKind.VOD]

    def packs(kind: ServiceKind, pkind: PackageKind) -> list[Package]:
        found = [
            p
            for p in packages
            if p.service_kind is kind and p.kind is pkind and p.requires_base_id is None
        ]
        if not found:
            raise LookupError(f"no {pkind} package for {kind} (seed the catalogue first)")
        return sorted(found, key=lambda p: (p.position, p.id))

    sat_base = packs(ServiceKind.SATELLITE_TV, PackageKind.BASE)
    sat_addon = packs(ServiceKind.SATELLITE_TV, PackageKind.ADDON)
    net_base = packs(ServiceKind.INTERNET, PackageKind.BASE)
    mtv_base = packs(ServiceKind.MOBILE_TV, PackageKind.BASE)
    if not titles:
        raise LookupError("no VOD title (seed the catalogue first)")
    title = titles[0]
    password_hash = hash_password_sync(PASSWORD, settings)
    today = clock.today()
    now = started
    signed_on = add_months(today, -MONTHS - 7)
    async with in_transaction() as conn:
        q = _Sql(conn)
        if q.postgres:
            # The generated references are right by construction (and checked on SQLite, which
            # enforces them): skip PostgreSQL's per-row foreign-key triggers for this
            # transaction (needs a superuser; a bench database's owner usually is one).
            await q.run("SET LOCAL session_replication_role = replica")
        before = {t: await q.count(t) for t in TABLES}
        base = {t: await q.next_id(t) for t in TABLES}
        n = count
        j = "s.i"  # 0-based within this call
        i = f"({start} + s.i)"  # the customer's index across calls
        cid = f"({base['customer']} + s.i)"
        series = q.series(0, n - 1)
        # --- customers, accounts, contracts -------------------------------------------------
        await q.run(
            "INSERT INTO customer (id, number, first_name, last_name, pesel_hash, pesel_masked,"
            " birth_date, email, phone, street, postal_code, city, consent_email, consent_sms,"
            " consent_phone, language, created_at, updated_at)"
            f" SELECT {cid}, 'B' || {q.pad(i, 8)}, 'Jan', 'Testowy ' || {i},"
            f" 'bench-pesel-' || {q.pad(i, 8)}, '*********' || {q.pad(f'{i} % 100', 2)}, ?,"
            f" 'bench' || {i} || '@example.com', '5' || {q.pad(i, 8)},"
            f" 'ul. Długa ' || ({i} % 200 + 1), '00-' || {q.pad(f'{i} % 1000', 3)}, 'Warszawa',"
            f" ({i} % 2 = 0), ({i} % 3 = 0), FALSE, 'pl', ?, ? FROM {series}",
            date(1980, 5, 17),
            now,
            now,
        )
        await q.run(
            "INSERT INTO account (id, customer_id, email, password_hash, email_confirmed_at,"
            " terms_version, terms_accepted_at, failed_logins, created_at)"
            f" SELECT {base['account']} + {j}, {cid}, 'bench' || {i} || '@example.com', ?, ?, ?,"
            f" ?, 0, ? FROM {series}",
            password_hash,
            now - timedelta(days=400),
            TERMS_VERSION,
            now - timedelta(days=400),
            now - timedelta(days=400),
        )
        contract = f"({base['contract']} + {j})"
        await q.run(
            "INSERT INTO contract (id, customer_id, number, signed_on, ends_on, status,"
            f" created_at) SELECT {contract}, {cid}, 'BC/' || {q.pad(i, 8)}, ?, NULL, 'active', ?"
            f" FROM {series}",
            signed_on,
            now,
        )
        # --- services: slot 0 satellite TV, slot 1 internet (mobile TV for every third) ------
        sat = f"({base['service']} + 2 * {j})"
        second = f"({base['service']} + 2 * {j} + 1)"
        mobile = f"({i} % 3 = 2)"
        await q.run(
            "INSERT INTO service (id, contract_id, customer_id, kind, identifier, name, status,"
            " activated_on, created_at)"
            f" SELECT {sat}, {contract}, {cid}, 'satellite_tv', '77' || {q.pad(i, 10)},"
            f" 'Dekoder w salonie', 'active', ?, ? FROM {series}",
            signed_on,
            now,
        )
        await q.run(
            "INSERT INTO service (id, contract_id, customer_id, kind, identifier, name, status,"
            " activated_on, created_at)"
            f" SELECT {second}, {contract}, {cid},"
            f" CASE WHEN {mobile} THEN 'mobile_tv' ELSE 'internet' END,"
            f" '6' || {q.pad(i, 8)}, '', 'active', ?, ? FROM {series}",
            signed_on,
            now,
        )
        # --- subscriptions: base and (every second) add-on on TV, a base on the other -------
        sub = base["subscription"]
        base_price = pick(i, [p.monthly_price for p in sat_base])
        addon_price = pick(i, [p.monthly_price for p in sat_addon])
        net_price = pick(i, [p.monthly_price for p in net_base])
        mtv_price = pick(i, [p.monthly_price for p in mtv_base])
        other_price = f"(CASE WHEN {mobile} THEN {mtv_price} ELSE {net_price} END)"
        for slot, service, package, price, where in (
            (0, sat, pick(i, [p.id for p in sat_base]), base_price, "TRUE"),
            (1, sat, pick(i, [p.id for p in sat_addon]), addon_price, f"{i} % 2 = 0"),
            (
                2,
                second,
                f"(CASE WHEN {mobile} THEN {pick(i, [p.id for p in mtv_base])}"
                f" ELSE {pick(i, [p.id for p in net_base])} END)",
                other_price,
                "TRUE",
            ),
        ):
            await q.run(
                "INSERT INTO subscription (id, service_id, package_id, starts_on, ends_on,"
                " monthly_price, created_at)"
                f" SELECT {sub} + 3 * {j} + {slot}, {service}, {package}, ?, NULL, {price}, ?"
                f" FROM {series} WHERE {where}",
                signed_on,
                now,
            )
        # --- devices: decoder and smart card on TV, a router (a SIM on mobile TV) -----------
        for slot, service, kind, model, prefix in (
            (0, sat, "'decoder'", "'Ferguson Ariva 4K'", "BD"),
            (1, sat, "'smart_card'", "'Karta Conax'", "BK"),
            (2, second, f"CASE WHEN {mobile} THEN 'sim_card' ELSE 'router' END", "'ZTE MF296R'",
             "BR"),
        ):  # fmt: skip
            await q.run(
                "INSERT INTO device (id, customer_id, service_id, kind, model, serial_number,"
                " ownership, installed_on)"
                f" SELECT {base['device']} + 3 * {j} + {slot}, {cid}, {service}, {kind}, {model},"
                f" '{prefix}' || {q.pad(i, 9)}, 'leased', ? FROM {series}",
                signed_on,
            )
        # --- invoices: six months, the newest unpaid for every third, also the one before
        # (overdue) for every tenth; one line each -------------------------------------------
        gross = (
            f"({base_price} + CASE WHEN {i} % 2 = 0 THEN {addon_price} ELSE 0 END + {other_price})"
        )
        net = f"({gross} * 100 / 123)"
        this_month = today.replace(day=1)
        for m in range(MONTHS):
            period_start = add_months(this_month, -MONTHS + m)
            period_end = add_months(period_start, 1) - timedelta(days=1)
            issued = period_end + timedelta(days=1)
            due = issued + timedelta(days=14)
            if m == MONTHS - 1:
                unpaid = f"{i} % 3 = 0"
            elif m == MONTHS - 2:
                unpaid = f"{i} % 10 = 0"
            else:
                unpaid = "FALSE"
            inv = f"({base['invoice']} + {MONTHS} * {j} + {m})"
            paid_at = clock.start_of(due) - timedelta(days=3)
            await q.run(
                "INSERT INTO invoice (id, customer_id, contract_id, number, period_start,"
                " period_end, issued_on, due_on, net, vat, gross, status, paid_at, paid_outside,"
                " payment_reference, bank_account, created_at)"
                f" SELECT {inv}, {cid}, {contract},"
                f" 'FB/{period_start:%Y/%m}/' || {q.pad(i, 8)}, ?, ?, ?, ?, {net},"
                f" {gross} - {net}, {gross},"
                f" CASE WHEN {unpaid} THEN 'unpaid' ELSE 'paid' END,"
                f" CASE WHEN {unpaid} THEN NULL ELSE {q.instant} END, FALSE, '', '', ?"
                f" FROM {series}",
                period_start,
                period_end,
                issued,
                due,
                paid_at,
                clock.start_of(issued),
            )
            await q.run(
                "INSERT INTO invoice_line (invoice_id, position, description, quantity,"
                " unit_net, net, vat_rate, vat, gross)"
                f" SELECT {inv}, 1, 'Abonament {period_start:%m/%Y}', 1, {net}, {net}, 23,"
                f" {gross} - {net}, {gross} FROM {series}",
            )
        # --- wallet: a top-up, a VOD rental; balance = the ledger's sum ----------------------
        wallet = f"({base['wallet']} + {j})"
        top_up = 5000
        balance = top_up - title.price
        await q.run(
            f"INSERT INTO wallet (id, customer_id, balance, updated_at) SELECT {wallet}, {cid},"
            f" {balance}, ? FROM {series}",
            now,
        )
        tx = f"({base['wallet_transaction']} + 2 * {j})"
        bought = now - timedelta(days=20)
        await q.run(
            "INSERT INTO wallet_transaction (id, wallet_id, kind, amount, balance_after,"
            f" description, created_at) SELECT {tx}, {wallet}, 'top_up', {top_up}, {top_up},"
            f" 'Doładowanie', ? FROM {series}",
            now - timedelta(days=21),
        )
        await q.run(
            "INSERT INTO wallet_transaction (id, wallet_id, kind, amount, balance_after,"
            f" description, created_at) SELECT {tx} + 1, {wallet}, 'purchase', {-title.price},"
            f" {balance}, ?, ? FROM {series}",
            title.name,
            bought,
        )
        await q.run(
            "INSERT INTO purchase (customer_id, title_id, price, transaction_id, created_at,"
            f" available_until) SELECT {cid}, {title.id}, {title.price}, {tx} + 1, ?, ?"
            f" FROM {series}",
            bought,
            bought + timedelta(hours=title.rental_hours),
        )
        # --- messages: an invoice notice (read), an urgent service notice (unread for every
        # fifth); reads of every broadcast for every second customer ------------------------
        msg = f"({base['message']} + 2 * {j})"
        await q.run(
            "INSERT INTO message (id, customer_id, category, subject, body, urgent, published_at)"
            f" SELECT {msg}, {cid}, 'billing', 'Nowa faktura', 'Wystawiliśmy fakturę.', FALSE, ?"
            f" FROM {series}",
            now - timedelta(days=10),
        )
        await q.run(
            "INSERT INTO message (id, customer_id, category, subject, body, urgent, published_at)"
            f" SELECT {msg} + 1, {cid}, 'service', 'Prace serwisowe w Twojej okolicy',"
            f" 'W nocy możliwe przerwy w sygnale.', TRUE, ? FROM {series}",
            now - timedelta(days=2),
        )
        await q.run(
            "INSERT INTO message_read (message_id, customer_id, read_at)"
            f" SELECT {msg}, {cid}, ? FROM {series}",
            now - timedelta(days=9),
        )
        await q.run(
            "INSERT INTO message_read (message_id, customer_id, read_at)"
            f" SELECT {msg} + 1, {cid}, ? FROM {series} WHERE {i} % 5 <> 0",
            now - timedelta(days=1),
        )
        await q.run(
            "INSERT INTO message_read (message_id, customer_id, read_at)"
            f" SELECT m.id, {cid}, ? FROM {series} CROSS JOIN message m"
            f" WHERE m.customer_id IS NULL AND {i} % 2 = 1",
            now - timedelta(days=1),
        )
        # --- audit: five logins each -------------------------------------------------------
        await q.run(
            "INSERT INTO audit_event (customer_id, kind, ip, user_agent, details, created_at)"
            f" SELECT {cid}, 'login', '203.0.113.' || ({i} % 250 + 1), 'Mozilla/5.0 (bench)',"
            f" '{{}}', ? FROM {series} CROSS JOIN {q.series(1, 5, 'k')}",
            now - timedelta(days=3),
        )
        if q.postgres:  # explicit ids: move the sequences past them
            for t in TABLES:
                await q.run(
                    f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
                )
        after = {t: await q.count(t) for t in TABLES}
        if q.postgres:  # fresh statistics, as autovacuum would soon give a real database
            await q.run("ANALYZE")
    return Made(
        customers=count,
        rows=sum(after[t] - before[t] for t in TABLES),
        seconds=(datetime.now() - t0).total_seconds(),
    )


async def check_consistent() -> dict[str, int]:
    """Checks what the app relies on across all customers: wallet balance = ledger sum = last
    balance_after, invoice gross = net + vat = its lines, every service's customer is its
    contract's, every subscription's package fits its service's kind. Returns row counts per
    table; raises ``AssertionError`` naming the first disagreement."""
    conn = connections.get("default")
    checks = {
        "wallet balance = ledger sum": "SELECT COUNT(*) AS n FROM wallet w WHERE w.balance <>"
        " (SELECT COALESCE(SUM(t.amount), 0) FROM wallet_transaction t WHERE t.wallet_id = w.id)",
        "invoice gross = net + vat = lines": "SELECT COUNT(*) AS n FROM invoice v WHERE"
        " v.gross <> v.net + v.vat OR v.gross <> (SELECT COALESCE(SUM(l.gross), 0)"
        " FROM invoice_line l WHERE l.invoice_id = v.id)",
        "service customer = contract customer": "SELECT COUNT(*) AS n FROM service s JOIN"
        " contract c ON c.id = s.contract_id WHERE s.customer_id <> c.customer_id",
        "package fits service": "SELECT COUNT(*) AS n FROM subscription b JOIN service s ON"
        " s.id = b.service_id JOIN package p ON p.id = b.package_id"
        " WHERE p.service_kind <> s.kind",
        "device customer = service customer": "SELECT COUNT(*) AS n FROM device d JOIN service s"
        " ON s.id = d.service_id WHERE d.customer_id <> s.customer_id",
    }
    for name, sql in checks.items():
        _, rows = await conn.execute_query(sql)
        assert int(rows[0]["n"]) == 0, f"{name}: {rows[0]['n']} rows disagree"
    counts = {}
    for t in TABLES:
        _, rows = await conn.execute_query(f"SELECT COUNT(*) AS n FROM {t}")
        counts[t] = int(rows[0]["n"])
    return counts
