"""Provisioning through the operator, through the real app: device commands and the card's
entitlements handed over as events in the order's transaction, ``completeDeviceCommand``
(scope provisioning:write) and what the customer sees, timeouts retried or failed."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from backend.clock import clock
from backend.config import ProvisioningMode, Settings, TimeoutAction
from backend.models import AuditEvent, DeviceCommand, Event
from backend.models.enums import (
    AuditKind,
    CommandKind,
    CommandStatus,
    DeviceKind,
    PackageKind,
    ServiceKind,
)
from backend.schema.relay import to_global_id
from backend.services import provisioning
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

URL = "/operator/graphql"
COMPLETE = """mutation ($input: CompleteDeviceCommandInput!) {
  completeDeviceCommand(input: $input) {
    command { id kind status attempts detail reasonCode completedAt }
    errors { field code message } } }"""
RESET = """mutation($input: ResetDecoderPinInput!) {
  resetDecoderPin(input: $input) { command { id kind status } errors { field code } } }"""
STATUS = """query($id: ID!) { node(id: $id) { ... on DeviceCommand {
  kind status failureReason delayed completedAt } } }"""
ADD = """mutation($input: AddPackageInput!) {
  addPackage(input: $input) { subscription { id cardCommand { id kind status } }
    errors { field code } } }"""
CANCEL = """mutation($input: CancelPackageInput!) {
  cancelPackage(input: $input) { subscription { id endsOn cardCommand { id status } }
    errors { field code } } }"""
BUY = """mutation($input: PurchaseVodInput!) {
  purchaseVod(input: $input) { purchase { id } errors { field code } } }"""
CARD_COMMAND = """query($id: ID!) { node(id: $id) { ... on PackageSubscription {
  cardCommand { status failureReason } } } }"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(
        provisioning=ProvisioningMode.OPERATOR, command_timeout_seconds=600
    )


async def complete(
    client: httpx.AsyncClient, headers: dict[str, str], language: str = "pl", **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        URL,
        json={"query": COMPLETE, "variables": {"input": fields}},
        headers={**headers, "Accept-Language": language},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["completeDeviceCommand"]
    return result


def codes(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in result["errors"]]


async def events(type: EventType) -> list[dict[str, Any]]:
    return [e.payload for e in await Event.filter(type=type.value).order_by("id")]


async def order_of_events() -> list[tuple[str, str | None]]:
    """Each event's type and the command it names (``commandId``, or the first of
    ``commandIds``), in the order they were written."""
    found = []
    for event in await Event.all().order_by("id"):
        payload = event.payload or {}
        named = payload.get("commandId") or next(iter(payload.get("commandIds") or []), None)
        found.append((event.type, named))
    return found


async def test_pin_reset_handed_to_the_operator_and_completed(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    service = await make_service(customer)
    decoder = await make_device(service)
    reset = await gql(RESET, {"input": {"deviceId": to_global_id("Device", decoder.id)}})
    command = reset["resetDecoderPin"]["command"]
    assert command["status"] == "SENT"  # handed over at once, nothing QUEUED for a simulation
    row = await DeviceCommand.get(customer_id=customer.id)
    [event] = await events(EventType.DEVICE_COMMAND_REQUESTED)
    assert event == {
        "commandId": f"cmd_{row.id}",
        "kind": "pin_reset",
        "attempt": 1,
        "customerNumber": customer.number,
        "deviceSerial": decoder.serial_number,
        "deviceKind": "decoder",
        "serviceIdentifier": service.identifier,
        "details": None,
        "requestedAt": row.requested_at.isoformat(),
    }
    key = await make_api_key(Scope.PROVISIONING_WRITE)
    done = await complete(client, key.headers, id=event["commandId"], status="DONE")
    assert done["errors"] == [] and done["command"]["status"] == "DONE"
    assert done["command"]["id"] == event["commandId"] and done["command"]["attempts"] == 1
    [audited] = await AuditEvent.filter(kind=AuditKind.OPERATOR_WRITE)
    assert audited.details == {
        "writer": key.row.name,
        "type": "device_command",
        "command": event["commandId"],
        "status": "done",
    }
    seen = (await gql(STATUS, {"id": command["id"]}))["node"]
    assert (seen["status"], seen["failureReason"], seen["delayed"]) == ("DONE", "", False)
    completed_at = seen["completedAt"]
    clock.advance(minutes=1)
    again = await complete(client, key.headers, id=event["commandId"], status="DONE", detail="x")
    assert (
        again["errors"] == [] and again["command"]["completedAt"] == done["command"]["completedAt"]
    )
    assert (await gql(STATUS, {"id": command["id"]}))["node"]["completedAt"] == completed_at
    other = await complete(client, key.headers, "en", id=event["commandId"], status="FAILED")
    assert codes(other) == [("id", "COMMAND_ALREADY_COMPLETED")] and other["command"] is None
    assert await AuditEvent.filter(kind=AuditKind.OPERATOR_WRITE).count() == 1  # changed once
    assert other["errors"][0]["message"] == "This command already has another outcome: DONE."


async def test_failure_reason_in_the_customers_language(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    decoder = await make_device(await make_service(customer))
    key = await make_api_key(Scope.PROVISIONING_WRITE)
    ids = []
    for _ in range(2):
        reset = await gql(RESET, {"input": {"deviceId": to_global_id("Device", decoder.id)}})
        ids.append(reset["resetDecoderPin"]["command"]["id"])
    first, second = [f"cmd_{c.id}" for c in await DeviceCommand.all().order_by("id")]
    failed = await complete(
        client,
        key.headers,
        id=first,
        status="FAILED",
        reasonCode="CARD_NOT_RESPONDING",
        detail="EMM rejected 0x12",
    )
    assert failed["errors"] == []
    assert (failed["command"]["reasonCode"], failed["command"]["detail"]) == (
        "CARD_NOT_RESPONDING",
        "EMM rejected 0x12",
    )
    polish = (await gql(STATUS, {"id": ids[0]}))["node"]
    assert polish["status"] == "FAILED"
    assert polish["failureReason"].startswith("karta nie odpowiada")
    english = (await gql(STATUS, {"id": ids[0]}, headers={"Accept-Language": "en"}))["node"]
    assert english["failureReason"].startswith("the card does not respond")
    other = await complete(
        client, key.headers, id=second, status="FAILED", reasonCode="OTHER", detail="  wymiana  "
    )
    assert other["errors"] == [] and other["command"]["detail"] == "wymiana"
    seen = (await gql(STATUS, {"id": ids[1]}))["node"]
    assert seen["failureReason"] == "operator nie mógł wykonać polecenia: wymiana"


async def test_a_failure_without_reason_or_detail_reads_as_other(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    decoder = await make_device(await make_service(customer))
    reset = await gql(RESET, {"input": {"deviceId": to_global_id("Device", decoder.id)}})
    command = await DeviceCommand.get(customer_id=customer.id)
    key = await make_api_key(Scope.PROVISIONING_WRITE)
    failed = await complete(client, key.headers, id=f"cmd_{command.id}", status="FAILED")
    assert failed["errors"] == []
    assert (failed["command"]["reasonCode"], failed["command"]["detail"]) == (None, "")
    gid = reset["resetDecoderPin"]["command"]["id"]
    polish = (await gql(STATUS, {"id": gid}))["node"]
    assert (polish["status"], polish["failureReason"]) == (
        "FAILED",
        "operator nie mógł wykonać polecenia",
    )
    english = (await gql(STATUS, {"id": gid}, headers={"Accept-Language": "en"}))["node"]
    assert english["failureReason"] == "the operator could not carry out the command"


async def test_bad_completions_are_coded_errors(client, settings) -> None:
    customer = await make_customer(settings)
    decoder = await make_device(await make_service(customer))
    key = await make_api_key(Scope.PROVISIONING_WRITE)
    queued = await DeviceCommand.create(
        device=decoder, customer=customer, kind=CommandKind.PIN_RESET, requested_at=clock.now()
    )
    sent = await DeviceCommand.create(
        device=decoder,
        customer=customer,
        kind=CommandKind.PIN_RESET,
        status=CommandStatus.SENT,
        requested_at=clock.now(),
        sent_at=clock.now(),
    )
    target = f"cmd_{sent.id}"
    for bad_id in ["", "cmd_", "cmd_0", "42", f"cmd_{sent.id + 1000}", "cmd_1\x00", "x" * 500]:
        result = await complete(client, key.headers, id=bad_id, status="DONE")
        assert codes(result) == [("id", "NOT_FOUND")], bad_id
    assert codes(await complete(client, key.headers, id=f"cmd_{queued.id}", status="DONE")) == [
        ("id", "COMMAND_NOT_SENT")
    ]
    for fields, expected in [
        ({"detail": "x" * 201}, ("detail", "TOO_LONG")),
        ({"detail": "bad\x00"}, ("detail", "FORBIDDEN_CHARACTER")),
        ({"detail": "a\nb"}, ("detail", "FORBIDDEN_CHARACTER")),
        ({"reasonCode": "TIMEOUT", "status": "FAILED"}, ("reasonCode", "INVALID")),
        ({"reasonCode": "DEVICE_OFFLINE"}, ("reasonCode", "INVALID")),  # with DONE
    ]:
        result = await complete(client, key.headers, **{"id": target, "status": "DONE", **fields})
        assert codes(result) == [expected], fields
    assert (await DeviceCommand.get(id=sent.id)).status is CommandStatus.SENT  # nothing written
    response = await client.post(
        URL,
        json={"query": COMPLETE, "variables": {"input": {"id": target, "status": "QUEUED"}}},
        headers=key.headers,
    )
    assert "errors" in response.json()  # not a CommandResult
    refused = await make_api_key(Scope.CUSTOMERS_WRITE)
    response = await client.post(
        URL,
        json={"query": COMPLETE, "variables": {"input": {"id": target, "status": "DONE"}}},
        headers=refused.headers,
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "SCOPE_NOT_GRANTED"
    assert (await DeviceCommand.get(id=sent.id)).status is CommandStatus.SENT


async def test_package_order_and_cancel_entitle_the_card(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    service = await make_service(customer)
    card = await make_device(service, kind=DeviceKind.SMART_CARD)
    await make_device(service)  # the decoder: the card is preferred
    await subscribe(service, await make_package())
    addon = await make_package(kind=PackageKind.ADDON, monthly_price=1990)
    ids = {"serviceId": to_global_id("Service", service.id)}
    added = await gql(ADD, {"input": {**ids, "packageId": to_global_id("Package", addon.id)}})
    subscription = added["addPackage"]["subscription"]
    assert subscription["cardCommand"]["kind"] == "ENTITLEMENT"
    assert subscription["cardCommand"]["status"] == "SENT"
    command = await DeviceCommand.get(kind=CommandKind.ENTITLEMENT)
    assert (command.device_id, command.subscription_id) == (card.id, command.subscription_id)
    assert command.details == {
        "packageCode": addon.code,
        "from": clock.today().isoformat(),
        "until": None,
    }
    [ordered] = await events(EventType.PACKAGE_ORDERED)
    assert ordered["customerNumber"] == customer.number
    assert (ordered["packageCode"], ordered["serviceIdentifier"]) == (
        addon.code,
        service.identifier,
    )
    assert ordered["commandId"] == f"cmd_{command.id}" and ordered["monthlyPrice"] == 1990
    [requested] = await events(EventType.DEVICE_COMMAND_REQUESTED)
    assert (
        requested["details"] == command.details and requested["deviceSerial"] == card.serial_number
    )
    order = (
        ("package.ordered", f"cmd_{command.id}"),
        (
            "device_command.requested",
            f"cmd_{command.id}",
        ),
    )
    assert await order_of_events() == list(order)  # the order before the command it causes
    key = await make_api_key(Scope.PROVISIONING_WRITE)
    failed = await complete(
        client, key.headers, id=ordered["commandId"], status="FAILED", reasonCode="DEVICE_OFFLINE"
    )
    assert failed["errors"] == []
    seen = (await gql(STATUS, {"id": subscription["cardCommand"]["id"]}))["node"]
    assert seen["status"] == "FAILED" and seen["failureReason"].startswith("urządzenie")
    # The failed order was withdrawn (tests/api/test_failed_entitlements.py): order it again.
    added = await gql(ADD, {"input": {**ids, "packageId": to_global_id("Package", addon.id)}})
    subscription = added["addPackage"]["subscription"]
    reordered = await DeviceCommand.filter(kind=CommandKind.ENTITLEMENT).order_by("-id").first()
    assert reordered is not None
    done = await complete(client, key.headers, id=f"cmd_{reordered.id}", status="DONE")
    assert done["errors"] == []
    seen = (await gql(CARD_COMMAND, {"id": subscription["id"]}))["node"]["cardCommand"]
    assert seen["status"] == "DONE"

    cancelled = await gql(CANCEL, {"input": {"subscriptionId": subscription["id"]}})
    ends_on = cancelled["cancelPackage"]["subscription"]["endsOn"]
    assert cancelled["cancelPackage"]["subscription"]["cardCommand"]["status"] == "SENT"
    [cancel_event] = await events(EventType.PACKAGE_CANCELLED)
    assert (cancel_event["endsOn"], cancel_event["packageCode"]) == (ends_on, addon.code)
    newest = await DeviceCommand.filter(kind=CommandKind.ENTITLEMENT).order_by("-id").first()
    assert newest is not None and newest.details is not None
    assert newest.details["until"] == ends_on and cancel_event["commandId"] == f"cmd_{newest.id}"
    assert await order_of_events() == [
        *order,
        ("package.withdrawn", f"cmd_{command.id}"),
        ("package.ordered", f"cmd_{reordered.id}"),
        ("device_command.requested", f"cmd_{reordered.id}"),
        ("package.cancelled", f"cmd_{newest.id}"),
        ("device_command.requested", f"cmd_{newest.id}"),
    ]
    await gql(CANCEL, {"input": {"subscriptionId": subscription["id"]}})  # again: nothing new
    assert len(await events(EventType.PACKAGE_CANCELLED)) == 1
    assert await DeviceCommand.filter(kind=CommandKind.ENTITLEMENT).count() == 3


async def test_package_without_a_card_and_a_title_purchase(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    internet = await make_service(customer, kind=ServiceKind.INTERNET)
    package = await make_package(service_kind=ServiceKind.INTERNET)
    added = await gql(
        ADD,
        {
            "input": {
                "serviceId": to_global_id("Service", internet.id),
                "packageId": to_global_id("Package", package.id),
            }
        },
    )
    assert added["addPackage"]["errors"] == []
    assert added["addPackage"]["subscription"]["cardCommand"] is None
    [ordered] = await events(EventType.PACKAGE_ORDERED)
    assert ordered["commandId"] is None and not await DeviceCommand.exists()

    satellite = await make_service(customer)
    card = await make_device(satellite, kind=DeviceKind.SMART_CARD)
    await make_wallet(customer)
    title = await make_title(code="VOD-DUNE")
    bought = await gql(BUY, {"input": {"titleId": to_global_id("Title", title.id)}})
    assert bought["purchaseVod"]["errors"] == []
    command = await DeviceCommand.get(kind=CommandKind.ENTITLEMENT)
    assert command.device_id == card.id and command.purchase_id is not None
    assert command.details is not None and command.details["titleCode"] == "VOD-DUNE"
    [purchased] = await events(EventType.TITLE_PURCHASED)
    assert purchased["commandIds"] == [f"cmd_{command.id}"]
    assert (purchased["titleCode"], purchased["price"]) == ("VOD-DUNE", title.price)
    assert purchased["availableUntil"] == command.details["until"]
    assert (await order_of_events())[1:] == [
        ("title.purchased", f"cmd_{command.id}"),
        ("device_command.requested", f"cmd_{command.id}"),
    ]
    too_dear = await make_title(price=10**7)
    refused = await gql(BUY, {"input": {"titleId": to_global_id("Title", too_dear.id)}})
    assert codes(refused["purchaseVod"]) == [("titleId", "INSUFFICIENT_FUNDS")]
    assert await DeviceCommand.filter(kind=CommandKind.ENTITLEMENT).count() == 1
    assert len(await events(EventType.TITLE_PURCHASED)) == 1


async def test_timeouts_retry_then_fail(gql, client, settings) -> None:
    settings = settings.with_overrides(command_max_attempts=2)
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    decoder = await make_device(await make_service(customer))
    reset = await gql(RESET, {"input": {"deviceId": to_global_id("Device", decoder.id)}})
    gid = reset["resetDecoderPin"]["command"]["id"]
    worker = provisioning.build_worker(settings)
    assert await worker.run_once() == 0
    clock.advance(seconds=599)
    assert await worker.run_once() == 0
    assert (await gql(STATUS, {"id": gid}))["node"]["delayed"] is False
    clock.advance(seconds=1)
    assert (await gql(STATUS, {"id": gid}))["node"]["delayed"] is True
    assert await worker.run_once() == 1  # retried: attempt 2, announced again
    retried = await events(EventType.DEVICE_COMMAND_REQUESTED)
    assert [e["attempt"] for e in retried] == [1, 2]
    assert retried[0]["commandId"] == retried[1]["commandId"]
    assert (await DeviceCommand.get(customer_id=customer.id)).status is CommandStatus.SENT
    clock.advance(seconds=600)
    assert await worker.run_once() == 1  # out of attempts: failed
    await login_as(client, settings, customer)  # the session idled out meanwhile
    seen = (await gql(STATUS, {"id": gid}, headers={"Accept-Language": "en"}))["node"]
    assert (seen["status"], seen["delayed"]) == ("FAILED", False)
    assert seen["failureReason"].startswith("the operator did not answer in the expected time")
    assert len(await events(EventType.DEVICE_COMMAND_REQUESTED)) == 2
    key = await make_api_key(Scope.PROVISIONING_WRITE)
    late = await complete(client, key.headers, id=retried[0]["commandId"], status="DONE")
    assert codes(late) == [("id", "COMMAND_ALREADY_COMPLETED")]


async def test_timeout_action_fail_and_racing_workers(db, settings) -> None:
    settings = settings.with_overrides(command_timeout_action=TimeoutAction.FAIL)
    customer = await make_customer(settings)
    decoder = await make_device(await make_service(customer))
    command = await provisioning.request_command(settings, decoder, CommandKind.PIN_RESET)
    retrying = settings.with_overrides(command_timeout_action=TimeoutAction.RETRY)
    other = await provisioning.request_command(retrying, decoder, CommandKind.SIGNAL_REFRESH)
    clock.advance(seconds=600)
    workers = [provisioning.build_worker(settings) for _ in range(3)]
    workers += [provisioning.build_worker(retrying) for _ in range(3)]
    moved = await asyncio.gather(*(worker.run_once() for worker in workers))
    # two commands, each moved once (failed, or retried) whatever the interleaving
    assert sum(moved) == 2
    rows = [await DeviceCommand.get(id=c.id) for c in (command, other)]
    # each moved exactly once: failed at attempt 1 (TIMEOUT), or handed over again (attempt 2)
    for row in rows:
        assert (row.status, row.attempts) in ((CommandStatus.FAILED, 1), (CommandStatus.SENT, 2))
        if row.status is CommandStatus.FAILED:
            assert provisioning.reason_code(row) is provisioning.ReasonCode.TIMEOUT
    retried = sum(row.status is CommandStatus.SENT for row in rows)
    assert len(await events(EventType.DEVICE_COMMAND_REQUESTED)) == 2 + retried
    clock.advance(seconds=600)
    for worker in workers[:3]:  # the fail-only workers end what is left
        await worker.run_once()
    assert {(await DeviceCommand.get(id=r.id)).status for r in rows} == {CommandStatus.FAILED}


async def test_simulated_mode_keeps_its_behaviour_and_still_tells_the_operator(
    gql, client, settings
) -> None:
    settings = settings.with_overrides(provisioning=ProvisioningMode.SIMULATED)
    customer = await make_customer(settings)
    service = await make_service(customer)
    await make_device(service, kind=DeviceKind.SMART_CARD)
    await subscribe(service, await make_package())
    await make_wallet(customer)
    from backend.services import wallet
    from tests.factories import make_meta

    await wallet.purchase_title(settings, customer.id, (await make_title()).id, meta=make_meta())
    command = await DeviceCommand.get(kind=CommandKind.ENTITLEMENT)
    assert command.status is CommandStatus.QUEUED and command.external_ref == ""
    assert len(await events(EventType.TITLE_PURCHASED)) == 1
    assert await events(EventType.DEVICE_COMMAND_REQUESTED) == []
    key = await make_api_key(Scope.PROVISIONING_WRITE)
    refused = await complete(client, key.headers, id=f"cmd_{command.id}", status="DONE")
    assert codes(refused) == [("id", "COMMAND_NOT_SENT")]
    worker = provisioning.build_worker(settings)  # the simulation completes entitlements too
    clock.advance(seconds=1)
    await worker.run_once()
    await worker.run_once()
    assert (await DeviceCommand.get(id=command.id)).status is CommandStatus.DONE
