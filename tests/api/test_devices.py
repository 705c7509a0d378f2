"""Equipment: devices with their service and recent commands."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import now
from backend.models.enums import CommandKind, CommandStatus, DeviceKind, Ownership
from tests.factories import login_as, make_command, make_customer, make_device, make_service

DEVICES = """{ viewer { devices { id kind model serialNumber ownership installedOn
  supportsPinReset service { identifier }
  recentCommands { kind status requestedAt sentAt completedAt failureReason
    device { serialNumber } } } } }"""


async def test_devices_and_recent_commands(gql, client, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer)
    decoder = await make_device(service, serial="DEC-1")
    card = await make_device(service, kind=DeviceKind.SMART_CARD, serial="CARD-1")
    router = await make_device(
        None, customer=customer, kind=DeviceKind.ROUTER, serial="RT-1", ownership=Ownership.OWNED
    )
    for hours in range(7):  # 7 commands: only the 5 newest are "recent"
        await make_command(
            decoder,
            kind=CommandKind.PIN_RESET if hours % 2 else CommandKind.SIGNAL_REFRESH,
            status=CommandStatus.DONE if hours else CommandStatus.QUEUED,
            requested_at=now() - timedelta(hours=hours),
        )
    await make_command(  # older than 30 days: not recent
        card,
        kind=CommandKind.SIGNAL_REFRESH,
        status=CommandStatus.FAILED,
        failure_reason="timeout",
        requested_at=now() - timedelta(days=31),
    )
    await make_command(
        card,
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
    await make_device(one, serial="A")
    await make_device(two, serial="B")
    await make_device(two, kind=DeviceKind.SMART_CARD, serial="C")
    await login_as(client, settings, customer)
    services = (await gql("{ viewer { services { identifier devices { serialNumber } } } }"))[
        "viewer"
    ]["services"]
    found = {s["identifier"]: sorted(d["serialNumber"] for d in s["devices"]) for s in services}
    assert found == {one.identifier: ["A"], two.identifier: ["B", "C"]}
