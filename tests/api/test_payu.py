"""PayU end to end over real HTTP: the app (served on a free port) creates orders at the PayU
emulator (``tests/payu_emulator.py``), the customer is sent to the emulator's page, and the
emulator's signed notifications settle the payment once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from backend.clock import clock
from backend.config import PaymentProviderName, Settings
from backend.models import Customer, Invoice, Payment, Wallet
from backend.models.enums import InvoiceStatus, Language, PaymentMethod, PaymentStatus
from backend.payments import OrderRequest, ProviderEvent, ProviderUnavailable, payu
from backend.payments.payu import PayUProvider
from backend.schema.relay import to_global_id
from tests.checkout import free_port
from tests.conftest import GraphQLClient
from tests.factories import login_as, make_customer, make_invoice, make_payment
from tests.payu_emulator import PayUEmulator
from tests.serving import serve_in_thread
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
    assert pending_answer.json() == {"result": "pending", "status": "pending"}
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


async def test_invoices_paid_by_card_at_payu(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator, mailbox: Mailbox
) -> None:
    customer = await _customer(payu_client, payu_settings, email="olek@example.com")
    first = await make_invoice(customer, number="FV/2026/10/0007", gross=12345)
    second = await make_invoice(customer, number="FV/2026/11/0001", gross=100000)
    ids = [to_global_id("Invoice", second.id), to_global_id("Invoice", first.id)]
    variables = {"input": {"invoiceIds": ids, "method": "CARD", "idempotencyKey": "payu-inv-0001"}}
    started = (await gql(PAY, variables))["payInvoices"]
    assert started["errors"] == [] and started["payment"]["amount"]["amount"] == "1123.45"
    payment = await Payment.get(customer_id=customer.id)
    sent = payu_emulator.order(payment.provider_ref or "").request
    assert sent["totalAmount"] == "112345"
    assert sent["products"] == [
        {"name": "Faktura FV/2026/10/0007", "unitPrice": "12345", "quantity": "1"},
        {"name": "Faktura FV/2026/11/0001", "unitPrice": "100000", "quantity": "1"},
    ]
    assert sent["payMethods"] == {"payMethod": {"type": "PBL", "value": "c"}}
    assert sent["description"] == "ICOK: FV/2026/10/0007, FV/2026/11/0001"
    answer = await payu_emulator.pay(payment.provider_ref or "", algorithm="SHA-256")
    assert answer is not None and answer.json() == {"result": "settled", "status": "paid"}
    assert await Invoice.filter(status=InvoiceStatus.PAID).count() == 2
    await mailbox.settle()
    assert len(mailbox.messages(to="olek@example.com")) == 1


async def test_a_bank_transfer_leaves_the_choice_to_payus_page(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator
) -> None:
    customer = await _customer(payu_client, payu_settings)
    assert (await _top_up(gql, "20", "TRANSFER"))["errors"] == []
    payment = await Payment.get(customer_id=customer.id)
    assert "payMethods" not in payu_emulator.order(payment.provider_ref or "").request


async def test_cancelled_at_payu(gql, payu_client, payu_settings, payu_emulator) -> None:
    customer = await _customer(payu_client, payu_settings)
    await _top_up(gql)
    payment = await Payment.get(customer_id=customer.id)
    answer = await payu_emulator.cancel(payment.provider_ref or "")
    assert answer is not None and answer.json() == {"result": "settled", "status": "cancelled"}
    await payment.refresh_from_db()
    assert payment.status is PaymentStatus.CANCELLED
    assert payment.failure_reason == "cancelled at PayU"
    # a late COMPLETED (out of order) does not revive it
    late = await payu_emulator.notify(payment.provider_ref or "", "COMPLETED")
    assert late.json() == {"result": "already-final", "status": "cancelled"}
    assert not await Wallet.filter(customer_id=customer.id, balance__gt=0).exists()


async def test_out_of_order_and_repeated_notifications_change_nothing_after_paid(
    gql, payu_client, payu_settings, payu_emulator, mailbox: Mailbox
) -> None:
    customer = await _customer(payu_client, payu_settings, email="ula@example.com")
    await _top_up(gql, "30")
    ref = (await Payment.get(customer_id=customer.id)).provider_ref or ""
    await payu_emulator.pay(ref)
    for status in ("PENDING", "COMPLETED", "CANCELED", "WAITING_FOR_CONFIRMATION", "COMPLETED"):
        answer = await payu_emulator.notify(ref, status)
        assert answer.status_code == 200 and answer.json()["status"] == "paid"
    assert (await gql(WALLET))["viewer"]["wallet"]["balance"]["amount"] == "30.00"
    await mailbox.settle()
    assert len(mailbox.messages(to="ula@example.com")) == 1


async def test_the_provider_is_unavailable_when_payu_fails_or_is_silent(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator, monkeypatch
) -> None:
    customer = await _customer(payu_client, payu_settings)
    monkeypatch.setattr(payu, "TIMEOUT", httpx.Timeout(0.5))

    def token_hangs() -> None:  # the cached token is refused, the new one comes too late
        payu_emulator.revoke_tokens()
        payu_emulator.hold_next(path="/pl/")

    faults = [
        lambda: payu_emulator.fail_next(1, 500),  # the token
        lambda: payu_emulator.fail_next(1, 503, path="/api/"),  # the order
        lambda: payu_emulator.hold_next(path="/api/"),  # no answer in time
        token_hangs,
    ]
    for index, fault in enumerate(faults):
        fault()
        variables = {"input": {"amount": "50", "method": "BLIK", "idempotencyKey": "payu-down-01"}}
        language = "pl" if index % 2 == 0 else "en"
        body = await gql(TOP_UP, variables, headers={"Accept-Language": language})
        [error] = body["topUpWallet"]["errors"]
        assert error["code"] == "PAYMENT_PROVIDER_UNAVAILABLE", index
        assert error["message"] == (
            "Serwis płatności nie odpowiada. Nic nie zostało pobrane; spróbuj ponownie za chwilę."
            if language == "pl"
            else "The payment service is not answering. Nothing was charged; try again in a moment."
        )
        assert body["topUpWallet"]["payment"] is None
        assert not await Payment.filter(customer_id=customer.id).exists()  # nothing half-made
    # PayU is back: the same key starts the payment
    started = await _top_up(gql, key="payu-down-01")
    assert started["errors"] == [] and started["redirectUrl"].startswith(payu_emulator.url)
    assert len(payu_emulator.orders) == 1


async def test_payu_unreachable(gql, payu_client, payu_settings) -> None:
    nowhere = replace(payu_settings.payu, api_url=f"http://127.0.0.1:{free_port()}")
    provider = PayUProvider(payu_settings.with_overrides(payu=nowhere))
    customer = await _customer(payu_client, payu_settings)
    payment = await make_payment(customer, provider="payu", provider_order_id="X1")
    with pytest.raises(ProviderUnavailable, match="connection failed"):
        await provider.fetch_status(payment)


async def test_the_token_is_cached_until_it_expires_and_fetched_again_on_401(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator
) -> None:
    await _customer(payu_client, payu_settings)
    payu_emulator.expires_in = 3600
    assert (await _top_up(gql, key="payu-token-01"))["errors"] == []
    assert (await _top_up(gql, key="payu-token-02"))["errors"] == []
    assert payu_emulator.token_requests == 1  # cached
    clock.advance(seconds=3600 - 30)  # inside the margin before PayU's expiry: a new token
    await _customer(payu_client, payu_settings)  # (the session has timed out meanwhile)
    assert (await _top_up(gql, key="payu-token-03"))["errors"] == []
    assert payu_emulator.token_requests == 2
    payu_emulator.revoke_tokens()  # PayU refuses the cached token: one 401, a new token, retry
    assert (await _top_up(gql, key="payu-token-04"))["errors"] == []
    assert payu_emulator.token_requests == 3
    assert len(payu_emulator.orders) == 4
    orders = [c for c in payu_emulator.calls if c == ("POST", "/api/v2_1/orders")]
    assert len(orders) == 5  # the fourth order was sent twice: refused (401), then accepted


async def test_wrong_credentials_make_payu_unavailable(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator, caplog
) -> None:
    payu_emulator.client_secret = "another-secret"
    customer = await _customer(payu_client, payu_settings)
    [error] = (await _top_up(gql))["errors"]
    assert error["code"] == "PAYMENT_PROVIDER_UNAVAILABLE"
    assert not await Payment.filter(customer_id=customer.id).exists()
    assert "PayU OAuth refused a token for client 300746: HTTP 401" in caplog.text
    assert payu_settings.payu.client_secret not in caplog.text


async def _started(gql, payu_client, payu_settings) -> Payment:
    customer = await _customer(payu_client, payu_settings)
    assert (await _top_up(gql, "50"))["errors"] == []
    return await Payment.get(customer_id=customer.id)


@pytest.mark.parametrize(
    ("sending", "code"),
    [
        ({"signature": ""}, 401),
        ({"signature": "sender=checkout;algorithm=MD5"}, 401),
        ({"signature": "garbled"}, 401),
        ({"signature": "sender=checkout;signature=" + "0" * 32 + ";algorithm=MD5"}, 401),
        ({"signature": "signature=" + "0" * 32 + ";algorithm=CRC32;content=DOCUMENT"}, 400),
        ({"header": "X-Other-Signature"}, 401),
        ({"totalAmount": "5000.9"}, 400),
        ({"totalAmount": "50.00"}, 400),
        ({"totalAmount": 5000}, 400),
        ({"totalAmount": ""}, 400),
        ({"totalAmount": "4999"}, 409),
        ({"currencyCode": "EUR"}, 409),
        ({"currencyCode": "pln"}, 400),
        ({"status": "PAID"}, 400),
        ({"extOrderId": "payu_unknown-order-reference"}, 404),
        ({"extOrderId": "payu_" + "x" * 1019}, 404),  # PayU allows 1024; ours are ≤ 64
        ({"orderId": "FAKEORDER123"}, 409),  # our reference, but another order of PayU's
    ],
)
async def test_refused_notifications_change_nothing(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator, sending, code
) -> None:
    payment = await _started(gql, payu_client, payu_settings)
    sending = dict(sending)  # (the parameter is shared by the SQLite and PostgreSQL runs)
    status = sending.pop("status", "COMPLETED")
    answer = await payu_emulator.notify(payment.provider_ref or "", status, **sending)
    assert answer.status_code == code, answer.text
    await payment.refresh_from_db()
    assert payment.status is PaymentStatus.PENDING
    assert not await Wallet.filter(customer_id=payment.customer_id, balance__gt=0).exists()


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"])
async def test_signature_algorithms_and_the_x_header(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator, algorithm
) -> None:
    payment = await _started(gql, payu_client, payu_settings)
    answer = await payu_emulator.notify(
        payment.provider_ref or "", "COMPLETED", algorithm=algorithm, header="X-OpenPayU-Signature"
    )
    assert answer.json() == {"result": "settled", "status": "paid"}


async def test_a_completion_after_our_timeout_is_still_credited(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator, mailbox: Mailbox
) -> None:
    """PayU's order lives as long as our payment (validityTime); a COMPLETED that comes after our
    timeout (a bank confirming late) is money taken: it is credited, with its receipt."""
    payment = await _started(gql, payu_client, payu_settings)
    clock.advance(seconds=payu_settings.payment_timeout_seconds + 1)
    answer = await payu_emulator.pay(payment.provider_ref or "")
    assert answer is not None and answer.status_code == 200
    assert answer.json() == {"result": "settled", "status": "paid"}
    assert (await Wallet.get(customer_id=payment.customer_id)).balance == payment.amount
    await mailbox.settle()
    assert len(mailbox.messages()) == 1


async def test_fetch_status_asks_payu(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator
) -> None:
    payment = await _started(gql, payu_client, payu_settings)
    provider = PayUProvider(payu_settings)
    event = await provider.fetch_status(payment)
    assert event is not None and event.status is PaymentStatus.PENDING
    payu_emulator.drop_notifications = 2  # PENDING and COMPLETED never reach us
    assert await payu_emulator.pay(payment.provider_ref or "") is None
    event = await provider.fetch_status(payment)
    assert event == ProviderEvent(
        provider_ref=payment.provider_ref or "",
        status=PaymentStatus.PAID,
        amount=5000,
        currency="PLN",
        order_id=payment.provider_order_id,
    )
    unknown = await make_payment(
        await Customer.get(id=payment.customer_id), provider="payu", provider_order_id="NOPE"
    )
    assert await provider.fetch_status(unknown) is None  # PayU: 404 DATA_NOT_FOUND
    no_order = await make_payment(
        await Customer.get(id=payment.customer_id), provider="payu", provider_order_id=None
    )
    assert await provider.fetch_status(no_order) is None


@pytest.mark.parametrize("status", ["NEW", "PENDING", "WAITING_FOR_CONFIRMATION"])
async def test_statuses_before_the_end_change_nothing(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator, status
) -> None:
    payment = await _started(gql, payu_client, payu_settings)
    answer = await payu_emulator.set_status(payment.provider_ref or "", status)
    assert answer is not None and answer.status_code == 200
    assert answer.json() == {"result": "pending", "status": "pending"}
    await payment.refresh_from_db()
    assert payment.status is PaymentStatus.PENDING
    # nothing is captured: the order is left to PayU's automatic collection
    assert (
        "PUT",
        f"/api/v2_1/orders/{payment.provider_order_id}/status",
    ) not in payu_emulator.calls


async def test_a_notification_signed_for_another_body_or_key_is_refused(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator
) -> None:
    payment = await _started(gql, payu_client, payu_settings)
    ref = payment.provider_ref or ""
    genuine = payu_emulator.notification(ref, "COMPLETED")
    tampered = genuine.replace(b'"status": "COMPLETED"', b'"status": "COMPLETED" ')
    assert tampered != genuine
    signed = payu_emulator.signature(genuine)
    assert (await payu_emulator.notify(ref, body=tampered, signature=signed)).status_code == 401
    payu_emulator.second_key = "another-second-key"
    assert (await payu_emulator.notify(ref, "COMPLETED")).status_code == 401
    await payment.refresh_from_db()
    assert payment.status is PaymentStatus.PENDING


def test_the_token_cache_serves_every_event_loop() -> None:
    """A token fetched in one event loop is used in the next (the app's and the CLI's loops
    differ, and so do the tests'): the cache keeps no HTTP client or lock bound to a loop."""
    emulator = PayUEmulator()
    with serve_in_thread(emulator.app(), free_port()) as url:
        emulator.url = url
        settings = Settings(payment_provider=PaymentProviderName.PAYU, payu=emulator.pos_settings())
        for number in range(3):
            payment = Payment(
                amount=1000,
                currency="PLN",
                method=PaymentMethod.CARD,
                provider="payu",
                provider_ref=f"payu_loop_{number}",
            )
            order = OrderRequest(
                payment=payment,
                description="ICOK: test",
                lines=(("Doładowanie portmonetki", 1000),),
                buyer_email="",
                language=Language.PL,
                customer_ip="0.0.0.0",  # noqa: S104  (refused by PayU: the loopback is sent)
                notify_url="http://127.0.0.1:9/payments/webhook/payu",
                continue_url="http://127.0.0.1:9/payments/continue/x",
            )
            created = asyncio.run(PayUProvider(settings).create_order(order))
            assert created.order_id in emulator.orders
    assert emulator.token_requests == 1
    [first, *_] = emulator.orders.values()
    assert first.request["buyer"] == {"language": "pl"}  # no e-mail to send
    assert first.request["customerIp"] == "127.0.0.1"


async def test_a_deeply_nested_signed_body_is_malformed_not_an_error(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator
) -> None:
    """json.loads raises RecursionError (not ValueError) on deep nesting: still a 400."""
    await _started(gql, payu_client, payu_settings)
    for body in (b"[" * 30000, b'{"order":' * 6000 + b"{}" + b"}" * 6000):
        answer = await payu_client.post(
            "/payments/webhook/payu",
            content=body,
            headers={"OpenPayu-Signature": payu_emulator.signature(body)},
        )
        assert answer.status_code == 400, answer.text


async def test_a_double_click_waits_for_the_first_start(
    gql, payu_client, payu_settings, payu_emulator: PayUEmulator, monkeypatch
) -> None:
    """Two starts with one key while PayU is slow: one order, both answers lead to it; past
    the wait the second is told the payment is being started, not that PayU is down."""
    from backend.services import payments

    customer = await _customer(payu_client, payu_settings)
    # PayU holds the first start's order until the test lets it answer.
    held = payu_emulator.hold_next(path="/api/")
    first = asyncio.create_task(_top_up(gql, key="payu-double-01"))
    await held.reached.wait()
    second = asyncio.create_task(_top_up(gql, key="payu-double-01"))
    held.release()  # the second start finds the first pending, or already with its order
    assert (await first)["errors"] == [] and (await second)["errors"] == []
    assert (await first)["redirectUrl"] == (await second)["redirectUrl"]
    assert len(payu_emulator.orders) == 1
    # Held past the second start's whole wait: it is told the payment is being started.
    monkeypatch.setattr(payments, "IN_PROGRESS_WAIT", 0.3)
    held = payu_emulator.hold_next(path="/api/")
    first = asyncio.create_task(_top_up(gql, key="payu-double-02"))
    await held.reached.wait()
    second_answer = await _top_up(gql, key="payu-double-02")
    assert [e["code"] for e in second_answer["errors"]] == ["PAYMENT_IN_PROGRESS"]
    held.release()
    assert (await first)["errors"] == []
    assert await Payment.filter(customer_id=customer.id).count() == 2
