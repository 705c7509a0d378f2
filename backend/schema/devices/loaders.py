"""The devices domain's DataLoaders (mixed into ``backend.schema.loaders.Loaders``)."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from backend.models import Device, DeviceCommand
from backend.schema.dataloader import BaseLoaders, by_key
from backend.services import devices


class DeviceLoaders(BaseLoaders):
    """Devices of a service and their recent commands."""

    @cached_property
    def devices_by_service(self) -> DataLoader[int, list[Device]]:
        return by_key(lambda ids: devices.devices_by_service(self._cid, ids), list)

    @cached_property
    def entitlement_by_subscription(self) -> DataLoader[int, DeviceCommand | None]:
        return by_key(lambda ids: devices.entitlements_by_subscription(self._cid, ids))

    @cached_property
    def commands_by_device(self) -> DataLoader[int, list[DeviceCommand]]:
        return by_key(lambda ids: devices.recent_commands_by_device(self._cid, ids), list)
