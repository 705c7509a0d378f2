"""Equipment and the commands queued for it (PIN reset, signal refresh)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from backend import models as m
from backend.schema.context import Info
from backend.schema.enums import CommandKind, CommandStatus, DeviceKind, Ownership
from backend.schema.loaders import loaders
from backend.schema.relay import Node, register_model_node, to_global_id
from backend.schema.scalars import Money
from backend.services import devices, provisioning

if TYPE_CHECKING:
    from backend.schema.subscriptions.types import Service


@strawberry.type(description="A command sent to the operator's provisioning system.")
class DeviceCommand(Node):
    pk: strawberry.Private[int]
    device_id: strawberry.Private[int]
    kind: CommandKind
    status: CommandStatus
    requested_at: datetime
    sent_at: datetime | None
    completed_at: datetime | None
    row: strawberry.Private[m.DeviceCommand]

    @classmethod
    def from_model(cls, row: m.DeviceCommand) -> DeviceCommand:
        return cls(
            id=to_global_id("DeviceCommand", row.id),
            pk=row.id,
            device_id=row.device_id,
            kind=row.kind,
            status=row.status,
            requested_at=row.requested_at,
            sent_at=row.sent_at,
            completed_at=row.completed_at,
            row=row,
        )

    @strawberry.field(description='Why it failed, in the request\'s language ("" otherwise).')
    def failure_reason(self, info: Info) -> str:
        return provisioning.customer_reason(self.row, info.context.language)

    @strawberry.field(
        description="Not finished within the expected time: the SPA says it is taking longer "
        "than usual (it is retried or failed, per the portal's settings)."
    )
    def delayed(self, info: Info) -> bool:
        return provisioning.is_delayed(self.row, info.context.settings)

    @strawberry.field(
        description="A failed title entitlement: the price given back to the wallet (the title "
        "never reached a card; it can be bought again). Null otherwise."
    )
    def refunded(self) -> Money | None:
        refund = (self.row.details or {}).get("refund")
        return Money.of(refund["amount"]) if isinstance(refund, dict) else None

    @strawberry.field(
        description="A failed package order's entitlement: the order was withdrawn (not "
        "billed; the package can be ordered again)."
    )
    def withdrawn(self) -> bool:
        return (self.row.details or {}).get("withdrawn") is True

    @strawberry.field
    async def device(self, info: Info) -> Device:
        row = await loaders(info).objects(m.Device).load(self.device_id)
        assert row is not None
        return Device.from_model(row)


register_model_node("DeviceCommand", m.DeviceCommand, DeviceCommand.from_model)


@strawberry.type(description="A decoder, smart card, modem, router or SIM card.")
class Device(Node):
    pk: strawberry.Private[int]
    service_id: strawberry.Private[int | None]
    kind: DeviceKind
    model: str
    serial_number: str
    ownership: Ownership = strawberry.field(description="LEASED from the operator, or OWNED.")
    installed_on: date

    @classmethod
    def from_model(cls, row: m.Device) -> Device:
        return cls(
            id=to_global_id("Device", row.id),
            pk=row.id,
            service_id=row.service_id,
            kind=row.kind,
            model=row.model,
            serial_number=row.serial_number,
            ownership=row.ownership,
            installed_on=row.installed_on,
        )

    @strawberry.field(description="The service it serves, if any.")
    async def service(
        self, info: Info
    ) -> Annotated[Service, strawberry.lazy("backend.schema.subscriptions.types")] | None:
        from backend.schema.subscriptions.types import Service

        if self.service_id is None:
            return None
        row = await loaders(info).objects(m.Service).load(self.service_id)
        return Service.from_model(row) if row else None

    @strawberry.field(description="Commands of the last 30 days, newest first (at most 5).")
    async def recent_commands(self, info: Info) -> list[DeviceCommand]:
        rows = await loaders(info).commands_by_device.load(self.pk)
        return [DeviceCommand.from_model(r) for r in rows]

    @strawberry.field(description="Whether a decoder PIN reset can be requested for it.")
    def supports_pin_reset(self) -> bool:
        return devices.supports_pin_reset(self.kind)


register_model_node("Device", m.Device, Device.from_model)
