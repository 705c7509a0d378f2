"""PayU end to end over real HTTP: the app (served on a free port) creates orders at the PayU
emulator (``tests/payu_emulator.py``), the customer is sent to the emulator's page, and the
emulator's signed notifications settle the payment once."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from backend.models import Payment
from backend.models.enums import PaymentStatus
from tests.conftest import GraphQLClient
from tests.factories import login_as, make_customer
from tests.payu_emulator import PayUEmulator
from tests.smtp import Mailbox

TOP_UP = """
mutation($input: TopUpWalletInput!) {
  topUpWallet(input: $input) {
    payment { id status amount { amount } } redirectUrl
    errors { field code message }
  }
}"""
PAY = """
mutation($input: PayInvoicesInput!) {
  payInvoices(input: $input) {
    payment { id status amount { amount } } redirectUrl
    errors { field code message }
  }
}"""
WALLET = "{ viewer { wallet { balance { amount } } } }"


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


@pytest.fixture
def gql(payu_client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(payu_client)


async def _top_up(
    gql: GraphQLClient, amount: str = "50", method: str = "BLIK", key: str = "payu-topup-0001"
) -> dict[str, Any]:
    variables = {"input": {"amount": amount, "method": method, "idempotencyKey": key}}
    return (await gql(TOP_UP, variables))["topUpWallet"]


async def _customer(payu_client: httpx.AsyncClient, payu_settings: Any, **fields: Any) -> Any:
    customer = await make_customer(payu_settings, **fields)
    await login_as(payu_client, payu_settings, customer)
    return customer


async def test_top_up_paid_at_payu_settles_once_and_mails_one_receipt(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator, mailbox: Mailbox
) -> None:
    customer = await _customer(payu_client, payu_settings, email="ewa@example.com", language="en")
    started = await _top_up(gql, "50", "BLIK")
    assert started["errors"] == []
    payment = await Payment.get(customer_id=customer.id)
    order = payu_emulator.order(payment.provider_ref or "")
    # the customer goes to PayU's page (the emulator's), not ours
    assert started["redirectUrl"] == f"{payu_emulator.url}/pay/?orderId={order.order_id}"
    assert (await payu_client.get(started["redirectUrl"])).status_code == 200
    assert payment.provider == "payu" and payment.provider_order_id == order.order_id
    sent = order.request
    assert sent["merchantPosId"] == payu_emulator.pos_id
    assert sent["totalAmount"] == "5000" and sent["currencyCode"] == "PLN"
    assert sent["products"] == [
        {"name": "Doładowanie portmonetki", "unitPrice": "5000", "quantity": "1"}
    ]
    assert sent["extOrderId"] == payment.provider_ref
    assert sent["payMethods"] == {"payMethod": {"type": "PBL", "value": "blik"}}
    assert sent["buyer"] == {"language": "en", "email": "ewa@example.com"}
    assert sent["validityTime"] == str(payu_settings.payment_timeout_seconds)
    assert sent["notifyUrl"] == f"{payu_settings.base_url}/payments/webhook/payu"
    assert (
        sent["continueUrl"] == f"{payu_settings.base_url}/payments/continue/{payment.provider_ref}"
    )
    assert sent["customerIp"] == "127.0.0.1"  # the test client's address

    answer = await payu_emulator.pay(payment.provider_ref or "")
    assert answer is not None and answer.status_code == 200
    assert answer.json() == {"result": "settled", "status": "paid"}
    pending_answer = order.notifications[0]  # PENDING came first: nothing changed
    assert pending_answer.status_code == 200 and pending_answer.json()["status"] == "pending"
    again = await payu_emulator.notify(payment.provider_ref or "")  # PayU resends COMPLETED
    assert again.status_code == 200 and again.json()["result"] == "already-final"
    assert (await gql(WALLET))["viewer"]["wallet"]["balance"]["amount"] == "50.00"
    await payment.refresh_from_db()
    assert payment.status is PaymentStatus.PAID
    await mailbox.settle()
    assert len(mailbox.messages(to="ewa@example.com")) == 1
    # PayU sends the customer back through continueUrl to the SPA's result page
    back = await payu_client.get(urlsplit(sent["continueUrl"]).path)
    assert back.status_code == 303 and "status=paid" in back.headers["location"]
