"""payInvoices / topUpWallet → the sandbox's hosted page → the signed webhook → payment(id)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx

from backend.clock import today
from backend.models import Invoice, Payment, Service, Wallet
from backend.models.enums import InvoiceStatus, MessageCategory, ServiceStatus, SuspensionReason
from backend.schema.relay import to_global_id
from tests.api.graph_queries import DASHBOARD
from tests.factories import login_as, make_customer, make_invoice, make_message, make_service

TOP_UP = """
mutation($input: TopUpWalletInput!) {
  topUpWallet(input: $input) {
    payment { id status purpose amount { amount } method } redirectUrl
    errors { field code message }
  }
}"""
PAY = """
mutation($input: PayInvoicesInput!) {
  payInvoices(input: $input) {
    payment { id status amount { amount } invoices { number } } redirectUrl
    errors { field code message }
  }
}"""
PAYMENT = "query($id: ID!) { payment(id: $id) { id status paidAt method amount { amount } } }"
WALLET = "{ viewer { wallet { balance { amount } } } }"


async def _open_page(client: httpx.AsyncClient, redirect_url: str) -> tuple[str, str]:
    path = urlsplit(redirect_url).path
    page = await client.get(path)
    assert page.status_code == 200
    assert "script" not in page.text.lower()  # static page: the strict CSP stays intact
    assert "script-src 'self'" in page.headers["content-security-policy"]
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    return path, token.group(1)


async def _pay(client: httpx.AsyncClient, redirect_url: str, **form: str) -> httpx.Response:
    path, token = await _open_page(client, redirect_url)
    return await client.post(path, data={"token": token, **form})


async def test_top_up_through_the_sandbox_page(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    variables = {"input": {"amount": "25,50", "method": "BLIK", "idempotencyKey": "web-topup-0001"}}
    started = (await gql(TOP_UP, variables))["topUpWallet"]
    assert started["errors"] == []
    payment = started["payment"]
    assert payment["status"] == "PENDING" and payment["amount"]["amount"] == "25.50"
    page = await client.get(urlsplit(started["redirectUrl"]).path)
    assert "25,50" in page.text and "BLIK" in page.text
    bad_blik = await _pay(
        client, started["redirectUrl"], method="blik", blik="12a", action="approve"
    )
    assert bad_blik.status_code == 400 and "6-cyfrowy" in bad_blik.text
    done = await _pay(
        client, started["redirectUrl"], method="blik", blik="123456", action="approve"
    )
    assert done.status_code == 303
    target = urlsplit(done.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "http://testserver/payments/return"
    assert parse_qs(target.query) == {"payment": [payment["id"]], "status": ["paid"]}
    shown = (await gql(PAYMENT, {"id": payment["id"]}))["payment"]
    assert shown["status"] == "PAID" and shown["paidAt"] and shown["method"] == "BLIK"
    assert (await gql(WALLET))["viewer"]["wallet"]["balance"]["amount"] == "25.50"
    # the same key again: the same payment, no second one
    again = (await gql(TOP_UP, variables))["topUpWallet"]
    assert again["payment"]["id"] == payment["id"] and again["payment"]["status"] == "PAID"
    reused = (await gql(TOP_UP, {"input": {**variables["input"], "amount": "30"}}))["topUpWallet"]
    assert reused["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    # the page of a finished payment only links back
    finished = await client.get(urlsplit(started["redirectUrl"]).path)
    assert 'name="token"' not in finished.text and "/payments/return" in finished.text
    assert await Payment.all().count() == 1


async def test_top_up_bounds(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    limits = await gql("{ viewer { wallet { topUpMin { amount } topUpMax { amount } } } }")
    assert limits["viewer"]["wallet"] == {
        "topUpMin": {"amount": "10.00"},
        "topUpMax": {"amount": "500.00"},
    }  # what the customer is told (the hint) is what the server accepts
    for amount, code in (("5", "AMOUNT_OUT_OF_RANGE"), ("9.99", "AMOUNT_OUT_OF_RANGE"),
                         ("501", "AMOUNT_OUT_OF_RANGE"), ("500.01", "AMOUNT_OUT_OF_RANGE"),
                         ("", "REQUIRED"), ("ten", "INVALID"), ("1.001", "INVALID")):  # fmt: skip
        data = await gql(
            TOP_UP,
            {"input": {"amount": amount, "method": "CARD", "idempotencyKey": "bounds-key-1"}},
        )
        assert data["topUpWallet"]["errors"][0]["code"] == code, amount
        assert data["topUpWallet"]["payment"] is None
    english = await gql(
        TOP_UP,
        {"input": {"amount": "2", "method": "CARD", "idempotencyKey": "bounds-key-1"}},
        headers={"Accept-Language": "en"},
    )
    assert (
        english["topUpWallet"]["errors"][0]["message"]
        == "The amount must be between PLN\u00a010.00 and PLN\u00a0500.00."
    )
    polish = await gql(
        TOP_UP, {"input": {"amount": "500,01", "method": "CARD", "idempotencyKey": "bounds-key-1"}}
    )
    assert (
        polish["topUpWallet"]["errors"][0]["message"]
        == "Kwota musi mieścić się w przedziale od 10,00\u00a0zł do 500,00\u00a0zł."
    )
    assert await Payment.all().count() == 0


async def test_declined_cancelled_and_blik_refused(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    outcomes = {}
    for n, form in enumerate(
        (
            {"method": "card", "action": "decline"},
            {"method": "card", "action": "cancel"},
            {"method": "blik", "blik": "000000", "action": "approve"},
        )
    ):
        started = await gql(
            TOP_UP,
            {"input": {"amount": "10", "method": "CARD", "idempotencyKey": f"outcome-{n:04d}"}},
        )
        response = await _pay(client, started["topUpWallet"]["redirectUrl"], **form)
        assert response.status_code == 303
        outcomes[form["action"] + form.get("blik", "")] = parse_qs(
            urlsplit(response.headers["location"]).query
        )["status"][0]
    assert outcomes == {"decline": "failed", "cancel": "cancelled", "approve000000": "failed"}
    statuses = sorted(p.status.value for p in await Payment.all())
    assert statuses == ["cancelled", "failed", "failed"]
    assert await Wallet.filter(customer_id=customer.id, balance__gt=0).count() == 0


async def test_form_needs_its_token_and_cookie(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    started = await gql(
        TOP_UP, {"input": {"amount": "10", "method": "CARD", "idempotencyKey": "csrf-test-01"}}
    )
    url = started["topUpWallet"]["redirectUrl"]
    path, token = await _open_page(client, url)
    assert (
        await client.post(path, data={"token": "0" * 64, "action": "approve"})
    ).status_code == 403
    client.cookies.delete("icok_sandbox")
    assert (await client.post(path, data={"token": token, "action": "approve"})).status_code == 403
    cross = await client.post(
        path, data={"token": token, "action": "approve"}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    assert (await client.get("/sandbox-pay/sbx_unknown")).status_code == 404
    assert (await Payment.get()).status.value == "pending"


async def test_pay_invoices_and_lift_suspension(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    service = await make_service(
        customer, status=ServiceStatus.SUSPENDED, suspension_reason=SuspensionReason.DEBT
    )
    overdue = await make_invoice(customer, gross=9900, due_on=today() - timedelta(days=20))
    current = await make_invoice(customer, gross=4900, due_on=today() + timedelta(days=10))
    ids = [to_global_id("Invoice", overdue.id), to_global_id("Invoice", current.id)]
    # The start screen's urgent banners: the suspension notice while the debt lasts.
    await make_message(
        customer, category=MessageCategory.BILLING, urgent=True, subject="TV zawieszona"
    )
    await make_message(customer, urgent=True, subject="Awaria")

    async def banners() -> list[str]:
        board = (await gql(DASHBOARD))["viewer"]["dashboard"]
        return sorted(m["subject"] for m in board["urgentMessages"])

    assert await banners() == ["Awaria", "TV zawieszona"]
    started = (
        await gql(
            PAY,
            {"input": {"invoiceIds": ids, "method": "TRANSFER", "idempotencyKey": "invoices-0001"}},
        )
    )["payInvoices"]
    assert started["errors"] == [] and started["payment"]["amount"]["amount"] == "148.00"
    assert sorted(i["number"] for i in started["payment"]["invoices"]) == sorted(
        [overdue.number, current.number]
    )
    response = await _pay(client, started["redirectUrl"], method="transfer", action="approve")
    assert parse_qs(urlsplit(response.headers["location"]).query)["status"] == ["paid"]
    assert await Invoice.filter(status=InvoiceStatus.PAID).count() == 2
    assert (await Service.get(id=service.id)).status is ServiceStatus.ACTIVE
    assert await banners() == ["Awaria"]  # paid: the suspension notice leaves the banner
    paid_again = await gql(
        PAY, {"input": {"invoiceIds": ids[:1], "method": "CARD", "idempotencyKey": "invoices-0002"}}
    )
    assert paid_again["payInvoices"]["errors"][0]["code"] == "INVOICE_ALREADY_PAID"


async def test_other_customers_invoices_and_payments(gql, client, settings) -> None:
    owner = await make_customer(settings)
    theirs = await make_invoice(owner)
    await login_as(client, settings, owner)
    started = await gql(
        TOP_UP, {"input": {"amount": "10", "method": "CARD", "idempotencyKey": "owner-key-01"}}
    )
    payment_id = started["topUpWallet"]["payment"]["id"]
    stranger = await make_customer(settings)
    await login_as(client, settings, stranger)
    mine = await make_invoice(stranger)
    data = await gql(
        PAY,
        {
            "input": {
                "invoiceIds": [
                    to_global_id("Invoice", mine.id),
                    to_global_id("Invoice", theirs.id),
                ],
                "method": "CARD",
                "idempotencyKey": "stranger-01",
            }
        },
    )
    assert data["payInvoices"]["errors"] == [
        {"field": "invoiceIds", "code": "NOT_FOUND", "message": "Nie znaleziono."}
    ]
    assert (await gql(PAYMENT, {"id": payment_id}))["payment"] is None
    assert (await gql(PAYMENT, {"id": "bm9wZQ=="}))["payment"] is None
    # the owner's idempotency key means nothing for another customer
    own = await gql(
        TOP_UP, {"input": {"amount": "10", "method": "CARD", "idempotencyKey": "owner-key-01"}}
    )
    assert own["topUpWallet"]["payment"]["id"] != payment_id


TOTAL = "query($ids: [ID!]!) { viewer { unpaidTotal(invoiceIds: $ids) { amount formatted } } }"


async def test_the_total_shown_before_paying_is_what_is_charged(gql, client, settings) -> None:
    customer = await make_customer(settings)
    a = await make_invoice(customer, gross=12345)
    b = await make_invoice(customer, gross=100000)
    paid = await make_invoice(customer, gross=500, status=InvoiceStatus.PAID)
    theirs = await make_invoice(await make_customer(settings), gross=700)
    await login_as(client, settings, customer)
    ids = [to_global_id("Invoice", i.id) for i in (a, b)]
    others: list[str] = [to_global_id("Invoice", i.id) for i in (paid, theirs)]
    others += [to_global_id("Payment", a.id), "not-an-id"]
    total = (await gql(TOTAL, {"ids": ids + others}))["viewer"]["unpaidTotal"]
    assert total == {"amount": "1123.45", "formatted": "1\u00a0123,45\u00a0zł"}
    assert (await gql(TOTAL, {"ids": []}))["viewer"]["unpaidTotal"]["amount"] == "0.00"
    variables = {"input": {"invoiceIds": ids, "method": "CARD", "idempotencyKey": "total-0001"}}
    charged = (await gql(PAY, variables))["payInvoices"]["payment"]["amount"]
    assert charged == {"amount": total["amount"]}
