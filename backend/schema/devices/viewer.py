"""Viewer fields of the devices domain. Mixed into ``Viewer``."""

from __future__ import annotations

import strawberry

from backend.schema.context import Info
from backend.schema.devices.types import Device
from backend.services import devices


@strawberry.type
class DeviceFields:
    customer_id: strawberry.Private[int]

    @strawberry.field(description="All equipment.")
    async def devices(self, info: Info) -> list[Device]:
        return [Device.from_model(d) for d in await devices.devices(self.customer_id)]
