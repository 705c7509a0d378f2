"""Equipment and the commands sent to it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.clock import now, today
from backend.models import Customer, Device, DeviceCommand, Service
from backend.models.enums import CommandKind, CommandStatus, DeviceKind, Ownership
from tests.factories import sequences

_MODELS = {
    DeviceKind.DECODER: "EVOBOX HD",
    DeviceKind.SMART_CARD: "Karta Conax",
    DeviceKind.MODEM: "LTE Box",
}


async def make_device(
    service: Service | None,
    *,
    customer: Customer | None = None,
    kind: DeviceKind = DeviceKind.DECODER,
    serial: str | None = None,
    **fields: Any,
) -> Device:
    """A leased device installed 300 days ago on ``service`` (of the service's customer), or
    with no service for ``customer``; the serial number comes from one sequence."""
    if customer is None:
        assert service is not None, "a device without a service needs its customer"
        customer_id = service.customer_id
    else:
        customer_id = customer.id
    defaults: dict[str, Any] = {
        "model": _MODELS.get(kind, "Urządzenie"),
        "ownership": Ownership.LEASED,
        "installed_on": today() - timedelta(days=300),
    }
    return await Device.create(
        customer_id=customer_id,
        service=service,
        kind=kind,
        serial_number=serial or sequences.device_serial(),
        **{**defaults, **fields},
    )


async def make_command(
    device: Device,
    *,
    kind: CommandKind = CommandKind.PIN_RESET,
    status: CommandStatus = CommandStatus.DONE,
    **fields: Any,
) -> DeviceCommand:
    """A command for ``device`` (of its customer) requested three hours ago; a done one
    completed then, too."""
    requested_at = fields.pop("requested_at", now() - timedelta(hours=3))
    defaults: dict[str, Any] = {
        "completed_at": requested_at if status is CommandStatus.DONE else None,
    }
    return await DeviceCommand.create(
        device=device,
        customer_id=device.customer_id,
        kind=kind,
        status=status,
        requested_at=requested_at,
        **{**defaults, **fields},
    )
