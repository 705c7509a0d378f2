"""The operator feed's billing kinds: invoices with lines (amounts checked per VAT rate,
snapshots of what they print), invoices paid outside the portal (and a portal payment settling
later), usage readings kept per billing period; and what the customer then sees."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from backend.models import (
    AuditEvent,
    DeviceCommand,
    Invoice,
    InvoiceLine,
    Service,
    ServiceUsage,
    Wallet,
)
from backend.models.enums import (
    AuditKind,
    CommandKind,
    DeviceKind,
    InvoiceStatus,
    PaymentStatus,
    ServiceKind,
    ServiceStatus,
    SuspensionReason,
)
from backend.payments.base import ProviderEvent
from backend.services import payments
from backend.services.billing import (
    buyer_snapshot,
    payment_account,
    seller_snapshot,
    vat_from_gross,
)
from backend.services.errors import ErrorCode
from backend.services.feed import FeedRun, Writer, apply_batch, kinds
from backend.services.request import SYSTEM
from tests.factories import (
    login_as,
    make_contract,
    make_customer,
    make_device,
    make_invoice,
    make_payment,
    make_service,
)
from tests.statements import count_statements

WRITER = Writer("key:bss", SYSTEM)
IBAN = "PL61109010140000071219812874"


def line(unit_gross: int, quantity: int = 1, rate: int = 23, **fields: Any) -> dict[str, Any]:
    """A line whose own amounts add up (gross = unit x quantity, VAT from the gross)."""
    gross = unit_gross * quantity
    vat = vat_from_gross(gross, rate)
    item = {
        "description": f"Abonament {unit_gross}",
        "quantity": quantity,
        "unit_gross": unit_gross,
        "vat_rate": rate,
        "net": gross - vat,
        "vat": vat,
        "gross": gross,
    }
    item.update(fields)
    return item


def invoice(
    number: str, customer: str, lines: list[dict[str, Any]] | None = None, **fields: Any
) -> dict[str, Any]:
    """An invoice whose totals are the per-rate summary of its lines (computed here by hand:
    the VAT of each rate from the rate's gross total)."""
    lines = lines or [line(5000)]
    by_rate: dict[int, int] = {}
    for row in lines:
        by_rate[row["vat_rate"]] = by_rate.get(row["vat_rate"], 0) + row["gross"]
    vat = sum(vat_from_gross(g, r) for r, g in by_rate.items())
    gross = sum(by_rate.values())
    item = {
        "number": number,
        "customer_number": customer,
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "issued_on": "2026-11-01",
        "due_on": "2026-11-15",
        "net": gross - vat,
        "vat": vat,
        "gross": gross,
        "lines": lines,
    }
    item.update(fields)
    return item


def statuses(results: list[Any]) -> list[str]:
    return [r.status.value for r in results]


def codes(result: Any) -> list[tuple[str, str | None]]:
    return [(e.code, e.field) for e in result.errors]


async def apply(settings, kind: str, items: list[dict[str, Any]], dry_run: bool = False) -> Any:
    return await apply_batch(kinds(settings)[kind], items, FeedRun(WRITER, dry_run=dry_run))


async def test_invoice_created_unchanged_updated_with_its_snapshots(db, settings) -> None:
    customer = await make_customer(settings, city="Łódź")
    contract = await make_contract(customer)
    item = invoice(
        "FV/1", customer.number, [line(8999), line(2999, 2)], contract_number=contract.number
    )
    assert statuses(await apply(settings, "invoice", [item])) == ["created"]
    stored = await Invoice.get(number="FV/1")
    assert (stored.customer_id, stored.contract_id) == (customer.id, contract.id)
    assert (stored.net, stored.vat, stored.gross) == (item["net"], item["vat"], 14997)
    assert stored.status is InvoiceStatus.UNPAID and not stored.paid_outside
    assert stored.seller == seller_snapshot(settings)
    assert stored.buyer == buyer_snapshot(customer)
    assert stored.bank_account == payment_account(settings, customer.id)
    assert stored.footer == settings.invoice_footer
    rows = await InvoiceLine.filter(invoice_id=stored.id).order_by("position")
    assert [(r.position, r.quantity, r.gross, r.vat_rate) for r in rows] == [
        (1, 1, 8999, 23),
        (2, 2, 5998, 23),
    ]
    assert rows[1].unit_net == 2999 - vat_from_gross(2999, 23)

    assert statuses(await apply(settings, "invoice", [item])) == ["unchanged"]
    # The customer moved: the invoice keeps the buyer it was made with.
    await customer.__class__.filter(id=customer.id).update(city="Kraków")
    assert statuses(await apply(settings, "invoice", [item])) == ["unchanged"]

    changed = invoice("FV/1", customer.number, [line(8999), line(1000, 3, rate=8)])
    changed["due_on"] = "2026-11-20"
    assert statuses(await apply(settings, "invoice", [changed])) == ["updated"]
    stored = await Invoice.get(number="FV/1")
    assert stored.due_on == date(2026, 11, 20) and stored.contract_id is None
    assert stored.gross == 11999 and stored.buyer == buyer_snapshot(customer) | {"city": "Łódź"}
    rows = await InvoiceLine.filter(invoice_id=stored.id).order_by("position")
    assert [(r.gross, r.vat_rate) for r in rows] == [(8999, 23), (3000, 8)]
    events = await AuditEvent.filter(kind=AuditKind.OPERATOR_WRITE).order_by("id")
    assert [(e.details["type"], e.details["created"], e.details["updated"]) for e in events] == [
        ("invoice", 1, 0),
        ("invoice", 0, 1),
    ]


async def test_totals_follow_the_per_rate_rule(db, settings) -> None:
    """Four 23 % lines: VAT 24.55 from the gross total 131.31; summing per-line VAT (24.56)
    does not add up, and the error names both figures."""
    customer = await make_customer(settings)
    lines = [line(8999), line(2999), line(800), line(333)]
    assert sum(row["vat"] for row in lines) == 2456
    good = invoice("FV/1", customer.number, lines)
    assert (good["net"], good["vat"], good["gross"]) == (10676, 2455, 13131)
    wrong_vat = invoice("FV/2", customer.number, lines, vat=2456, net=10675)
    wrong_line = invoice("FV/3", customer.number, [line(1000, 3, gross=3001)])
    wrong_line_vat = invoice("FV/4", customer.number, [line(1000, vat=188, net=812)])
    mixed = invoice("FV/5", customer.number, [line(1000), line(1000, rate=8), line(999, rate=0)])
    results = await apply(settings, "invoice", [good, wrong_vat, wrong_line, wrong_line_vat, mixed])
    assert statuses(results) == ["created", "rejected", "rejected", "rejected", "created"]
    assert codes(results[1]) == [
        (ErrorCode.TOTALS_DO_NOT_ADD_UP, "net"),
        (ErrorCode.TOTALS_DO_NOT_ADD_UP, "vat"),
    ]
    assert results[1].errors[1].params == {"expected": 2455, "given": 2456}
    assert codes(results[2]) == [(ErrorCode.TOTALS_DO_NOT_ADD_UP, "lines.0.gross")]
    assert results[2].errors[0].params == {"expected": 3000, "given": 3001}
    assert codes(results[3]) == [
        (ErrorCode.TOTALS_DO_NOT_ADD_UP, "lines.0.vat"),
        (ErrorCode.TOTALS_DO_NOT_ADD_UP, "lines.0.net"),
    ]
    stored = await Invoice.get(number="FV/5")
    assert (stored.vat, stored.gross) == (vat_from_gross(1000, 23) + vat_from_gross(1000, 8), 2999)


async def test_bad_invoices_are_rejected_alone(db, settings) -> None:
    customer = await make_customer(settings)
    other = await make_customer(settings)
    others_contract = await make_contract(other)
    n = customer.number
    batch = [
        invoice("FV/OK", n),
        invoice("FV/1", "K-NOBODY"),
        invoice("FV/2", n, contract_number="UM-NONE"),
        invoice("FV/3", n, contract_number=others_contract.number),
        invoice("FV/OK", n),
        invoice("FV/4", n, [line(1000, description="Abonament\x00")]),
        invoice("F" * 33, n),
        invoice("FV/5", n, [line(1000, rate=7)]),
        invoice("FV/6", n, status="PAID"),
        invoice("FV/7", n, due_on="2026-10-31"),
        invoice("FV/8", n, period_end="2026-09-30"),
        {**invoice("FV/9", n), "lines": []},
        invoice("FV/10", n, [line(1000)] * 101),
        invoice("FV/11", n, [line(1000, quantity=0)]),
        invoice("FV/12", n, bank_account="PL61109010140000071219812875"),
        invoice("FV/13", n, issued_on="2026-11-31"),
        invoice("FV/14", n, [line(1000, unit_net=813)]),
        invoice("FV/15", n, buyer={"name": "Ewa", "postal_code": "1234"}),
        invoice("FV/16", n, buyer={"name": "Ewa", "country": "PL"}),
        invoice("FV/17", n, [line(1000, description="x" * 201)]),
        invoice("FV/18", n, gross=-1),
    ]
    results = await apply(settings, "invoice", batch)
    assert statuses(results) == ["created"] + ["rejected"] * (len(batch) - 1)
    assert [codes(r) for r in results[1:]] == [
        [(ErrorCode.UNKNOWN_REFERENCE, "customer_number")],
        [(ErrorCode.UNKNOWN_REFERENCE, "contract_number")],
        [(ErrorCode.DIFFERENT_CUSTOMER, "contract_number")],
        [(ErrorCode.DUPLICATE_KEY, None)],
        [(ErrorCode.FORBIDDEN_CHARACTER, "lines.0.description")],
        [(ErrorCode.TOO_LONG, "number")],
        [(ErrorCode.INVALID_CHOICE, "lines.0.vat_rate")],
        [(ErrorCode.INVALID_CHOICE, "status")],
        [(ErrorCode.DUE_BEFORE_ISSUE, "due_on")],
        [(ErrorCode.ENDS_BEFORE_START, "period_end")],
        [(ErrorCode.REQUIRED, "lines")],
        [(ErrorCode.TOO_MANY, "lines")],
        [(ErrorCode.OUT_OF_RANGE, "lines.0.quantity")],
        [(ErrorCode.INVALID_IBAN, "bank_account")],
        [(ErrorCode.INVALID_DATE, "issued_on")],
        [(ErrorCode.UNKNOWN_FIELD, "lines.0.unit_net")],
        [(ErrorCode.INVALID_POSTAL_CODE, "buyer.postal_code")],
        [(ErrorCode.UNKNOWN_FIELD, "buyer.country")],
        [(ErrorCode.TOO_LONG, "lines.0.description")],
        [(ErrorCode.OUT_OF_RANGE, "gross")],
    ]
    assert results[1].errors[0].params == {"kind": "customer", "key": "K-NOBODY"}
    assert await Invoice.all().values_list("number", flat=True) == ["FV/OK"]
    assert await InvoiceLine.all().count() == 1


async def test_buyer_and_account_as_sent(db, settings) -> None:
    customer = await make_customer(settings)
    buyer = {"name": "Firma X sp. z o.o.", "street": "ul. Długa 5", "postal_code": "31147"}
    item = invoice(
        "FV/1", customer.number, buyer=buyer, bank_account="pl61 1090 1014 0000 0712 1981 2874"
    )
    assert statuses(await apply(settings, "invoice", [item])) == ["created"]
    stored = await Invoice.get(number="FV/1")
    assert stored.buyer == {
        "name": "Firma X sp. z o.o.",
        "street": "ul. Długa 5",
        "postal_code": "31-147",
        "city": "",
    }
    assert stored.bank_account == IBAN
    assert statuses(await apply(settings, "invoice", [item])) == ["unchanged"]
    item["buyer"] = {**buyer, "city": "Kraków"}
    assert statuses(await apply(settings, "invoice", [item])) == ["updated"]
    assert (await Invoice.get(number="FV/1")).buyer["city"] == "Kraków"


async def test_a_paid_invoice_keeps_its_amounts_and_lines(db, settings) -> None:
    customer = await make_customer(settings)
    item = invoice("FV/1", customer.number, [line(5000)])
    await apply(settings, "invoice", [item])
    paid = {"invoice_number": "FV/1", "paid_at": "2026-11-10T12:00:00+01:00", "amount": 5000}
    assert statuses(await apply(settings, "invoice_payment", [paid])) == ["created"]
    assert statuses(await apply(settings, "invoice", [item])) == ["unchanged"]  # stays PAID
    dearer = invoice("FV/1", customer.number, [line(6000)])
    cancelled = {**item, "status": "CANCELLED"}
    later = {**item, "due_on": "2026-11-30"}
    results = [await apply(settings, "invoice", [x]) for x in (dearer, cancelled, later)]
    assert [statuses(r) for r in results] == [["rejected"], ["rejected"], ["updated"]]
    assert codes(results[0][0]) == [(ErrorCode.INVOICE_PAID_LOCKED, None)]
    assert codes(results[1][0]) == [(ErrorCode.INVOICE_PAID_LOCKED, "status")]
    stored = await Invoice.get(number="FV/1")
    assert stored.status is InvoiceStatus.PAID and stored.gross == 5000
    assert stored.due_on == date(2026, 11, 30)


async def test_an_invoice_being_paid_in_the_portal_keeps_its_amounts(db, settings) -> None:
    customer = await make_customer(settings)
    await apply(settings, "invoice", [invoice("FV/1", customer.number, [line(5000)])])
    stored = await Invoice.get(number="FV/1")
    await make_payment(customer, [stored], status=PaymentStatus.PENDING)
    results = await apply(settings, "invoice", [invoice("FV/1", customer.number, [line(4000)])])
    assert codes(results[0]) == [(ErrorCode.INVOICE_PAYMENT_PENDING, None)]
    assert (await Invoice.get(number="FV/1")).gross == 5000


async def test_invoice_paid_outside_the_portal(db, settings) -> None:
    customer = await make_customer(settings)
    await apply(
        settings,
        "invoice",
        [invoice(f"FV/{i}", customer.number, [line(5000)]) for i in range(1, 4)],
    )
    await Invoice.filter(number="FV/2").update(status=InvoiceStatus.CANCELLED)
    in_portal = await make_invoice(customer, status=InvoiceStatus.PAID)
    paid = {
        "invoice_number": "FV/1",
        "paid_at": "2026-11-10T12:00:00+01:00",
        "amount": 5000,
        "reference": "PRZELEW/2026/11/778",
    }
    batch = [
        paid,
        {**paid, "invoice_number": "FV/2"},
        {**paid, "invoice_number": "FV/3", "amount": 4999},
        {**paid, "invoice_number": "FV/NONE"},
        {**paid, "invoice_number": in_portal.number, "amount": in_portal.gross},
        {**paid, "invoice_number": "FV/1"},
        {**paid, "invoice_number": "FV/3", "paid_at": "2026-11-10 12:00"},
        {**paid, "invoice_number": "FV/3", "reference": "R" * 65},
        {**paid, "invoice_number": "FV/3", "paid_at": "2026-12-10T12:00:00+01:00"},
    ]
    results = await apply(settings, "invoice_payment", batch)
    assert statuses(results) == ["created"] + ["rejected"] * 8
    assert [codes(r) for r in results[1:]] == [
        [(ErrorCode.INVOICE_CANCELLED, "invoice_number")],
        [(ErrorCode.TOTALS_DO_NOT_ADD_UP, "amount")],
        [(ErrorCode.UNKNOWN_REFERENCE, "invoice_number")],
        [(ErrorCode.INVOICE_ALREADY_PAID, "invoice_number")],
        [(ErrorCode.DUPLICATE_KEY, None)],
        [(ErrorCode.INVALID_DATE, "paid_at")],
        [(ErrorCode.TOO_LONG, "reference")],
        [(ErrorCode.IN_THE_FUTURE, "paid_at")],
    ]
    assert results[2].errors[0].params == {"expected": 5000, "given": 4999}
    stored = await Invoice.get(number="FV/1")
    assert stored.status is InvoiceStatus.PAID and stored.paid_outside
    assert stored.payment_reference == "PRZELEW/2026/11/778"
    assert stored.paid_at is not None and stored.paid_at.isoformat() == "2026-11-10T11:00:00+00:00"
    assert (await Invoice.get(number="FV/3")).status is InvoiceStatus.UNPAID
    assert statuses(await apply(settings, "invoice_payment", [paid])) == ["unchanged"]
    corrected = {**paid, "reference": "PRZELEW/2026/11/779"}
    assert statuses(await apply(settings, "invoice_payment", [corrected])) == ["updated"]
    assert (await Invoice.get(number="FV/1")).payment_reference == "PRZELEW/2026/11/779"


async def test_a_portal_payment_settling_after_the_bank_transfer_goes_to_the_wallet(
    db, settings
) -> None:
    """The customer started paying in the portal, then the BSS booked their bank transfer:
    when the provider's 'paid' comes, the invoice stays paid outside and the money is credited
    to the wallet (an overpayment), not lost."""
    customer = await make_customer(settings)
    await apply(settings, "invoice", [invoice("FV/1", customer.number, [line(5000)])])
    stored = await Invoice.get(number="FV/1")
    payment = await make_payment(
        customer, [stored], status=PaymentStatus.PENDING, provider_ref="ref-1"
    )
    paid = {"invoice_number": "FV/1", "paid_at": "2026-11-17T08:00:00Z", "amount": 5000}
    assert statuses(await apply(settings, "invoice_payment", [paid])) == ["created"]
    event = ProviderEvent("ref-1", PaymentStatus.PAID, 5000, "PLN")
    outcome = await payments.settle(settings, payment, event)
    assert outcome.settled and outcome.payment.status is PaymentStatus.PAID
    wallet = await Wallet.get(customer_id=customer.id)
    assert wallet.balance == 5000
    stored = await Invoice.get(number="FV/1")
    assert stored.paid_outside and stored.paid_at is not None
    assert stored.paid_at.isoformat() == "2026-11-17T08:00:00+00:00"


async def test_usage_readings_are_kept_per_period(db, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer, kind=ServiceKind.INTERNET)
    spaced = f"+48 {service.identifier[:3]} {service.identifier[3:6]} {service.identifier[6:]}"
    october = {
        "service_identifier": spaced,
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "data_used_mb": 80_000,
        "data_limit_mb": 100_000,
        "read_at": "2026-11-01T00:10:00+01:00",
    }
    november = {
        **october,
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
        "data_used_mb": 1_000,
        "read_at": "2026-11-18T08:00:00Z",
    }
    results = await apply(settings, "usage", [october, november])
    assert statuses(results) == ["created", "created"]
    assert results[0].key == f"{service.identifier}/2026-10-01"
    assert statuses(await apply(settings, "usage", [october, november])) == ["unchanged"] * 2
    older = {**november, "data_used_mb": 500, "read_at": "2026-11-17T08:00:00Z"}
    newer = {**november, "data_used_mb": 1_500, "read_at": "2026-11-18T08:30:00Z"}
    assert statuses(await apply(settings, "usage", [older])) == ["unchanged"]
    assert statuses(await apply(settings, "usage", [newer])) == ["updated"]
    rows = await ServiceUsage.filter(service_id=service.id).order_by("period_start")
    assert [(r.period_start.month, r.data_used_mb) for r in rows] == [(10, 80_000), (11, 1_500)]

    card = await make_service(customer, kind=ServiceKind.SATELLITE_TV)
    bad = [
        {**october, "service_identifier": "600000000"},
        {**october, "service_identifier": card.identifier},
        {**october, "service_identifier": "abc"},
        {**october, "period_end": "2026-09-30"},
        {**october, "data_used_mb": -1},
        {**october, "read_at": "2026-11-01T00:10:00"},
        {**october, "data_limit_mb": 1.5},
    ]
    results = await apply(settings, "usage", bad)
    assert [codes(r) for r in results] == [
        [(ErrorCode.UNKNOWN_REFERENCE, "service_identifier")],
        [(ErrorCode.USAGE_NOT_METERED, "service_identifier")],
        [(ErrorCode.INVALID_IDENTIFIER, "service_identifier")],
        [(ErrorCode.ENDS_BEFORE_START, "period_end")],
        [(ErrorCode.OUT_OF_RANGE, "data_used_mb")],
        [(ErrorCode.INVALID_DATE, "read_at")],
        [(ErrorCode.INVALID, "data_limit_mb")],
    ]


async def test_dry_run_writes_nothing_and_knows_what_it_would_create(db, settings) -> None:
    customer = await make_customer(settings)
    run = FeedRun(WRITER, dry_run=True)
    all_kinds = kinds(settings)
    created = await apply_batch(all_kinds["invoice"], [invoice("FV/1", customer.number)], run)
    paid = {"invoice_number": "FV/1", "paid_at": "2026-11-10T12:00:00Z", "amount": 1}
    results = await apply_batch(all_kinds["invoice_payment"], [paid], run)
    assert statuses(created) == statuses(results) == ["created"]
    assert not await Invoice.exists() and not await AuditEvent.exists()


async def test_the_customer_sees_invoices_payments_and_usage_at_once(gql, client, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer, kind=ServiceKind.INTERNET)
    await login_as(client, settings, customer)
    query = """{ viewer {
      invoices(first: 5) { edges { node { number status paidAt gross { amount } } } }
      upcomingPayments { totalDue { amount } }
      services { identifier usage { dataUsedMb dataLimitMb periodEnd } } } }"""
    before = (await gql(query))["viewer"]
    assert before["invoices"]["edges"] == [] and before["services"][0]["usage"] is None

    today = date(2026, 11, 18)
    await apply(
        settings,
        "invoice",
        [invoice("FV/1", customer.number, [line(4999)], due_on=str(today + timedelta(days=7)))],
    )
    usage = {
        "service_identifier": service.identifier,
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
        "data_used_mb": 12_345,
        "read_at": "2026-11-18T08:00:00Z",
    }
    await apply(settings, "usage", [usage])
    seen = (await gql(query))["viewer"]
    assert seen["invoices"]["edges"][0]["node"] == {
        "number": "FV/1",
        "status": "UNPAID",
        "paidAt": None,
        "gross": {"amount": "49.99"},
    }
    assert seen["upcomingPayments"]["totalDue"] == {"amount": "49.99"}
    assert seen["services"][0]["usage"] == {
        "dataUsedMb": 12_345,
        "dataLimitMb": None,
        "periodEnd": "2026-11-30",
    }

    paid = {"invoice_number": "FV/1", "paid_at": "2026-11-18T08:30:00Z", "amount": 4999}
    await apply(settings, "invoice_payment", [paid])
    seen = (await gql(query))["viewer"]
    assert seen["invoices"]["edges"][0]["node"]["status"] == "PAID"
    assert seen["invoices"]["edges"][0]["node"]["paidAt"].startswith("2026-11-18T08:30")
    assert seen["upcomingPayments"]["totalDue"] == {"amount": "0.00"}


async def test_a_batch_of_invoices_costs_the_same_statements_whatever_its_size(
    db, settings
) -> None:
    """Reads and writes in bulk: 60 invoices of 3 lines for 60 customers send as many
    statements as 3, created and then re-sent unchanged."""
    customers = [await make_customer(settings) for _ in range(60)]
    counts = []
    for size, prefix in ((3, "A"), (60, "B")):
        batch = [
            invoice(f"{prefix}/{i}", c.number, [line(1000), line(2000, 2), line(500, rate=8)])
            for i, c in enumerate(customers[:size])
        ]
        with count_statements() as created:
            assert set(statuses(await apply(settings, "invoice", batch))) == {"created"}
        with count_statements() as unchanged:
            assert set(statuses(await apply(settings, "invoice", batch))) == {"unchanged"}
        counts.append((len(created), len(unchanged)))
    assert counts[0] == counts[1], counts
    assert await InvoiceLine.all().count() == 63 * 3


async def test_a_bank_transfer_booked_by_the_operator_lifts_a_debt_suspension(db, settings) -> None:
    customer = await make_customer(settings)
    tv = await make_service(
        customer, status=ServiceStatus.SUSPENDED, suspension_reason=SuspensionReason.DEBT
    )
    card = await make_device(tv, kind=DeviceKind.SMART_CARD)
    other = await make_service(
        customer, status=ServiceStatus.SUSPENDED, suspension_reason=SuspensionReason.TECHNICAL
    )
    overdue = [
        invoice(f"FV/{i}", customer.number, issued_on="2026-09-01", due_on="2026-09-15")
        for i in (1, 2)
    ]
    await apply(settings, "invoice", overdue)
    paid = {"invoice_number": "FV/1", "paid_at": "2026-11-10T12:00:00+01:00", "amount": 5000}
    await apply(settings, "invoice_payment", [paid])
    assert (await Service.get(id=tv.id)).status is ServiceStatus.SUSPENDED  # FV/2 still overdue
    await apply(settings, "invoice_payment", [{**paid, "invoice_number": "FV/2"}])
    restored = await Service.get(id=tv.id)
    assert (restored.status, restored.suspension_reason) == (ServiceStatus.ACTIVE, None)
    assert (await Service.get(id=other.id)).status is ServiceStatus.SUSPENDED
    refresh = await DeviceCommand.get(device_id=card.id)
    assert refresh.kind is CommandKind.SIGNAL_REFRESH
