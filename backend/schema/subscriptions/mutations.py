"""Mutations of the subscriptions domain (telecom services, contracts, packages): add or
cancel a package, bring the satellite signal back."""

from __future__ import annotations

import strawberry
from strawberry.permission import BasePermission

from backend.schema.contact.types import Message
from backend.schema.context import Info
from backend.schema.devices.types import DeviceCommand
from backend.schema.errors import UserError, to_user_errors
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


@strawberry.type
class AddPackagePayload:
    subscription: PackageSubscription | None
    quote: PackageQuote | None = strawberry.field(
        description="The effective date and the effect on the next invoice."
    )
    message: Message | None = strawberry.field(description="The confirmation in the inbox.")
    errors: list[UserError]


@strawberry.input
class CancelPackageInput:
    subscription_id: strawberry.ID


@strawberry.type
class CancelPackagePayload:
    subscription: PackageSubscription | None = strawberry.field(
        description="With endsOn set to the end of the current billing period."
    )
    errors: list[UserError]


@strawberry.input
class RefreshSignalInput:
    service_id: strawberry.ID | None = None
    device_id: strawberry.ID | None = None


@strawberry.type
class RefreshSignalPayload:
    command: DeviceCommand | None
    errors: list[UserError]


def _customer(info: Info) -> int:
    assert info.context.customer_id is not None
    return info.context.customer_id


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Add a package to a service (effective at once).", permission_classes=AUTH
    )
    async def add_package(self, info: Info, input: AddPackageInput) -> AddPackagePayload:
        ctx = info.context
        try:
            added = await subscriptions.add_package(
                ctx.settings,
                _customer(info),
                decode_id(input.service_id, "Service", field="serviceId"),
                decode_id(input.package_id, "Package", field="packageId"),
                ip=ctx.ip,
                user_agent=ctx.user_agent,
            )
        except DomainError as exc:
            return AddPackagePayload(
                subscription=None,
                quote=None,
                message=None,
                errors=to_user_errors(exc, ctx.language),
            )
        return AddPackagePayload(
            subscription=PackageSubscription.from_model(added.subscription),
            quote=PackageQuote.from_quote(added.quote),
            message=Message.from_model(added.message),
            errors=[],
        )

    @strawberry.mutation(
        description="Cancel an add-on at the end of the current billing period.",
        permission_classes=AUTH,
    )
    async def cancel_package(self, info: Info, input: CancelPackageInput) -> CancelPackagePayload:
        ctx = info.context
        try:
            row = await subscriptions.cancel_package(
                ctx.settings,
                _customer(info),
                decode_id(input.subscription_id, "PackageSubscription", field="subscriptionId"),
                ip=ctx.ip,
                user_agent=ctx.user_agent,
            )
        except DomainError as exc:
            return CancelPackagePayload(subscription=None, errors=to_user_errors(exc, ctx.language))
        return CancelPackagePayload(subscription=PackageSubscription.from_model(row), errors=[])

    @strawberry.mutation(
        description="Re-send the entitlements of a satellite service (once per 15 minutes).",
        permission_classes=AUTH,
    )
    async def refresh_signal(self, info: Info, input: RefreshSignalInput) -> RefreshSignalPayload:
        ctx = info.context
        try:
            if (input.service_id is None) == (input.device_id is None):
                raise DomainError(ErrorCode.REQUIRED, "serviceId")
            command = await devices.refresh_signal(
                _customer(info),
                service_id=decode_id(input.service_id, "Service", field="serviceId")
                if input.service_id is not None
                else None,
                device_id=decode_id(input.device_id, "Device", field="deviceId")
                if input.device_id is not None
                else None,
                ip=ctx.ip,
                user_agent=ctx.user_agent,
            )
        except DomainError as exc:
            return RefreshSignalPayload(command=None, errors=to_user_errors(exc, ctx.language))
        return RefreshSignalPayload(command=DeviceCommand.from_model(command), errors=[])
