"""Payment history: newest first, the invoices each payment covered, paging, titles."""

from __future__ import annotations

from datetime import date

from backend.clock import clock
from backend.models import Payment
from backend.models.enums import AuditKind, InvoiceStatus, PaymentPurpose, PaymentStatus
from backend.payments import ProviderEvent
from backend.services import payments
from tests.factories import (
    login_as,
    make_audit_event,
    make_customer,
    make_invoice,
    make_meta,
    make_payment,
)

PAYMENTS = """query($first: Int, $after: String) { viewer { payments(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
  nodes { id purpose amount { amount formatted } method provider status createdAt paidAt
    failureReason invoices { number payments { id } } } } } }"""


async def test_history(gql, client, settings) -> None:
    customer = await make_customer(settings)
    a = await make_invoice(customer, status=InvoiceStatus.PAID)
    b = await make_invoice(customer, status=InvoiceStatus.PAID)
    paid = await make_payment(customer, [a, b])
    clock.advance(minutes=1)
    failed = await make_payment(customer, [a], status=PaymentStatus.FAILED)
    clock.advance(minutes=1)
    top_up = await make_payment(customer, amount=5000, purpose=PaymentPurpose.WALLET_TOP_UP)
    await login_as(client, settings, customer)

    data = (await gql(PAYMENTS))["viewer"]["payments"]
    assert data["totalCount"] == 3
    nodes = data["nodes"]
    assert [n["status"] for n in nodes] == ["PAID", "FAILED", "PAID"]
    assert nodes[0]["purpose"] == "WALLET_TOP_UP" and nodes[0]["invoices"] == []
    assert nodes[0]["amount"] == {"amount": "50.00", "formatted": "50,00\u00a0zł"}
    assert nodes[2]["amount"]["amount"] == "200.00"
    assert nodes[2]["method"] == "BLIK" and nodes[2]["provider"] == "sandbox"
    assert sorted(i["number"] for i in nodes[2]["invoices"]) == sorted([a.number, b.number])
    # Invoice a was tried twice: both payments show on it, newest first.
    invoice_a = next(i for i in nodes[2]["invoices"] if i["number"] == a.number)
    assert len(invoice_a["payments"]) == 2
    assert nodes[1]["paidAt"] is None
    assert nodes[2]["createdAt"].endswith("+00:00")
    assert paid.id and failed.id and top_up.id


async def test_pages(gql, client, settings) -> None:
    customer = await make_customer(settings)
    for _ in range(5):
        await make_payment(customer, amount=1000, purpose=PaymentPurpose.WALLET_TOP_UP)
        clock.advance(seconds=1)
    await login_as(client, settings, customer)
    seen: list[str] = []
    after = None
    for expected in (2, 2, 1):
        page = (await gql(PAYMENTS, {"first": 2, "after": after}))["viewer"]["payments"]
        assert len(page["nodes"]) == expected
        seen += [n["id"] for n in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
        assert page["pageInfo"]["hasPreviousPage"] is (len(seen) > expected)
    assert page["pageInfo"]["hasNextPage"] is False
    assert len(set(seen)) == 5


async def test_same_timestamp_keeps_order(gql, client, settings) -> None:
    """Rows created in the same instant are still paged exactly once (the ID breaks ties)."""
    customer = await make_customer(settings)
    for _ in range(4):
        await make_payment(customer, amount=1000, purpose=PaymentPurpose.WALLET_TOP_UP)
    assert await Payment.filter(customer=customer).update(created_at=clock.now()) == 4
    await login_as(client, settings, customer)
    first = (await gql(PAYMENTS, {"first": 3}))["viewer"]["payments"]
    rest = (await gql(PAYMENTS, {"first": 3, "after": first["pageInfo"]["endCursor"]}))["viewer"][
        "payments"
    ]
    ids = [n["id"] for n in first["nodes"] + rest["nodes"]]
    assert len(ids) == 4 and len(set(ids)) == 4


TITLES = """{ viewer { payments(first: 10) { nodes { status title } }
  activity(first: 10) { nodes { kind title } } } }"""


async def test_titles_name_the_invoices_in_the_readers_language(gql, client, settings) -> None:
    customer = await make_customer(settings)
    older = await make_invoice(customer, number="FV/2026/10/0003", issued_on=date(2026, 10, 31))
    newer = await make_invoice(customer, number="FV/2026/11/0001", issued_on=date(2026, 11, 10))
    started = await payments.start_invoice_payment(
        settings, customer.id, [newer.id, older.id], "card", "title-key-01", meta=make_meta()
    )
    await payments.settle(settings, started.payment, _event(started.payment, PaymentStatus.PAID))
    clock.advance(minutes=1)
    one = await make_invoice(customer, number="FV/2026/11/0002")
    failed = await payments.start_invoice_payment(
        settings, customer.id, [one.id], "blik", "title-key-02", meta=make_meta()
    )
    await payments.settle(settings, failed.payment, _event(failed.payment, PaymentStatus.FAILED))
    clock.advance(minutes=1)
    await payments.start_top_up(
        settings, customer.id, "20", "card", "title-key-03", meta=make_meta()
    )
    await make_audit_event(
        customer, AuditKind.PAYMENT_SETTLED, details={"payment": 1}
    )  # an old event
    await login_as(client, settings, customer)

    both = "FV/2026/10/0003, FV/2026/11/0001"
    expected = {
        "pl": (f"Faktury {both}", "Faktura FV/2026/11/0002", "Doładowanie portmonetki"),
        "en": (f"Invoices {both}", "Invoice FV/2026/11/0002", "Wallet top-up"),
    }
    for language, (two, single, top_up) in expected.items():
        data = (await gql(TITLES, headers={"X-Icok-Language": language}))["viewer"]
        assert [(p["status"], p["title"]) for p in data["payments"]["nodes"]] == [
            ("PENDING", top_up),
            ("FAILED", single),
            ("PAID", two),
        ]
        activity = [(e["kind"], e["title"]) for e in data["activity"]["nodes"]]
        assert activity == [
            ("PAYMENT_SETTLED", None),  # recorded before events named what a payment paid
            ("PAYMENT_STARTED", top_up),
            ("PAYMENT_FAILED", single),
            ("PAYMENT_STARTED", single),
            ("PAYMENT_SETTLED", two),
            ("PAYMENT_STARTED", two),
        ]


def _event(payment: Payment, status: PaymentStatus) -> ProviderEvent:
    return ProviderEvent(
        provider_ref=payment.provider_ref or "",
        status=status,
        amount=payment.amount,
        currency="PLN",
    )
