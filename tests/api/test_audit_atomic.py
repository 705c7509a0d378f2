"""A change and its audit event (and its outbox event) commit together (issue 16, item 2):
with the audit insert refused by the database itself (a trigger, ``tests.faults``), a
purchase, a package order, a payment start or a settlement answers an error and changes
nothing; once the database accepts it again the same request succeeds once. What runs after
the commit (the notice in the inbox, the e-mail) never turns a done change into an error."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from backend.models import (
    AuditEvent,
    ContactRequest,
    DeviceCommand,
    Event,
    Message,
    Payment,
    Purchase,
    Session,
    Subscription,
    Wallet,
    WalletTransaction,
)
from backend.models.enums import AuditKind, PackageKind, PaymentStatus
from backend.schema.relay import to_global_id
from backend.services import wallet
from backend.services.outbox import EventType
from tests.api.account_helpers import LOGIN, login, solve_captcha
from tests.conftest import GraphQLClient
from tests.factories import (
    STRONG_PASSWORD,
    login_as,
    make_account,
    make_customer,
    make_device,
    make_package,
    make_service,
    make_title,
    make_wallet,
    subscribe,
)
from tests.faults import failing_inserts
from tests.payu_emulator import PayUEmulator

BUY = """
mutation($input: PurchaseVodInput!) {
  purchaseVod(input: $input) {
    purchase { id } wallet { balance { amount } } errors { field code }
  }
}"""
ADD = """
mutation($input: AddPackageInput!) {
  addPackage(input: $input) {
    subscription { id } message { subject } errors { field code }
  }
}"""
CANCEL = """
mutation($input: CancelPackageInput!) {
  cancelPackage(input: $input) { subscription { id endsOn } errors { field code } }
}"""
SEND = """
mutation($input: SendContactRequestInput!) {
  sendContactRequest(input: $input) { contactRequest { id } errors { field code } }
}"""
TOP_UP = """
mutation($input: TopUpWalletInput!) {
  topUpWallet(input: $input) {
    payment { id status } redirectUrl errors { field code }
  }
}"""


async def _audited(kind: AuditKind) -> int:
    return await AuditEvent.filter(kind=kind).count()


async def _events(type: EventType) -> int:
    return await Event.filter(type=type.value).count()


async def test_purchase_is_not_charged_without_its_audit_event(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    service = await make_service(customer)
    await make_device(service)  # a card: the purchase also writes an ENTITLEMENT command
    purse = await make_wallet(customer, balance=5000)
    title = await make_title(price=1500)
    variables = {"input": {"titleId": to_global_id("Title", title.id)}}
    ledger = await WalletTransaction.filter(wallet_id=purse.id).count()

    async with failing_inserts(settings, "audit_event"):
        failed = await gql(BUY, variables, expect_errors=True)
    assert failed["errors"] and not (failed.get("data") or {}).get("purchaseVod")
    # nothing was charged, bought, sent to the card or told to the operator
    assert (await Wallet.get(id=purse.id)).balance == 5000
    assert await WalletTransaction.filter(wallet_id=purse.id).count() == ledger
    assert await Purchase.filter(customer_id=customer.id).count() == 0
    assert await DeviceCommand.filter(customer_id=customer.id).count() == 0
    assert await _events(EventType.TITLE_PURCHASED) == 0
    assert await _audited(AuditKind.WALLET_PURCHASE) == 0

    # the retry buys it (not ALREADY_PURCHASED), once
    bought = (await gql(BUY, variables))["purchaseVod"]
    assert bought["errors"] == [] and bought["wallet"]["balance"]["amount"] == "35.00"
    again = (await gql(BUY, variables))["purchaseVod"]
    assert again["errors"] == [{"field": "titleId", "code": "ALREADY_PURCHASED"}]
    fresh = await Wallet.get(id=purse.id)
    assert fresh.balance == 3500 == await wallet.ledger_sum(purse.id)
    assert await Purchase.filter(customer_id=customer.id).count() == 1
    assert await _events(EventType.TITLE_PURCHASED) == 1
    assert await _audited(AuditKind.WALLET_PURCHASE) == 1


async def test_no_session_without_its_login_event(gql, settings) -> None:
    customer = await make_customer(settings)
    account = await make_account(customer, password=STRONG_PASSWORD, settings=settings)
    data = {"login": account.email, "password": STRONG_PASSWORD, **await solve_captcha(gql)}
    async with failing_inserts(settings, "audit_event"):
        failed = await gql(LOGIN, {"input": data}, expect_errors=True)
    assert failed["errors"] and not (failed.get("data") or {}).get("login")
    assert await Session.filter(account_id=account.id).count() == 0
    assert (await login(gql, account.email, STRONG_PASSWORD))["errors"] == []
    assert await Session.filter(account_id=account.id).count() == 1
    assert await _audited(AuditKind.LOGIN) == 1


async def _package_setup(settings: Any, client: httpx.AsyncClient) -> tuple[Any, Any, Any]:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    service = await make_service(customer)
    await make_device(service)
    await subscribe(service, await make_package(monthly_price=5000))
    addon = await make_package(kind=PackageKind.ADDON, monthly_price=1990, name="HBO")
    return customer, service, addon


async def test_package_order_and_cancellation_need_their_audit_events(
    gql, client, settings
) -> None:
    customer, service, addon = await _package_setup(settings, client)
    variables = {
        "input": {
            "serviceId": to_global_id("Service", service.id),
            "packageId": to_global_id("Package", addon.id),
        }
    }
    async with failing_inserts(settings, "audit_event"):
        failed = await gql(ADD, variables, expect_errors=True)
    assert failed["errors"]
    assert await Subscription.filter(service_id=service.id, package_id=addon.id).count() == 0
    assert await DeviceCommand.filter(customer_id=customer.id).count() == 0
    assert await _events(EventType.PACKAGE_ORDERED) == 0
    assert await Message.filter(customer_id=customer.id).count() == 0  # no notice either

    added = (await gql(ADD, variables))["addPackage"]
    assert added["errors"] == [] and added["message"] is not None
    assert await _events(EventType.PACKAGE_ORDERED) == 1
    assert await _audited(AuditKind.PACKAGE_ADDED) == 1

    cancel = {"input": {"subscriptionId": added["subscription"]["id"]}}
    async with failing_inserts(settings, "audit_event"):
        refused = await gql(CANCEL, cancel, expect_errors=True)
    assert refused["errors"]
    row = await Subscription.get(service_id=service.id, package_id=addon.id)
    assert row.ends_on is None
    assert await _events(EventType.PACKAGE_CANCELLED) == 0
    cancelled = (await gql(CANCEL, cancel))["cancelPackage"]
    assert cancelled["errors"] == [] and cancelled["subscription"]["endsOn"] is not None
    assert await _events(EventType.PACKAGE_CANCELLED) == 1
    assert await _audited(AuditKind.PACKAGE_CANCELLED) == 1


async def test_a_failing_notice_after_the_commit_leaves_the_order_done(
    gql, client, settings, caplog: pytest.LogCaptureFixture
) -> None:
    customer, service, addon = await _package_setup(settings, client)
    variables = {
        "input": {
            "serviceId": to_global_id("Service", service.id),
            "packageId": to_global_id("Package", addon.id),
        }
    }
    with caplog.at_level(logging.WARNING, logger="backend.services.after_commit"):
        async with failing_inserts(settings, "message"):
            added = (await gql(ADD, variables))["addPackage"]
            sent = (
                await gql(
                    SEND,
                    {"input": {"topic": "OTHER", "subject": "Pytanie", "body": "Treść"}},
                )
            )["sendContactRequest"]
    # done and said so: the order, its event and its audit are there; only the notice is not
    assert added["errors"] == [] and added["subscription"] is not None
    assert added["message"] is None
    assert await Subscription.filter(service_id=service.id, package_id=addon.id).count() == 1
    assert await _events(EventType.PACKAGE_ORDERED) == 1
    assert await _audited(AuditKind.PACKAGE_ADDED) == 1
    assert sent["errors"] == [] and sent["contactRequest"] is not None
    assert await ContactRequest.filter(customer_id=customer.id).count() == 1
    assert await Message.filter(customer_id=customer.id).count() == 0
    warnings = [r for r in caplog.records if r.name == "backend.services.after_commit"]
    assert len(warnings) == 2
    assert all(
        r.levelno == logging.WARNING and "forced failure" in r.getMessage() for r in warnings
    )
    assert all("\n" not in r.getMessage() and r.exc_info is None for r in warnings)


@pytest.fixture
def payu_gql(payu_client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(payu_client)


async def test_payment_start_is_undone_without_its_audit_event(
    payu_gql, payu_client, payu_settings, payu_emulator: PayUEmulator
) -> None:
    customer = await make_customer(payu_settings)
    await login_as(payu_client, payu_settings, customer)
    variables = {"input": {"amount": "50", "method": "BLIK", "idempotencyKey": "atomic-start-01"}}
    async with failing_inserts(payu_settings, "audit_event"):
        failed = await payu_gql(TOP_UP, variables, expect_errors=True)
    assert failed["errors"]
    # PayU has an order nobody was sent to; here nothing is left that could be paid
    assert len(payu_emulator.orders) == 1
    assert await Payment.filter(customer_id=customer.id).count() == 0
    assert await _audited(AuditKind.PAYMENT_STARTED) == 0

    started = (await payu_gql(TOP_UP, variables))["topUpWallet"]
    assert started["errors"] == [] and started["redirectUrl"]
    payment = await Payment.get(customer_id=customer.id)
    assert payment.redirect_url == started["redirectUrl"] and payment.provider_order_id
    assert await _audited(AuditKind.PAYMENT_STARTED) == 1
    again = (await payu_gql(TOP_UP, variables))["topUpWallet"]  # the same key: the same payment
    assert again["redirectUrl"] == started["redirectUrl"]
    assert await Payment.filter(customer_id=customer.id).count() == 1


async def test_settlement_is_not_applied_without_its_audit_event(
    payu_gql, payu_client, payu_settings, payu_emulator: PayUEmulator
) -> None:
    customer = await make_customer(payu_settings)
    await login_as(payu_client, payu_settings, customer)
    variables = {"input": {"amount": "50", "method": "BLIK", "idempotencyKey": "atomic-settle-1"}}
    started = (await payu_gql(TOP_UP, variables))["topUpWallet"]
    assert started["errors"] == []
    payment = await Payment.get(customer_id=customer.id)
    reference = payment.provider_ref or ""
    async with failing_inserts(payu_settings, "audit_event"):
        answer = await payu_emulator.pay(reference)
    assert answer is not None and answer.status_code == 500  # PayU will notify again
    await payment.refresh_from_db()
    assert payment.status is PaymentStatus.PENDING
    assert not await WalletTransaction.filter(payment_id=payment.id).exists()
    assert await _events(EventType.PAYMENT_SETTLED) == 0
    assert await _audited(AuditKind.PAYMENT_SETTLED) == 0

    resent = await payu_emulator.notify(reference)
    assert resent.json() == {"result": "settled", "status": "paid"}
    again = await payu_emulator.notify(reference)
    assert again.json()["result"] == "already-final"
    purse = await Wallet.get(customer_id=customer.id)
    assert purse.balance == 5000 == await wallet.ledger_sum(purse.id)
    assert await _events(EventType.PAYMENT_SETTLED) == 1
    assert await _audited(AuditKind.PAYMENT_SETTLED) == 1
