"""Invoices: the connection (newest first, status filter, computed overdue), lines and totals,
upcoming payments, and the authenticated PDF download."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader
from stdnum import iban

from backend.clock import clock, today
from backend.models.enums import InvoiceStatus, SessionKind
from backend.schema.relay import to_global_id
from backend.services.billing import payment_account
from tests.factories import (
    login_as,
    make_catalogue,
    make_contract,
    make_customer,
    make_invoice,
    make_service,
    subscribe,
)

INVOICES = """query($first: Int, $after: String, $status: InvoiceFilter) {
  viewer { invoices(first: $first, after: $after, status: $status) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id number issuedOn dueOn status overdue daysOverdue pdfUrl paidAt
      net { amount } vat { amount } gross { amount formatted currency minorUnits }
      lines { position description quantity vatRate unitNet { amount } net { amount }
              vat { amount } gross { amount } } } } } } }"""


async def test_newest_first_lines_and_totals(gql, client, settings) -> None:
    customer = await make_customer(settings)
    old = await make_invoice(customer, issued_on=today() - timedelta(days=60), lines=1)
    new = await make_invoice(customer, issued_on=today() - timedelta(days=3), lines=3)
    await login_as(client, settings, customer)
    data = (await gql(INVOICES))["viewer"]["invoices"]
    assert data["totalCount"] == 2
    numbers = [e["node"]["number"] for e in data["edges"]]
    assert numbers == [new.number, old.number]
    first = data["edges"][0]["node"]
    assert first["gross"] == {
        "amount": "150.00",
        "formatted": "150,00\u00a0zł",
        "currency": "PLN",
        "minorUnits": 15000,
    }
    assert first["net"]["amount"] == "121.95" and first["vat"]["amount"] == "28.05"
    assert [line["position"] for line in first["lines"]] == [1, 2, 3]
    assert first["lines"][0] == {
        "position": 1,
        "description": "Abonament pakiet 1 — żółć",
        "quantity": 1,
        "vatRate": 23,
        "unitNet": {"amount": "40.65"},
        "net": {"amount": "40.65"},
        "vat": {"amount": "9.35"},
        "gross": {"amount": "50.00"},
    }
    assert first["pdfUrl"] == f"http://testserver/invoices/{first['id']}.pdf"
    assert first["issuedOn"] == new.issued_on.isoformat()


GROSS_LINES = [8999, 2999, 800, 333]  # four 23 % lines: 131.31 zł gross


async def test_vat_is_computed_per_rate_from_the_gross_total(gql, client, settings) -> None:
    """art. 106e ust. 7-8: 131.31 x 23/123 = 24.5517 -> 24.55, net 106.76 (the per-line rounded
    VAT would add up to 24.56 and net 106.75)."""
    customer = await make_customer(settings)
    await make_invoice(customer, line_gross=GROSS_LINES)
    await login_as(client, settings, customer)
    query = """{ viewer { invoices { nodes { net { amount } vat { amount } gross { amount }
      vatSummary { vatRate net { amount } vat { amount } gross { amount } } } } } }"""
    invoice = (await gql(query))["viewer"]["invoices"]["nodes"][0]
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == (
        {"amount": "106.76"},
        {"amount": "24.55"},
        {"amount": "131.31"},
    )
    assert invoice["vatSummary"] == [
        {
            "vatRate": 23,
            "net": {"amount": "106.76"},
            "vat": {"amount": "24.55"},
            "gross": {"amount": "131.31"},
        }
    ]


async def test_invoice_contract(gql, client, settings) -> None:
    customer = await make_customer(settings)
    contract = await make_contract(customer)
    with_contract = await make_invoice(customer)
    with_contract.contract = contract
    await with_contract.save(update_fields=["contract_id"])
    await make_invoice(customer, issued_on=today() - timedelta(days=40))
    await login_as(client, settings, customer)
    nodes = (await gql("{ viewer { invoices { nodes { number contract { number } } } } }"))[
        "viewer"
    ]["invoices"]["nodes"]
    assert nodes[0] == {"number": with_contract.number, "contract": {"number": contract.number}}
    assert nodes[1]["contract"] is None


async def test_english_formatting(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await make_invoice(customer, lines=30)
    await login_as(client, settings, customer)
    data = await gql(INVOICES, headers={"Accept-Language": "en-GB,en;q=0.8"})
    gross = data["viewer"]["invoices"]["edges"][0]["node"]["gross"]
    assert gross["formatted"] == "PLN\u00a01,500.00"
    pl = await gql(INVOICES, headers={"Accept-Language": "pl"})
    assert (
        pl["viewer"]["invoices"]["edges"][0]["node"]["gross"]["formatted"]
        == "1\u00a0500,00\u00a0zł"
    )


async def test_status_filter_and_overdue_follow_the_clock(gql, client, settings) -> None:
    customer = await make_customer(settings)
    due_soon = await make_invoice(customer, issued_on=today() - timedelta(days=10))
    late = await make_invoice(customer, issued_on=today() - timedelta(days=40))
    paid = await make_invoice(
        customer, issued_on=today() - timedelta(days=70), status=InvoiceStatus.PAID
    )
    cancelled = await make_invoice(
        customer, issued_on=today() - timedelta(days=100), status=InvoiceStatus.CANCELLED
    )
    await login_as(client, settings, customer)

    async def numbers(status: str | None) -> list[str]:
        data = await gql(INVOICES, {"status": status})
        return [e["node"]["number"] for e in data["viewer"]["invoices"]["edges"]]

    assert await numbers(None) == [due_soon.number, late.number, paid.number, cancelled.number]
    assert await numbers("UNPAID") == [due_soon.number, late.number]
    assert await numbers("PAID") == [paid.number]
    assert await numbers("CANCELLED") == [cancelled.number]
    assert await numbers("OVERDUE") == [late.number]
    nodes = {
        e["node"]["number"]: e["node"] for e in (await gql(INVOICES))["viewer"]["invoices"]["edges"]
    }
    assert nodes[late.number]["overdue"] is True
    assert nodes[late.number]["daysOverdue"] == 26
    assert nodes[late.number]["status"] == "UNPAID"
    assert nodes[due_soon.number]["overdue"] is False
    assert nodes[paid.number]["overdue"] is False and nodes[paid.number]["paidAt"]

    clock.advance(days=5)  # due_soon's due date (issued -10, +14) passes
    await login_as(client, settings, customer)  # the old session idled out meanwhile
    assert await numbers("OVERDUE") == [due_soon.number, late.number]


async def test_bad_status_is_a_validation_error(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    body = await gql(INVOICES, {"status": "LATE"}, expect_errors=True)
    assert body["errors"] and body.get("data") is None


UPCOMING = """{ viewer { upcomingPayments {
  totalDue { amount } overdueTotal { amount } overdueCount
  invoices { number overdue }
  nextCharge { issuedOn dueOn periodStart periodEnd amount { amount } } } } }"""


async def test_upcoming_payments(gql, client, settings) -> None:
    cat = await make_catalogue()
    customer = await make_customer(settings)
    service = await make_service(customer)
    await subscribe(service, cat.sat_base)  # 49.99
    await subscribe(service, cat.sat_sport, ends_on=today() + timedelta(days=400))  # 25.00
    # Ended, and one cancelled before next month: neither is charged next month.
    await subscribe(service, cat.sat_film, ends_on=today() - timedelta(days=1))
    late = await make_invoice(customer, issued_on=today() - timedelta(days=40))
    soon = await make_invoice(customer, issued_on=today() - timedelta(days=2))
    await make_invoice(customer, status=InvoiceStatus.PAID)
    await login_as(client, settings, customer)
    upcoming = (await gql(UPCOMING))["viewer"]["upcomingPayments"]
    assert [i["number"] for i in upcoming["invoices"]] == [late.number, soon.number]
    assert upcoming["totalDue"]["amount"] == "200.00"
    assert upcoming["overdueTotal"]["amount"] == "100.00"
    assert upcoming["overdueCount"] == 1
    charge = upcoming["nextCharge"]
    first_of_next = (today().replace(day=28) + timedelta(days=4)).replace(day=1)
    assert charge["issuedOn"] == first_of_next.isoformat()
    assert charge["periodStart"] == first_of_next.isoformat()
    assert charge["dueOn"] == (first_of_next + timedelta(days=14)).isoformat()
    assert charge["amount"]["amount"] == "74.99"


async def test_no_next_charge_without_subscriptions(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    upcoming = (await gql(UPCOMING))["viewer"]["upcomingPayments"]
    assert upcoming == {
        "totalDue": {"amount": "0.00"},
        "overdueTotal": {"amount": "0.00"},
        "overdueCount": 0,
        "invoices": [],
        "nextCharge": None,
    }


CAPPED = """query ($first: Int!) { viewer { upcomingPayments {
  unpaidCount totalDue { amount } overdueTotal { amount } overdueCount
  invoices(first: $first) { number }
  fiveByDefault: invoices { number } } } }"""


async def test_upcoming_invoices_are_the_first_few_with_a_count(gql, client, settings) -> None:
    """The start screen's unpaid invoices are bounded: the first 5 due (by default, at most 20)
    and how many there are; the totals still cover all of them."""
    customer = await make_customer(settings)
    unpaid = [  # 23 unpaid, due on 23 different days (6 of them overdue), 100.00 each
        await make_invoice(customer, due_on=today() + timedelta(days=d), number=f"FV/{d + 10}")
        for d in range(-6, 17)
    ]
    await make_invoice(customer, status=InvoiceStatus.PAID)
    await login_as(client, settings, customer)
    by_due = [i.number for i in sorted(unpaid, key=lambda i: (i.due_on, i.id))]

    async def upcoming(first: int) -> dict:
        return (await gql(CAPPED, {"first": first}))["viewer"]["upcomingPayments"]

    seven = await upcoming(7)
    assert [i["number"] for i in seven.pop("invoices")] == by_due[:7]
    assert [i["number"] for i in seven.pop("fiveByDefault")] == by_due[:5]
    assert seven == {
        "unpaidCount": 23,
        "totalDue": {"amount": "2300.00"},
        "overdueTotal": {"amount": "600.00"},
        "overdueCount": 6,
    }
    assert [i["number"] for i in (await upcoming(1000))["invoices"]] == by_due[:20]
    assert (await upcoming(0))["invoices"] == (await upcoming(-3))["invoices"] == []


def _pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


async def test_pdf_download(gql, client, settings) -> None:
    customer = await make_customer(
        settings,
        first_name="Zażółć",
        last_name="Gęślą",
        street="ul. Jaźni 4",
        postal_code="90-001",
        city="Łódź",
    )
    invoice = await make_invoice(customer, number="FV/2026/11/000123", lines=2)
    await login_as(client, settings, customer)
    url = (await gql(INVOICES))["viewer"]["invoices"]["edges"][0]["node"]["pdfUrl"]
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "no-store" in response.headers["cache-control"]
    assert "Faktura-FV-2026-11-000123.pdf" in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    for expected in (
        "Faktura VAT nr FV/2026/11/000123",
        "Sprzedawca",
        "Nabywca",
        "Zażółć Gęślą",
        "90-001 Łódź",
        customer.number,
        "Abonament pakiet 1 — żółć",
        "23%",
        "81,30\u00a0zł",  # net total
        "18,70\u00a0zł",  # VAT total
        "Do zapłaty: 100,00\u00a0zł",
        "sto złotych 00/100",
        iban.format(payment_account(settings, customer.id)),
        "NIP: 525-000-10-03",  # the settings' seller: the invoice has no snapshot
        "Faktura wystawiona elektronicznie",
        invoice.due_on.strftime("%d.%m.%Y"),
    ):
        assert expected in text, expected


async def test_pdf_prints_the_parties_as_they_were_when_the_invoice_was_made(
    client, settings
) -> None:
    """The snapshots win over the settings and the customer's current data, which changed."""
    customer = await make_customer(settings, first_name="Ewa", last_name="Nowa", city="Łódź")
    invoice = await make_invoice(
        customer,
        seller={
            "name": "Sat-Net sp. z o.o.",
            "address": "ul. Długa 5, 31-147 Kraków",
            "nip": "1180000113",
            "bank_name": "mBank S.A.",
            "issue_place": "Kraków",
        },
        buyer={
            "name": "Ewa Stara",
            "street": "ul. Dawna 1",
            "postal_code": "30-001",
            "city": "Kraków",
        },
        bank_account="PL61109010140000071219812874",
        footer="Sat-Net, KRS 0000123456",
    )
    await login_as(client, settings, customer)
    response = await client.get(f"/invoices/{to_global_id('Invoice', invoice.id)}.pdf")
    text = _pdf_text(response.content)
    for expected in (
        "Sat-Net sp. z o.o.",
        "31-147 Kraków",
        "NIP: 118-000-01-13",
        "Ewa Stara",
        "ul. Dawna 1",
        "30-001 Kraków",
        "Bank: mBank S.A.",
        "PL61 1090 1014 0000 0712 1981 2874",
        "Sat-Net, KRS 0000123456",
        f"{invoice.issued_on:%d.%m.%Y}, Kraków",
    ):
        assert expected in text, expected
    for absent in (settings.operator_name, "Ewa Nowa", "Łódź", settings.bank_name, "Faktura wyst"):
        assert absent not in text, absent


async def test_pdf_buyer_block_shows_no_control_characters(client, settings) -> None:
    """A row stored before the input check (issue 11 item 9) keeps its escape sequence and
    right-to-left override out of the PDF."""
    customer = await make_customer(settings, street="ul. \u202eabc 1", city="Łódź\x1b[31m")
    invoice = await make_invoice(customer)
    await login_as(client, settings, customer)
    response = await client.get(f"/invoices/{to_global_id('Invoice', invoice.id)}.pdf")
    text = _pdf_text(response.content)
    assert "Łódź" in text and "abc 1" in text
    assert "\x1b" not in text and "\u202e" not in text, text


async def test_pdf_summary_per_rate_computes_vat_from_the_gross_total(client, settings) -> None:
    customer = await make_customer(settings)
    invoice = await make_invoice(customer, line_gross=GROSS_LINES)
    await login_as(client, settings, customer)
    response = await client.get(f"/invoices/{to_global_id('Invoice', invoice.id)}.pdf")
    text = _pdf_text(response.content)
    summary = "23% 106,76\u00a0zł 24,55\u00a0zł 131,31\u00a0zł"
    assert summary in text, text
    assert "Razem 106,76\u00a0zł 24,55\u00a0zł 131,31\u00a0zł" in text, text
    assert "24,56" not in text and "106,75" not in text
    assert "Cena brutto" in text and "1 szt. 89,99" in text  # lines in gross prices


async def test_pdf_of_paid_invoice_shows_nothing_due(client, settings) -> None:
    customer = await make_customer(settings)
    invoice = await make_invoice(customer, status=InvoiceStatus.PAID)
    await login_as(client, settings, customer)
    response = await client.get(f"/invoices/{to_global_id('Invoice', invoice.id)}.pdf")
    text = _pdf_text(response.content)
    assert "Do zapłaty: 0,00\u00a0zł" in text and "Zapłacono" in text


async def test_pdf_with_bearer_token(client, settings) -> None:
    customer = await make_customer(settings)
    invoice = await make_invoice(customer)
    token = await login_as(client, settings, customer, kind=SessionKind.BEARER)
    url = f"/invoices/{to_global_id('Invoice', invoice.id)}.pdf"
    assert (await client.get(url)).status_code == 401
    response = await client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


async def test_pdf_refused_to_others_and_strangers(client, settings) -> None:
    owner = await make_customer(settings)
    invoice = await make_invoice(owner)
    url = f"/invoices/{to_global_id('Invoice', invoice.id)}.pdf"
    logged_out = await client.get(url)
    assert logged_out.status_code == 401
    assert b"%PDF" not in logged_out.content

    other = await make_customer(settings)
    await login_as(client, settings, other)
    for path in (
        url,
        f"/invoices/{to_global_id('Invoice', invoice.id + 1000)}.pdf",
        f"/invoices/{to_global_id('Payment', invoice.id)}.pdf",
        "/invoices/not-base64!.pdf",
        "/invoices/.pdf",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_pdf_of_a_long_invoice_spans_pages(client, settings) -> None:
    customer = await make_customer(settings)
    invoice = await make_invoice(customer, lines=80)
    await login_as(client, settings, customer)
    response = await client.get(f"/invoices/{to_global_id('Invoice', invoice.id)}.pdf")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2
    text = _pdf_text(response.content)
    assert "Abonament pakiet 80 — żółć" in text
    assert "Do zapłaty: 4\u00a0000,00\u00a0zł" in text
    assert "Strona 2/" in text
