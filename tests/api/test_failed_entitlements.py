"""What the customer gets when a command fails (the operator's FAILED or a timeout), through the
real app: a title's price back in the wallet and the title buyable again, a package order
withdrawn (not billed, orderable again), a failed PIN reset or signal refresh not counted
toward its limit; the operator's events and the customer's notices and texts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from backend.clock import at_local, clock, today
from backend.config import ProvisioningMode, Settings, TimeoutAction
from backend.models import (
    Customer,
    DeviceCommand,
    Event,
    Message,
    Purchase,
    Service,
    Subscription,
    Wallet,
    WalletTransaction,
)
from backend.models.enums import CommandKind, CommandStatus, DeviceKind, PackageKind
from backend.schema.relay import to_global_id
from backend.services import devices, provisioning, subscriptions, wallet
from backend.services.operator_keys import Scope
from backend.services.outbox import EventType
from tests.factories import (
    login_as,
    make_api_key,
    make_customer,
    make_device,
    make_package,
    make_service,
    make_title,
    make_wallet,
    subscribe,
)

COMPLETE = """mutation ($input: CompleteDeviceCommandInput!) {
  completeDeviceCommand(input: $input) { command { id status } errors { field code } } }"""
BUY = """mutation($input: PurchaseVodInput!) {
  purchaseVod(input: $input) { purchase { id active } errors { field code } } }"""
ADD = """mutation($input: AddPackageInput!) {
  addPackage(input: $input) { subscription { id cardCommand { id } } errors { field code } } }"""
CANCEL = """mutation($input: CancelPackageInput!) {
  cancelPackage(input: $input) { subscription { id endsOn } errors { field code } } }"""
RESET = """mutation($input: ResetDecoderPinInput!) {
  resetDecoderPin(input: $input) { command { id } errors { field code } } }"""
REFRESH = """mutation($input: RefreshSignalInput!) {
  refreshSignal(input: $input) { command { id } errors { field code } } }"""
STATUS = """query($id: ID!) { node(id: $id) { ... on DeviceCommand {
  status failureReason refunded { amount formatted } withdrawn } } }"""
TITLE = """query($id: ID!) { node(id: $id) { ... on Title { activePurchase { id } } } }"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(
        provisioning=ProvisioningMode.OPERATOR,
        command_timeout_seconds=600,
        command_timeout_action=TimeoutAction.FAIL,
    )


async def complete(client: httpx.AsyncClient, command_pk: int, status: str, **more: Any) -> None:
    key = await make_api_key(Scope.PROVISIONING_WRITE)
    response = await client.post(
        "/operator/graphql",
        json={
            "query": COMPLETE,
            "variables": {"input": {"id": f"cmd_{command_pk}", "status": status, **more}},
        },
        headers=key.headers,
    )
    assert response.status_code == 200, response.text
    result = response.json()["data"]["completeDeviceCommand"]
    assert result["errors"] == [] and result["command"]["status"] == status


async def events(type: EventType) -> list[dict[str, Any]]:
    return [e.payload for e in await Event.filter(type=type.value).order_by("id")]


async def entitlement(**filters: Any) -> DeviceCommand:
    row = (
        await DeviceCommand.filter(kind=CommandKind.ENTITLEMENT, **filters).order_by("-id").first()
    )
    assert row is not None
    return row


async def carded_customer(
    client: httpx.AsyncClient, settings: Settings
) -> tuple[Customer, Service]:
    """A logged-in customer with a satellite-TV service that has a smart card."""
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    service = await make_service(customer)
    await make_device(service, kind=DeviceKind.SMART_CARD)
    return customer, service


async def test_a_failed_title_entitlement_refunds_and_the_title_can_be_bought_again(
    gql, client, settings
) -> None:
    customer, _service = await carded_customer(client, settings)
    account = await make_wallet(customer, balance=5000)
    title = await make_title(price=1500, name="Diuna", code="VOD-DUNE")
    title_id = to_global_id("Title", title.id)
    bought = await gql(BUY, {"input": {"titleId": title_id}})
    assert bought["purchaseVod"]["errors"] == [] and bought["purchaseVod"]["purchase"]["active"]
    again = await gql(BUY, {"input": {"titleId": title_id}})
    assert again["purchaseVod"]["errors"] == [{"field": "titleId", "code": "ALREADY_PURCHASED"}]
    command = await entitlement()
    assert (await Wallet.get(id=account.id)).balance == 3500

    await complete(client, command.id, "FAILED", reasonCode="CARD_NOT_RESPONDING")
    assert (await Wallet.get(id=account.id)).balance == 5000
    refund = await WalletTransaction.filter(wallet_id=account.id).order_by("-id").first()
    assert refund is not None and (refund.kind.value, refund.amount) == ("refund", 1500)
    assert refund.description == "Zwrot: VOD: Diuna" and refund.balance_after == 5000
    assert await wallet.ledger_sum(account.id) == 5000
    purchase = await Purchase.get(id=command.purchase_id)
    assert not wallet.purchase_is_active(purchase)
    assert (await gql(TITLE, {"id": title_id}))["node"]["activePurchase"] is None
    [refunded] = await events(EventType.TITLE_REFUNDED)
    assert refunded == {
        "customerNumber": customer.number,
        "purchaseId": purchase.id,
        "titleCode": "VOD-DUNE",
        "amount": 1500,
        "commandId": f"cmd_{command.id}",
        "reasonCode": "CARD_NOT_RESPONDING",
        "refundedAt": clock.now().isoformat(),
    }
    notice = await Message.get(customer_id=customer.id, subject="Zwrot za Diuna")
    assert "15,00\xa0zł wróciło do portmonetki" in notice.body
    seen = (
        await gql(
            STATUS,
            {"id": to_global_id("DeviceCommand", command.id)},
            headers={"Accept-Language": "en"},
        )
    )["node"]
    assert seen["status"] == "FAILED" and seen["withdrawn"] is False
    assert seen["refunded"]["amount"] == "15.00"
    assert seen["failureReason"].startswith("the card does not respond")

    # Reporting the failure again changes nothing: one refund.
    await complete(client, command.id, "FAILED")
    assert await WalletTransaction.filter(wallet_id=account.id, kind="refund").count() == 1
    rebought = await gql(BUY, {"input": {"titleId": title_id}})
    assert rebought["purchaseVod"]["errors"] == []
    assert (await Wallet.get(id=account.id)).balance == 3500
    assert (await entitlement()).id != command.id


async def test_a_timed_out_title_entitlement_refunds(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    await make_device(await make_service(customer), kind=DeviceKind.SMART_CARD)
    account = await make_wallet(customer, balance=2000)
    title = await make_title(price=2000)
    bought = await gql(BUY, {"input": {"titleId": to_global_id("Title", title.id)}})
    assert bought["purchaseVod"]["errors"] == []
    worker = provisioning.build_worker(settings)
    clock.advance(seconds=599)
    assert await worker.run_once() == 0
    assert (await Wallet.get(id=account.id)).balance == 0
    clock.advance(seconds=1)
    assert await worker.run_once() == 1
    assert (await Wallet.get(id=account.id)).balance == 2000
    [refunded] = await events(EventType.TITLE_REFUNDED)
    assert refunded["reasonCode"] == "TIMEOUT" and refunded["amount"] == 2000
    assert not await Purchase.filter(wallet.active_purchases(), customer_id=customer.id).exists()
    assert await worker.run_once() == 0
    assert len(await events(EventType.TITLE_REFUNDED)) == 1


async def test_two_cards_refund_only_when_both_failed(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    for _ in range(2):
        await make_device(await make_service(customer), kind=DeviceKind.SMART_CARD)
    account = await make_wallet(customer, balance=5000)
    first, second = await make_title(price=1000), await make_title(price=1200)
    for title in (first, second):
        bought = await gql(BUY, {"input": {"titleId": to_global_id("Title", title.id)}})
        assert bought["purchaseVod"]["errors"] == []
    one, two = [
        list(await DeviceCommand.filter(purchase__title_id=t.id).order_by("id"))
        for t in (first, second)
    ]
    assert len(one) == len(two) == 2
    # The first title reached one card: the customer has it, nothing is refunded.
    await complete(client, one[0].id, "FAILED")
    assert (await Wallet.get(id=account.id)).balance == 2800
    await complete(client, one[1].id, "DONE")
    # The second reached neither: refunded when the last one fails, once.
    await complete(client, two[1].id, "FAILED")
    assert (await Wallet.get(id=account.id)).balance == 2800
    await complete(client, two[0].id, "FAILED")
    assert (await Wallet.get(id=account.id)).balance == 4000
    assert [e["purchaseId"] for e in await events(EventType.TITLE_REFUNDED)] == [two[0].purchase_id]
    active = await Purchase.filter(wallet.active_purchases(), customer_id=customer.id)
    assert [p.title_id for p in active] == [first.id]
    assert await wallet.ledger_sum(account.id) == 4000


async def test_a_failed_package_order_is_withdrawn_and_can_be_ordered_again(
    gql, client, settings
) -> None:
    customer, service = await carded_customer(client, settings)
    await subscribe(service, await make_package())
    addon = await make_package(kind=PackageKind.ADDON, monthly_price=1990, name="Sport")
    order = {
        "serviceId": to_global_id("Service", service.id),
        "packageId": to_global_id("Package", addon.id),
    }
    added = await gql(ADD, {"input": order})
    assert added["addPackage"]["errors"] == []
    command = await entitlement()
    subscription_id = command.subscription_id
    assert subscription_id is not None
    every = await subscriptions.customer_subscriptions(customer.id)
    with_addon = subscriptions.next_invoice(every)

    await complete(client, command.id, "FAILED", reasonCode="DEVICE_OFFLINE")
    left = await subscriptions.customer_subscriptions(customer.id)
    assert [s.id for s in left] == [s.id for s in every if s.id != subscription_id]
    assert subscriptions.next_invoice(left).total < with_addon.total
    assert subscriptions.next_invoice(left).prorated == 0
    row = await DeviceCommand.get(id=command.id)
    assert row.subscription_id is None and row.status is CommandStatus.FAILED
    [withdrawn] = await events(EventType.PACKAGE_WITHDRAWN)
    assert withdrawn == {
        "customerNumber": customer.number,
        "serviceIdentifier": service.identifier,
        "subscriptionId": subscription_id,
        "packageCode": addon.code,
        "startsOn": today().isoformat(),
        "commandId": f"cmd_{command.id}",
        "reasonCode": "DEVICE_OFFLINE",
    }
    notice = await Message.get(customer_id=customer.id, subject="Pakiet Sport nie został włączony")
    assert "nie zapłacisz za ten pakiet" in notice.body
    seen = (await gql(STATUS, {"id": to_global_id("DeviceCommand", command.id)}))["node"]
    assert (seen["status"], seen["withdrawn"], seen["refunded"]) == ("FAILED", True, None)

    again = await gql(ADD, {"input": order})
    assert again["addPackage"]["errors"] == []
    assert await Subscription.filter(package_id=addon.id).count() == 1


async def test_timeouts_withdraw_an_order_but_not_a_cancellation(gql, client, settings) -> None:
    _customer, service = await carded_customer(client, settings)
    await subscribe(service, await make_package())
    kept = await make_package(kind=PackageKind.ADDON)
    lost = await make_package(kind=PackageKind.ADDON)
    ids = {"serviceId": to_global_id("Service", service.id)}
    added = await gql(ADD, {"input": {**ids, "packageId": to_global_id("Package", kept.id)}})
    kept_gid = added["addPackage"]["subscription"]["id"]
    await complete(client, (await entitlement()).id, "DONE")
    cancelled = await gql(CANCEL, {"input": {"subscriptionId": kept_gid}})
    ends_on = cancelled["cancelPackage"]["subscription"]["endsOn"]
    await gql(ADD, {"input": {**ids, "packageId": to_global_id("Package", lost.id)}})
    worker = provisioning.build_worker(settings)
    clock.advance(seconds=600)
    assert await worker.run_once() == 2  # the cancellation's and the second order's
    assert await DeviceCommand.filter(status=CommandStatus.FAILED).count() == 2
    # The cancelled package ends as agreed (billed until then); the failed order is withdrawn.
    [still] = await Subscription.filter(package_id=kept.id)
    assert still.ends_on is not None and still.ends_on.isoformat() == ends_on
    assert not await Subscription.filter(package_id=lost.id).exists()
    [withdrawn] = await events(EventType.PACKAGE_WITHDRAWN)
    assert (withdrawn["packageCode"], withdrawn["reasonCode"]) == (lost.code, "TIMEOUT")


async def test_failed_pin_resets_do_not_count_toward_the_daily_limit(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    decoder = await make_device(await make_service(customer))
    device = {"input": {"deviceId": to_global_id("Device", decoder.id)}}

    async def reset() -> list[dict[str, str]]:
        errors: list[dict[str, str]] = (await gql(RESET, device))["resetDecoderPin"]["errors"]
        return errors

    for _ in range(devices.PIN_RESETS_PER_DAY):
        assert await reset() == []
    refused = [{"field": "deviceId", "code": "COMMAND_LIMIT_REACHED"}]
    assert await reset() == refused
    assert await reset() == refused  # refused attempts are counted too
    first = await DeviceCommand.filter(kind=CommandKind.PIN_RESET).order_by("id").first()
    assert first is not None
    await complete(client, first.id, "FAILED", reasonCode="DEVICE_OFFLINE")
    assert await reset() == []  # the failed one does not count: "try again" works
    assert await reset() == refused
    # Timed out: the three still SENT fail and are given back.
    worker = provisioning.build_worker(settings)
    clock.advance(seconds=600)
    assert await worker.run_once() == 3
    await login_as(client, settings, customer)  # the session idled out meanwhile
    for _ in range(devices.PIN_RESETS_PER_DAY):
        assert await reset() == []
    assert await reset() == refused


async def test_a_reset_failing_after_midnight_gives_nothing_back_today(
    gql, client, settings
) -> None:
    customer = await make_customer(settings)
    decoder = await make_device(await make_service(customer))
    device = {"input": {"deviceId": to_global_id("Device", decoder.id)}}
    clock.travel_to(at_local(today() + timedelta(days=1), 23, 55))
    await login_as(client, settings, customer)
    late = (await gql(RESET, device))["resetDecoderPin"]
    assert late["errors"] == []
    clock.advance(minutes=10)  # 00:05 the next day: today's count starts afresh
    await login_as(client, settings, customer)
    for _ in range(devices.PIN_RESETS_PER_DAY):
        assert (await gql(RESET, device))["resetDecoderPin"]["errors"] == []
    first = await DeviceCommand.filter(kind=CommandKind.PIN_RESET).order_by("id").first()
    assert first is not None
    await complete(client, first.id, "FAILED")  # yesterday's: today's limit stays used
    again = (await gql(RESET, device))["resetDecoderPin"]["errors"]
    assert again == [{"field": "deviceId", "code": "COMMAND_LIMIT_REACHED"}]


async def test_a_failed_signal_refresh_can_be_asked_again(gql, client, settings) -> None:
    _customer, service = await carded_customer(client, settings)
    ask = {"input": {"serviceId": to_global_id("Service", service.id)}}
    assert (await gql(REFRESH, ask))["refreshSignal"]["errors"] == []
    refused = (await gql(REFRESH, ask))["refreshSignal"]["errors"]
    assert refused == [{"field": "serviceId", "code": "COMMAND_LIMIT_REACHED"}]
    await complete(client, (await DeviceCommand.get(kind=CommandKind.SIGNAL_REFRESH)).id, "FAILED")
    assert (await gql(REFRESH, ask))["refreshSignal"]["errors"] == []
    # The portal's own refresh (a debt suspension lifted) was never counted: its failure gives
    # the customer nothing.
    system = await devices.queue_signal_refresh(settings, service)
    assert system is not None and system.details == devices.SYSTEM_REFRESH
    await complete(client, system.id, "FAILED")
    refused = (await gql(REFRESH, ask))["refreshSignal"]["errors"]
    assert refused == [{"field": "serviceId", "code": "COMMAND_LIMIT_REACHED"}]
