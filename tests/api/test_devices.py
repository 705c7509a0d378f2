"""Equipment: devices with their service and recent commands."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import now, today
from backend.models import Device, DeviceCommand
from backend.models.enums import CommandKind, CommandStatus, DeviceKind, Ownership
from tests.factories import login_as, make_customer, make_service

DEVICES = """{ viewer { devices { id kind model serialNumber ownership installedOn
  supportsPinReset service { identifier }
  recentCommands { kind status requestedAt sentAt completedAt failureReason
    device { serialNumber } } } } }"""


async def _device(customer, service, kind: DeviceKind, serial: str, **fields) -> Device:
    return await Device.create(
        customer=customer,
        service=service,
        kind=kind,
        model=fields.pop("model", "EVOBOX PVR"),
        serial_number=serial,
        ownership=fields.pop("ownership", Ownership.LEASED),
        installed_on=fields.pop("installed_on", today() - timedelta(days=10)),
        **fields,
    )


async def test_devices_and_recent_commands(gql, client, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer)
    decoder = await _device(customer, service, DeviceKind.DECODER, "DEC-1")
    card = await _device(customer, service, DeviceKind.SMART_CARD, "CARD-1")
    router = await _device(customer, None, DeviceKind.ROUTER, "RT-1", ownership=Ownership.OWNED)
    for hours in range(7):  # 7 commands: only the 5 newest are "recent"
        await DeviceCommand.create(
            device=decoder,
            customer=customer,
            kind=CommandKind.PIN_RESET if hours % 2 else CommandKind.SIGNAL_REFRESH,
            status=CommandStatus.DONE if hours else CommandStatus.QUEUED,
            requested_at=now() - timedelta(hours=hours),
        )
    await DeviceCommand.create(  # older than 30 days: not recent
        device=card,
        customer=customer,
        kind=CommandKind.SIGNAL_REFRESH,
        status=CommandStatus.FAILED,
        failure_reason="timeout",
        requested_at=now() - timedelta(days=31),
    )
    await DeviceCommand.create(
        device=card,
        customer=customer,
        kind=CommandKind.SIGNAL_REFRESH,
        status=CommandStatus.FAILED,
        failure_reason="card not inserted",
        requested_at=now() - timedelta(days=2),
    )
    await login_as(client, settings, customer)

    devices = {d["serialNumber"]: d for d in (await gql(DEVICES))["viewer"]["devices"]}
    assert set(devices) == {"DEC-1", "CARD-1", "RT-1"}
    dec = devices["DEC-1"]
    assert dec["kind"] == "DECODER" and dec["ownership"] == "LEASED"
    assert dec["supportsPinReset"] is True
    assert dec["service"] == {"identifier": service.identifier}
    assert dec["installedOn"] == decoder.installed_on.isoformat()
    commands = dec["recentCommands"]
    assert len(commands) == 5
    assert commands[0]["status"] == "QUEUED" and commands[0]["kind"] == "SIGNAL_REFRESH"
    assert commands[1]["kind"] == "PIN_RESET" and commands[1]["status"] == "DONE"
    times = [c["requestedAt"] for c in commands]
    assert times == sorted(times, reverse=True)
    assert commands[0]["device"] == {"serialNumber": "DEC-1"}
    assert devices["CARD-1"]["supportsPinReset"] is False
    assert [c["failureReason"] for c in devices["CARD-1"]["recentCommands"]] == [
        "card not inserted"
    ]
    assert devices["RT-1"]["service"] is None
    assert devices["RT-1"]["ownership"] == "OWNED"
    assert router.id and card.id


async def test_devices_per_service(gql, client, settings) -> None:
    customer = await make_customer(settings)
    one = await make_service(customer)
    two = await make_service(customer)
    await _device(customer, one, DeviceKind.DECODER, "A")
    await _device(customer, two, DeviceKind.DECODER, "B")
    await _device(customer, two, DeviceKind.SMART_CARD, "C")
    await login_as(client, settings, customer)
    services = (await gql("{ viewer { services { identifier devices { serialNumber } } } }"))[
        "viewer"
    ]["services"]
    found = {s["identifier"]: sorted(d["serialNumber"] for d in s["devices"]) for s in services}
    assert found == {one.identifier: ["A"], two.identifier: ["B", "C"]}
