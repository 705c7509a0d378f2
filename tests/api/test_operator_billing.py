"""``upsertInvoices``, ``recordInvoicePayments`` and ``upsertUsage`` through the real app:
results per item with the input's field paths (``lines.0.vatRate``), the keys' scopes, and what
the customer sees at once (invoice list, paid status, usage, the PDF's snapshots)."""

from __future__ import annotations

import io
from typing import Any

import httpx
from pypdf import PdfReader

from backend.models import AuditEvent, Invoice, InvoiceLine, ServiceUsage
from backend.models.enums import AuditKind, InvoiceStatus, ServiceKind
from backend.schema.relay import to_global_id
from backend.services.billing import vat_from_gross
from backend.services.operator_keys import Scope
from tests.factories import login_as, make_api_key, make_customer, make_service

URL = "/operator/graphql"
RESULT = """{ created updated unchanged rejected dryRun
    results { index key status errors { field code message } } errors { field code } }"""
INVOICES = f"""mutation ($input: UpsertInvoicesInput!) {{
  upsertInvoices(input: $input) {RESULT} }}"""
PAYMENTS = f"""mutation ($input: RecordInvoicePaymentsInput!) {{
  recordInvoicePayments(input: $input) {RESULT} }}"""
USAGE = f"""mutation ($input: UpsertUsageInput!) {{
  upsertUsage(input: $input) {RESULT} }}"""
VIEWER = """{ viewer {
  invoices(first: 5) { edges { node { id number status paidAt gross { amount } } } }
  services { usage { dataUsedMb periodStart } } } }"""


def line(unit_gross: int, quantity: int = 1, rate: int = 23, **fields: Any) -> dict[str, Any]:
    gross = unit_gross * quantity
    vat = vat_from_gross(gross, rate)
    return {
        "description": "Abonament Internet 300",
        "quantity": quantity,
        "unitGross": unit_gross,
        "vatRate": rate,
        "net": gross - vat,
        "vat": vat,
        "gross": gross,
        **fields,
    }


def invoice(number: str, customer: str, *lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    rows = list(lines) or [line(5999)]
    gross = sum(row["gross"] for row in rows)  # one rate in these tests
    vat = vat_from_gross(gross, rows[0]["vatRate"])
    return {
        "number": number,
        "customerNumber": customer,
        "periodStart": "2026-10-01",
        "periodEnd": "2026-10-31",
        "issuedOn": "2026-11-01",
        "dueOn": "2026-11-25",
        "net": gross - vat,
        "vat": vat,
        "gross": gross,
        "lines": rows,
        **fields,
    }


async def call(
    client: httpx.AsyncClient, headers: dict[str, str], query: str, items: list[Any], **extra: Any
) -> dict[str, Any]:
    variables = {"input": {"items": items, **extra}}
    response = await client.post(
        URL, json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


def statuses(result: dict[str, Any]) -> list[str]:
    return [r["status"] for r in result["results"]]


def fields_and_codes(result: dict[str, Any]) -> list[list[tuple[str, str]]]:
    return [[(e["field"], e["code"]) for e in r["errors"]] for r in result["results"]]


async def test_invoices_payments_and_usage_reach_the_customer(
    client: httpx.AsyncClient, gql, settings
) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer, kind=ServiceKind.INTERNET)
    key = await make_api_key(Scope.BILLING_WRITE, Scope.USAGE_WRITE, name="bss")
    items = [
        invoice(
            "FV/2026/11/1",
            customer.number,
            line(5999),
            line(1000, 2),
            buyer={"name": "Jan Testowy", "street": "ul. Nowa 1", "postalCode": "00-950"},
            bankAccount="PL61 1090 1014 0000 0712 1981 2874",
        )
    ]
    first = await call(client, key.headers, INVOICES, items)
    assert (first["created"], first["rejected"]) == (1, 0), first
    assert statuses(await call(client, key.headers, INVOICES, items)) == ["UNCHANGED"]
    stored = await Invoice.get(number="FV/2026/11/1")
    assert stored.gross == 7999 and await InvoiceLine.filter(invoice_id=stored.id).count() == 2
    assert stored.buyer == {
        "name": "Jan Testowy",
        "street": "ul. Nowa 1",
        "postal_code": "00-950",
        "city": "",
    }
    reading = {
        "serviceIdentifier": service.identifier,
        "periodStart": "2026-11-01",
        "periodEnd": "2026-11-30",
        "dataUsedMb": 4321,
        "readAt": "2026-11-18T09:00:00+01:00",
    }
    assert statuses(await call(client, key.headers, USAGE, [reading])) == ["CREATED"]

    await login_as(client, settings, customer)
    seen = (await gql(VIEWER))["viewer"]
    node = seen["invoices"]["edges"][0]["node"]
    assert (node["number"], node["status"], node["gross"]) == (
        "FV/2026/11/1",
        "UNPAID",
        {"amount": "79.99"},
    )
    assert seen["services"][0]["usage"] == {"dataUsedMb": 4321, "periodStart": "2026-11-01"}
    pdf = await client.get(f"/invoices/{to_global_id('Invoice', stored.id)}.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "ul. Nowa 1" in text and "PL61 1090 1014 0000 0712 1981 2874" in text

    payment = {
        "invoiceNumber": "FV/2026/11/1",
        "paidAt": "2026-11-18T10:00:00+01:00",
        "amount": 7999,
        "reference": "PRZELEW-1",
    }
    assert statuses(await call(client, key.headers, PAYMENTS, [payment])) == ["CREATED"]
    assert statuses(await call(client, key.headers, PAYMENTS, [payment])) == ["UNCHANGED"]
    node = (await gql(VIEWER))["viewer"]["invoices"]["edges"][0]["node"]
    assert node["status"] == "PAID" and node["paidAt"].startswith("2026-11-18T09:00")
    events = await AuditEvent.filter(kind=AuditKind.OPERATOR_WRITE).order_by("id")
    assert [(e.details["writer"], e.details["type"]) for e in events] == [
        ("key:bss", "invoice"),
        ("key:bss", "usage"),
        ("key:bss", "invoice_payment"),
    ]


async def test_bad_items_are_named_with_the_inputs_fields(
    client: httpx.AsyncClient, settings
) -> None:
    customer = await make_customer(settings)
    key = await make_api_key(Scope.BILLING_WRITE)
    headers = {**key.headers, "Accept-Language": "en"}
    items = [
        invoice("FV/1", customer.number),
        invoice("FV/2", customer.number, line(1000, rate=7)),
        invoice("FV/3", customer.number, line(1000), vat=188, net=812),
        invoice("FV/4", "K-UNKNOWN"),
        invoice("FV/5", customer.number, bankAccount="PL00 1234"),
        invoice("FV/6", customer.number, buyer={"name": "X", "postalCode": "1"}),
    ]
    result = await call(client, headers, INVOICES, items)
    assert statuses(result) == ["CREATED"] + ["REJECTED"] * 5
    assert fields_and_codes(result)[1:] == [
        [("lines.0.vatRate", "INVALID_CHOICE")],
        [("net", "TOTALS_DO_NOT_ADD_UP"), ("vat", "TOTALS_DO_NOT_ADD_UP")],
        [("customerNumber", "UNKNOWN_REFERENCE")],
        [("bankAccount", "INVALID_IBAN")],
        [("buyer.postalCode", "INVALID_POSTAL_CODE")],
    ]
    messages = [e["message"] for e in result["results"][2]["errors"]]
    assert messages[1] == "The amounts do not add up: it should be 187, given 188 (in grosze)."
    assert result["results"][1]["errors"][0]["message"] == "Unknown value (allowed: 23, 8, 5, 0)."
    assert await Invoice.all().values_list("number", flat=True) == ["FV/1"]

    payment = {"invoiceNumber": "FV/1", "paidAt": "2026-11-18T08:00:00Z", "amount": 1}
    no_offset = {**payment, "invoiceNumber": "FV/2", "paidAt": "2026-11-18T08:00:00"}
    result = await call(client, headers, PAYMENTS, [payment, no_offset])
    assert fields_and_codes(result) == [
        [("amount", "TOTALS_DO_NOT_ADD_UP")],
        [("paidAt", "INVALID_DATE")],
    ]
    assert (await Invoice.get(number="FV/1")).status is InvoiceStatus.UNPAID


async def test_a_dry_run_writes_nothing(client: httpx.AsyncClient, settings) -> None:
    customer = await make_customer(settings)
    key = await make_api_key(Scope.BILLING_WRITE)
    result = await call(
        client, key.headers, INVOICES, [invoice("FV/1", customer.number)], dryRun=True
    )
    assert result["dryRun"] is True and result["created"] == 1
    assert not await Invoice.exists()


async def test_each_mutation_needs_its_scope(client: httpx.AsyncClient, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer, kind=ServiceKind.INTERNET)
    billing = await make_api_key(Scope.BILLING_WRITE)
    usage = await make_api_key(Scope.USAGE_WRITE)
    reading = {
        "serviceIdentifier": service.identifier,
        "periodStart": "2026-11-01",
        "periodEnd": "2026-11-30",
        "dataUsedMb": 1,
        "readAt": "2026-11-18T09:00:00Z",
    }
    payment = {"invoiceNumber": "FV/1", "paidAt": "2026-11-18T08:00:00Z", "amount": 1}
    for headers, query, items in (
        (usage.headers, INVOICES, [invoice("FV/1", customer.number)]),
        (usage.headers, PAYMENTS, [payment]),
        (billing.headers, USAGE, [reading]),
    ):
        variables = {"input": {"items": items}}
        response = await client.post(
            URL, json={"query": query, "variables": variables}, headers=headers
        )
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "SCOPE_NOT_GRANTED"
    assert not await Invoice.exists() and not await ServiceUsage.exists()
