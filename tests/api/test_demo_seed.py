"""The demo seed: every identifier valid, money adding up, the four scenarios present, and
idempotent (a second run changes nothing). Runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from importlib import resources

import pytest
from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.exceptions import DoesNotExist

from backend import demo
from backend.clock import clock, day_of, today
from backend.config import Settings
from backend.demo import feed, people
from backend.models import (
    Account,
    AuditEvent,
    Channel,
    ContactRequest,
    Contract,
    Customer,
    Device,
    Invoice,
    Message,
    MessageRead,
    Offer,
    Package,
    Payment,
    Purchase,
    Service,
    ServiceUsage,
    Title,
    Wallet,
    WalletTransaction,
)
from backend.models.enums import (
    DeviceKind,
    InvoiceStatus,
    PackageKind,
    PaymentPurpose,
    PaymentStatus,
    ServiceKind,
    ServiceStatus,
    SuspensionReason,
    TitleKind,
)
from backend.services import passwords
from backend.services.billing import invoice_totals, payment_account, seller_snapshot, vat_summary
from backend.services.identifiers import (
    normalise_email,
    normalise_identifier,
    normalise_phone,
    normalise_postal_code,
    parse_pesel,
    pesel_birth_date,
    pesel_hash,
)

INVOICE_NUMBER = re.compile(r"^FV/\d{4}/\d{2}/\d{6}$")


def _vat_from_gross(gross: int) -> int:
    return round(Decimal(gross) * 23 / 123)  # half-up is moot: x * 23 / 123 never ends in .5


async def _customer(key: str) -> Customer:
    spec = next(s for s in people.CUSTOMERS if s.key == key)
    return await Customer.get(number=spec.number)


async def _row_counts() -> dict[str, int]:
    conn = get_connection("default")
    tables = {m._meta.db_table for m in Tortoise.apps.get_models_iterable()}
    tables |= {"package_channel", "payment_invoice"}
    counts = {}
    for table in sorted(tables):
        _, rows = await conn.execute_query(f'SELECT COUNT(*) AS n FROM "{table}"')  # noqa: S608 (model tables)
        counts[table] = rows[0]["n"]
    return counts


async def test_database_is_empty_until_seeded(db, settings: Settings) -> None:
    assert await demo.database_is_empty()
    summary = await demo.seed_demo(settings)
    assert summary.created_customers == 4
    assert not await demo.database_is_empty()


async def test_identifiers_are_valid(db, settings: Settings) -> None:
    await demo.seed_demo(settings)
    customers = await Customer.all()
    assert len(customers) >= 4
    for spec in people.CUSTOMERS:
        customer = await Customer.get(number=spec.number)
        pesel = demo.pesel_of(spec)
        assert parse_pesel(pesel, today=today()) == pesel
        assert pesel_birth_date(pesel) == customer.birth_date == spec.born
        assert customer.pesel_hash == pesel_hash(pesel, settings.secret_key)
        assert customer.pesel_masked == "*********" + pesel[9:]
        assert pesel not in customer.pesel_masked
        assert normalise_email(customer.email or "") == customer.email
        assert normalise_phone(customer.phone or "") == customer.phone
        assert normalise_postal_code(customer.postal_code) == customer.postal_code
    for service in await Service.all():
        assert normalise_identifier(service.identifier) == service.identifier
        if service.kind is ServiceKind.SATELLITE_TV:
            assert re.fullmatch(r"\d{12}", service.identifier)
        else:
            assert re.fullmatch(r"[5-8]\d{8}", service.identifier)
    for contract in await Contract.all():
        assert re.fullmatch(r"UM/\d{4}/\d{6}(-\d)?", contract.number), contract.number
        # The year the file gave the number: the file's day moved to today (backend.demo.feed).
        signed_in_file = contract.signed_on - (today() - feed.FILE_DAY)
        assert contract.number[3:7] == str(signed_in_file.year)
    # PESELs are distinct, and the century encoding is exercised (one born in the 2000s)
    pesels = [demo.pesel_of(s) for s in people.CUSTOMERS]
    assert len(set(pesels)) == len(pesels)
    assert any(int(p[2:4]) > 20 for p in pesels)


async def test_catalogue(db, settings: Settings) -> None:
    await demo.seed_demo(settings)
    packages = await Package.all().prefetch_related("channels", "requires_base")
    kinds = Counter((p.service_kind, p.kind) for p in packages)
    for service_kind in ServiceKind:
        assert kinds[(service_kind, PackageKind.BASE)] >= 2, service_kind
        assert kinds[(service_kind, PackageKind.ADDON)] >= 1, service_kind
    for package in packages:
        assert package.monthly_price > 0
        if package.service_kind is ServiceKind.INTERNET:
            assert package.data_limit_mb and package.data_limit_mb > 0
        else:
            assert len(package.channels) >= 4, package.code
    by_code = {p.code: p for p in packages}
    assert by_code["SAT_CANAL"].requires_base is not None
    assert by_code["SAT_CANAL"].requires_base.code == "SAT_MAX"
    # bigger base packages contain the smaller ones
    start = {c.name for c in by_code["SAT_START"].channels}
    family = {c.name for c in by_code["SAT_FAMILY"].channels}
    maximum = {c.name for c in by_code["SAT_MAX"].channels}
    assert start < family < maximum
    assert await Channel.all().count() >= 80
    titles = await Title.all()
    assert {t.kind for t in titles} == {TitleKind.VOD, TitleKind.PPV}
    assert any(t.featured and t.kind is TitleKind.VOD for t in titles)
    assert any(t.featured and t.kind is TitleKind.PPV for t in titles)
    assert all(t.price > 0 for t in titles)
    assert all(t.event_starts_at for t in titles if t.kind is TitleKind.PPV)


async def test_invoices_add_up(db, settings: Settings) -> None:
    await demo.seed_demo(settings)
    invoices = await Invoice.all().prefetch_related("lines", "payments")
    numbers = [i.number for i in invoices]
    assert len(numbers) == len(set(numbers))
    per_customer = Counter(i.customer_id for i in invoices)
    assert all(n == 12 for n in per_customer.values()), per_customer
    for invoice in invoices:
        assert INVOICE_NUMBER.match(invoice.number), invoice.number
        assert invoice.lines
        assert invoice.gross == sum(line.gross for line in invoice.lines)
        assert (invoice.net, invoice.vat, invoice.gross) == invoice_totals(
            vat_summary(invoice.lines)
        )
        assert invoice.gross == invoice.net + invoice.vat
        for line in invoice.lines:
            assert line.gross == line.net + line.vat
            assert line.vat_rate == 23
            assert line.vat == _vat_from_gross(line.gross)
            assert line.net == line.unit_net * line.quantity
        assert invoice.period_start <= invoice.period_end < invoice.issued_on < invoice.due_on
        assert invoice.issued_on <= today()
        assert invoice.seller == seller_snapshot(settings)  # what the PDF prints
        assert invoice.buyer and invoice.buyer["postal_code"]
        assert invoice.bank_account == payment_account(settings, invoice.customer_id)
        assert invoice.footer == settings.invoice_footer
        paid = [p for p in invoice.payments if p.status is PaymentStatus.PAID]
        if invoice.status is InvoiceStatus.PAID:
            assert invoice.paid_at is not None
            assert len(paid) == 1
            assert paid[0].amount == invoice.gross
            assert paid[0].purpose is PaymentPurpose.INVOICES
        else:
            assert invoice.paid_at is None
            assert paid == []
    # the issue month sits in the number
    for invoice in invoices:
        assert invoice.number.startswith(f"FV/{invoice.issued_on:%Y/%m}/")


async def test_payments_are_unique_and_consistent(db, settings: Settings) -> None:
    await demo.seed_demo(settings)
    payments = await Payment.all()
    keys = Counter((p.customer_id, p.idempotency_key) for p in payments)
    assert max(keys.values()) == 1
    for payment in payments:
        assert payment.amount > 0
        assert (payment.paid_at is not None) == (payment.status is PaymentStatus.PAID)
    assert any(p.status is PaymentStatus.FAILED for p in payments)


async def test_wallet_ledgers_sum_to_balances(db, settings: Settings) -> None:
    await demo.seed_demo(settings)
    wallets = await Wallet.all()
    assert len(wallets) == len(people.CUSTOMERS)
    histories = 0
    for wallet in wallets:
        ledger = await WalletTransaction.filter(wallet=wallet).order_by("created_at", "id")
        running = 0
        for entry in ledger:
            running += entry.amount
            assert entry.balance_after == running >= 0
        assert sum(e.amount for e in ledger) == wallet.balance
        histories += bool(ledger)
        top_ups = [e for e in ledger if e.kind.value == "top_up"]
        for top_up in top_ups:
            payment = await Payment.get(id=top_up.payment_id)
            assert payment.purpose is PaymentPurpose.WALLET_TOP_UP
            assert payment.amount == top_up.amount
    assert histories >= 3
    for purchase in await Purchase.all().prefetch_related("transaction", "title"):
        assert purchase.transaction.amount == -purchase.price == -purchase.title.price


async def test_the_four_scenarios(db, settings: Settings) -> None:
    await demo.seed_demo(settings)
    day = today()

    a = await _customer("A")
    a_services = await Service.filter(customer=a)
    assert {s.kind for s in a_services} == {ServiceKind.SATELLITE_TV}
    assert not await Account.exists(customer=a)

    b = await _customer("B")
    b_services = await Service.filter(customer=b)
    assert {s.kind for s in b_services} == set(ServiceKind)
    account = await Account.get(customer=b)
    assert account.email == demo.DEMO_EMAIL
    assert account.email_confirmed_at is not None
    assert account.password_hash.startswith("$2b$12$")
    assert await passwords.verify_password(demo.DEMO_PASSWORD, account.password_hash, settings)
    assert not await passwords.verify_password("wrong-password", account.password_hash, settings)
    # the published demo password would itself pass the registration policy
    verdict = passwords.strength(
        demo.DEMO_PASSWORD, email=demo.DEMO_EMAIL, identifiers=[s.identifier for s in b_services]
    )
    assert verdict.acceptable, verdict

    c = await _customer("C")
    overdue = await Invoice.filter(customer=c, status=InvoiceStatus.UNPAID, due_on__lt=day)
    assert overdue
    suspended = await Service.get(customer=c, status=ServiceStatus.SUSPENDED)
    assert suspended.suspension_reason is SuspensionReason.DEBT
    assert suspended.suspended_at is not None
    assert day_of(suspended.suspended_at) > min(i.due_on for i in overdue)
    assert not await Account.exists(customer=c)

    d = await _customer("D")
    ending = await Contract.filter(customer=d, ends_on__isnull=False)
    assert any(c.ends_on and 0 < (c.ends_on - day).days <= 30 for c in ending)
    assert not await Account.exists(customer=d)

    # the others are in good standing: nothing overdue, nothing suspended
    for customer in (a, b, d):
        assert not await Invoice.filter(
            customer=customer, status=InvoiceStatus.UNPAID, due_on__lt=day
        ).exists()
        assert not await Service.filter(customer=customer, status=ServiceStatus.SUSPENDED).exists()


async def test_equipment_usage_and_correspondence(db, settings: Settings) -> None:
    await demo.seed_demo(settings)
    day = today()
    for service in await Service.all().prefetch_related("devices"):
        kinds = {d.kind for d in service.devices}
        if service.kind is ServiceKind.SATELLITE_TV:
            assert {DeviceKind.DECODER, DeviceKind.SMART_CARD} <= kinds
            card = next(d for d in service.devices if d.kind is DeviceKind.SMART_CARD)
            assert card.serial_number == service.identifier
        elif service.kind is ServiceKind.INTERNET:
            assert kinds & {DeviceKind.MODEM, DeviceKind.ROUTER}
            assert DeviceKind.SIM_CARD in kinds
            usage = await ServiceUsage.get(
                service=service, period_start__lte=day, period_end__gte=day
            )
            assert usage.data_limit_mb and usage.data_used_mb > 0
    serials = [d.serial_number for d in await Device.all()]
    assert len(serials) == len(set(serials))

    messages = await Message.all()
    assert any(m.customer_id is None for m in messages)
    assert any(m.urgent for m in messages)
    assert all("{" not in m.subject + m.body for m in messages)
    assert await MessageRead.exists()
    assert await Offer.filter(customer_id=None).exists()
    assert await Offer.filter(customer_id__not_isnull=True).exists()
    answered = await ContactRequest.all().prefetch_related("replies")
    assert any(r.replies for r in answered)
    assert await AuditEvent.filter(customer_id__not_isnull=True).count() >= 3


async def test_ready_to_register_matches_the_records(db, settings: Settings) -> None:
    """What the CLI prints lets a newcomer register: identifier and PESEL of one customer."""
    summary = await demo.seed_demo(settings)
    text = summary.describe()
    assert demo.DEMO_EMAIL in text and demo.DEMO_PASSWORD in text
    assert len({row.name for row in summary.ready_to_register}) >= 3
    for row in summary.ready_to_register:
        assert row.identifier in text and row.pesel in text
        service = await Service.get(identifier=row.identifier).prefetch_related("customer")
        assert service.customer.pesel_hash == pesel_hash(row.pesel, settings.secret_key)
        assert not await Account.exists(customer_id=service.customer.id)


async def test_seed_is_idempotent(db, settings: Settings) -> None:
    await demo.seed_demo(settings)
    before = await _row_counts()
    again = await demo.seed_demo(settings)
    assert again.created_customers == 0
    assert "already present" in again.describe()
    assert await _row_counts() == before
    assert before["customer"] == 4 and before["invoice"] == 48


async def test_seed_is_one_transaction(db, settings: Settings, monkeypatch) -> None:
    """A failure half-way (after the file was imported: a customer the file does not have)
    leaves nothing behind (no half customer, no catalogue)."""
    stranger = dataclasses.replace(people.CUSTOMERS[1], key="X", number="K99999999")
    monkeypatch.setattr(demo, "CUSTOMERS", (*people.CUSTOMERS, stranger))
    with pytest.raises(DoesNotExist):
        await demo.seed_demo(settings)
    assert await demo.database_is_empty()
    assert await Invoice.all().count() == 0
    assert await Contract.all().count() == 0


async def test_the_shipped_file_is_generated_from_the_specs() -> None:
    """``demo.jsonl`` is what ``python -m backend.demo`` writes from the specs."""
    shipped = resources.files("backend.demo").joinpath(feed.FILE_NAME).read_text(encoding="utf-8")
    assert shipped == feed.render()


async def test_a_later_run_keeps_the_first_runs_dates(db, settings: Settings) -> None:
    """Run again weeks later, the demo is found unchanged: the file's dates are moved to the
    day of the first load, not to the new today."""
    await demo.seed_demo(settings)
    before = await _row_counts()
    signed = sorted(await Contract.all().values_list("number", "signed_on"))
    clock.advance(days=40)
    again = await demo.seed_demo(settings)
    assert again.created_customers == 0
    assert await _row_counts() == before
    assert sorted(await Contract.all().values_list("number", "signed_on")) == signed


def test_the_files_dates_move_to_the_load_day() -> None:
    """Days move by whole days, a subscription's month end by whole months (still a month's
    last day), moments by whole days in Warsaw wall time."""
    load_day = feed.FILE_DAY + timedelta(days=250)  # 2027-02-20, winter
    contract = {"type": "contract", "signedOn": "2026-06-10", "endsOn": "2026-07-05"}
    assert feed.shifted(contract, load_day) == {
        "type": "contract",
        "signedOn": "2027-02-15",
        "endsOn": "2027-03-12",
    }
    subscription = {"type": "subscription", "startsOn": "2026-01-01", "endsOn": "2026-01-31"}
    assert feed.shifted(subscription, load_day) == {
        "type": "subscription",
        "startsOn": "2026-09-08",
        "endsOn": "2026-09-30",  # eight months on: still the month's last day
    }
    summer_evening = {"type": "title", "eventStartsAt": "2026-06-24T19:00:00+02:00"}
    assert feed.shifted(summer_evening, load_day) == {
        "type": "title",
        "eventStartsAt": "2027-03-01T18:00:00+00:00",  # 19:00 in Warsaw in winter
    }
    customer = {"type": "customer", "number": "K1"}
    assert feed.shifted(customer, load_day) == customer


async def test_seed_keeps_existing_customer_data(db, settings: Settings) -> None:
    """A second run does not reset what happened since the first (e.g. a paid invoice)."""
    await demo.seed_demo(settings)
    c = await _customer("C")
    await Invoice.filter(customer=c).update(status=InvoiceStatus.PAID)
    await demo.seed_demo(settings)
    assert not await Invoice.filter(customer=c, status=InvoiceStatus.UNPAID).exists()


async def test_dates_follow_the_clock(db, settings: Settings) -> None:
    """Seeded in another month, the newest invoice is still last month's."""
    from backend.clock import clock

    clock.advance(days=45)
    await demo.seed_demo(settings)
    newest = await Invoice.all().order_by("-issued_on").first()
    assert newest is not None
    assert newest.issued_on == today().replace(day=1)
    assert newest.period_end == today().replace(day=1) - timedelta(days=1)
    by_customer: dict[int, int] = defaultdict(int)
    for invoice in await Invoice.all():
        by_customer[invoice.customer_id] += 1
    assert set(by_customer.values()) == {12}


async def test_demo_customers_register_and_the_demo_login_works(gql, settings: Settings) -> None:
    """Through the real API: the printed identifiers + PESELs register, the printed login works."""
    from tests.api.account_helpers import LOGIN, REGISTER, solve_captcha
    from tests.factories import STRONG_PASSWORD

    summary = await demo.seed_demo(settings)
    first_rows = {row.name: row for row in reversed(summary.ready_to_register)}.values()
    for number, row in enumerate(first_rows):
        email = f"demo.registration{number}@example.com"
        payload = await gql(
            REGISTER,
            {
                "input": {
                    "identifier": row.identifier,
                    "pesel": row.pesel,
                    "email": email,
                    "emailConfirmation": email,
                    "password": STRONG_PASSWORD,
                    "acceptTerms": True,
                    **await solve_captcha(gql),
                }
            },
        )
        assert payload["register"] == {"ok": True, "errors": []}
        account = await Account.get(email=email).prefetch_related("customer")
        service = await Service.get(identifier=row.identifier)
        assert account.customer.id == service.customer_id
    login = await gql(
        LOGIN,
        {
            "input": {
                "login": demo.DEMO_EMAIL,
                "password": demo.DEMO_PASSWORD,
                **await solve_captcha(gql),
            }
        },
    )
    assert login["login"]["errors"] == []
    assert login["login"]["viewer"]["customerNumber"] == (await _customer("B")).number
