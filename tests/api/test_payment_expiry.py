"""Expired payments and the cap on pending ones, through the real app: GraphQL, the sandbox's
hosted page, and the background worker started by the app's lifespan."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from backend.app import create_app
from backend.clock import clock
from backend.models import Payment, WalletTransaction
from backend.models.enums import PaymentStatus
from backend.services import payments
from tests.api.test_payments import PAYMENT, TOP_UP, _open_page
from tests.factories import login_as, make_customer, make_meta
from tests.waiting import wait_until


def _top_up(key: str, amount: str = "15") -> dict[str, object]:
    return {"input": {"amount": amount, "method": "CARD", "idempotencyKey": key}}


async def test_the_hosted_page_of_an_expired_payment(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    started = (await gql(TOP_UP, _top_up("page-expiry-1")))["topUpWallet"]
    other = (await gql(TOP_UP, _top_up("page-expiry-2")))["topUpWallet"]
    # the customer opens the form in time but submits it after the timeout
    path, token = await _open_page(client, started["redirectUrl"])
    clock.advance(seconds=settings.payment_timeout_seconds)
    submitted = await client.post(
        path, data={"token": token, "method": "card", "action": "approve"}
    )
    assert submitted.status_code == 200
    assert "wygasła" in submitted.text and 'name="token"' not in submitted.text
    back = parse_qs(urlsplit(_link(submitted.text)).query)
    assert back == {"payment": [started["payment"]["id"]], "status": ["failed"]}
    # opening the other one after the timeout: the page says so (in English when asked)
    page = await client.get(urlsplit(other["redirectUrl"]).path, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "This payment has expired" in page.text and 'name="token"' not in page.text
    assert await WalletTransaction.all().count() == 0
    assert await Payment.filter(status=PaymentStatus.EXPIRED).count() == 2


async def test_payment_query_shows_the_expiry(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    started = (await gql(TOP_UP, _top_up("query-expiry-1")))["topUpWallet"]
    clock.advance(seconds=settings.payment_timeout_seconds + 1)
    await login_as(client, settings, customer)  # the idle session ended meanwhile
    shown = (await gql(PAYMENT, {"id": started["payment"]["id"]}))["payment"]
    assert shown["status"] == "EXPIRED" and shown["paidAt"] is None


async def test_the_cap_through_graphql(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    for n in range(payments.MAX_PENDING):
        assert (await gql(TOP_UP, _top_up(f"gql-cap-{n:02d}")))["topUpWallet"]["errors"] == []
    refused = (await gql(TOP_UP, _top_up("gql-cap-99"), headers={"Accept-Language": "en"}))[
        "topUpWallet"
    ]
    assert refused["payment"] is None and refused["redirectUrl"] is None
    assert refused["errors"] == [
        {
            "field": None,
            "code": "TOO_MANY_PENDING_PAYMENTS",
            "message": "You already have 5 started payments that are not finished. "
            "Finish one of them or try again in 30 min.",
        }
    ]
    polish = (await gql(TOP_UP, _top_up("gql-cap-99")))["topUpWallet"]["errors"][0]["message"]
    assert polish.startswith("Masz zbyt wiele rozpoczętych")
    retry = (await gql(TOP_UP, _top_up("gql-cap-03")))["topUpWallet"]
    assert retry["errors"] == [] and retry["payment"]["status"] == "PENDING"
    assert await Payment.all().count() == payments.MAX_PENDING


async def test_the_app_lifespan_runs_the_sweep(db, settings) -> None:
    customer = await make_customer(settings)
    stale = await payments.start_top_up(
        settings, customer.id, "10", "card", "lifespan-01", meta=make_meta()
    )
    clock.advance(seconds=settings.payment_timeout_seconds)
    app = create_app(settings, manage_database=False)
    async with app.router.lifespan_context(app):
        # the worker's first pass runs every chore; wait for it
        await wait_until(lambda: Payment.exists(id=stale.payment.id, status=PaymentStatus.EXPIRED))
    assert (await Payment.get(id=stale.payment.id)).status is PaymentStatus.EXPIRED


def _link(html: str) -> str:
    start = html.index('href="', html.index("<main>")) + len('href="')
    return html[start : html.index('"', start)].replace("&amp;", "&")
