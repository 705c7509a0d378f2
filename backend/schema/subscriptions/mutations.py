"""Mutations of the subscriptions domain (telecom services, contracts, packages): add or
cancel a package, bring the satellite signal back."""

from __future__ import annotations

import strawberry
from strawberry.permission import BasePermission

from backend.schema.contact.types import Message
from backend.schema.context import Info
from backend.schema.devices.types import DeviceCommand
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.permissions import IsAuthenticated
from backend.schema.relay import decode_id
from backend.schema.subscriptions.quote import PackageQuote
from backend.schema.subscriptions.types import PackageSubscription
from backend.services import devices, subscriptions
from backend.services.errors import DomainError, ErrorCode

AUTH: list[type[BasePermission]] = [IsAuthenticated]


@strawberry.input
class AddPackageInput:
    service_id: strawberry.ID
    package_id: strawberry.ID
    offer_id: strawberry.ID | None = strawberry.field(
        default=None, description="An offer (Offer) accepted with the package: its price applies."
    )


@strawberry.type
class AddPackagePayload:
    subscription: PackageSubscription | None = None
    quote: PackageQuote | None = strawberry.field(
        default=None, description="The effective date and the effect on the next invoice."
    )
    message: Message | None = strawberry.field(
        default=None, description="The confirmation in the inbox."
    )
    errors: list[UserError]


@strawberry.input
class CancelPackageInput:
    subscription_id: strawberry.ID


@strawberry.type
class CancelPackagePayload:
    subscription: PackageSubscription | None = strawberry.field(
        default=None, description="With endsOn set to the end of the current billing period."
    )
    errors: list[UserError]


@strawberry.input
class RefreshSignalInput:
    service_id: strawberry.ID | None = None
    device_id: strawberry.ID | None = None


@strawberry.type
class RefreshSignalPayload:
    command: DeviceCommand | None = None
    errors: list[UserError]


@strawberry.type
class Mutation:
    @mutation(
        description="Add a package to a service (effective at once).", permission_classes=AUTH
    )
    async def add_package(self, info: Info, input: AddPackageInput) -> AddPackagePayload:
        ctx = info.context
        added = await subscriptions.add_package(
            ctx.settings,
            ctx.viewer_id,
            decode_id(input.service_id, "Service", field="serviceId"),
            decode_id(input.package_id, "Package", field="packageId"),
            offer_id=decode_id(input.offer_id, "Offer", field="offerId")
            if input.offer_id is not None
            else None,
            meta=ctx.meta,
        )
        return AddPackagePayload(
            subscription=PackageSubscription.from_model(added.subscription),
            quote=PackageQuote.from_quote(added.quote),
            message=Message.from_model(added.message) if added.message else None,
            errors=[],
        )

    @mutation(
        description="Cancel an add-on at the end of the current billing period.",
        permission_classes=AUTH,
    )
    async def cancel_package(self, info: Info, input: CancelPackageInput) -> CancelPackagePayload:
        ctx = info.context
        row = await subscriptions.cancel_package(
            ctx.settings,
            ctx.viewer_id,
            decode_id(input.subscription_id, "PackageSubscription", field="subscriptionId"),
            meta=ctx.meta,
        )
        return CancelPackagePayload(subscription=PackageSubscription.from_model(row), errors=[])

    @mutation(
        description="Re-send the entitlements of a satellite service (once per 15 minutes).",
        permission_classes=AUTH,
    )
    async def refresh_signal(self, info: Info, input: RefreshSignalInput) -> RefreshSignalPayload:
        ctx = info.context
        if (input.service_id is None) == (input.device_id is None):
            raise DomainError(ErrorCode.REQUIRED, "serviceId")
        command = await devices.refresh_signal(
            ctx.settings,
            ctx.viewer_id,
            service_id=decode_id(input.service_id, "Service", field="serviceId")
            if input.service_id is not None
            else None,
            device_id=decode_id(input.device_id, "Device", field="deviceId")
            if input.device_id is not None
            else None,
            meta=ctx.meta,
        )
        return RefreshSignalPayload(command=DeviceCommand.from_model(command), errors=[])
