"""``upsertContracts``, ``upsertServices``, ``setServiceStatuses``, ``upsertDevices`` and
``upsertSubscriptions``: what a customer has, keyed by the operator's identifiers (the rules are
the feed kinds' in ``backend.services.feed.contracts``, ``devices`` and ``subscriptions``)."""

from __future__ import annotations

from datetime import date

import strawberry

from backend.operator.context import OperatorInfo
from backend.operator.feed import FeedPayload, upsert
from backend.operator.permissions import requires
from backend.schema.enums import (
    ContractStatus,
    DeviceKind,
    Ownership,
    ServiceKind,
    ServiceStatus,
    SuspensionReason,
)
from backend.schema.mutation import mutation
from backend.services.operator_keys import Scope

IDENTIFIER = (
    "A 12-digit decoder card number or a Polish phone number, in any usual form "
    "(+48 600 100 200 and 600100200 are the same service)."
)
SUSPENSION_REASON = "Required with SUSPENDED, refused with any other status."


@strawberry.input(description="A contract, keyed by its number.")
class ContractInput:
    number: str = strawberry.field(description="The operator's contract number (at most 24).")
    customer_number: str = strawberry.field(
        description="The customer's number; a contract's customer never changes."
    )
    signed_on: date
    ends_on: date | None = strawberry.field(
        default=None, description="Its last day, not before signedOn; none: indefinite."
    )
    status: ContractStatus


@strawberry.input(description="A service (card or phone number), keyed by its identifier.")
class ServiceInput:
    identifier: str = strawberry.field(description=IDENTIFIER)
    contract_number: str = strawberry.field(
        description="Its contract (the service's customer is the contract's); it may move to "
        "another contract of the same customer only."
    )
    kind: ServiceKind = strawberry.field(
        description="SATELLITE_TV for a card number, INTERNET or MOBILE_TV for a phone number; "
        "it never changes."
    )
    name: str | None = strawberry.field(default=None, description="At most 80 characters.")
    status: ServiceStatus | None = strawberry.field(
        default=None,
        description="None: the stored status stays (a new service is ACTIVE).",
    )
    suspension_reason: SuspensionReason | None = strawberry.field(
        default=None, description=SUSPENSION_REASON
    )
    activated_on: date


@strawberry.input(description="A stored service's status, keyed by its identifier.")
class ServiceStatusInput:
    identifier: str = strawberry.field(description=IDENTIFIER)
    status: ServiceStatus
    suspension_reason: SuspensionReason | None = strawberry.field(
        default=None, description=SUSPENSION_REASON
    )


@strawberry.input(description="A device, keyed by its serial number.")
class DeviceInput:
    serial_number: str = strawberry.field(description="At most 40 characters.")
    customer_number: str
    service_identifier: str | None = strawberry.field(
        default=None, description="The service it serves, one of the same customer's."
    )
    kind: DeviceKind
    model: str = strawberry.field(description="At most 80 characters.")
    ownership: Ownership
    installed_on: date


@strawberry.input(
    description="A package on a service from a day, keyed by service, package and start day "
    '(the result\'s key is "identifier/packageCode/startsOn").'
)
class SubscriptionInput:
    service_identifier: str = strawberry.field(description=IDENTIFIER)
    package_code: str = strawberry.field(description="A package made for the service's kind.")
    starts_on: date
    ends_on: date | None = strawberry.field(
        default=None, description="Its last day, not before startsOn; none: open-ended."
    )
    monthly_price: int | None = strawberry.field(
        default=None, description="In grosze; none: the package's price."
    )


@strawberry.input
class UpsertContractsInput:
    items: list[ContractInput] = strawberry.field(description="At most 500 contracts.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


@strawberry.input
class UpsertServicesInput:
    items: list[ServiceInput] = strawberry.field(description="At most 500 services.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


@strawberry.input
class SetServiceStatusesInput:
    items: list[ServiceStatusInput] = strawberry.field(description="At most 500 statuses.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


@strawberry.input
class UpsertDevicesInput:
    items: list[DeviceInput] = strawberry.field(description="At most 500 devices.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


@strawberry.input
class UpsertSubscriptionsInput:
    items: list[SubscriptionInput] = strawberry.field(description="At most 500 subscriptions.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


WRITE = [requires(Scope.CUSTOMERS_WRITE)]


@strawberry.type
class Mutation:
    @mutation(
        description="Create or update contracts by number (scope customers:write).",
        permission_classes=WRITE,
    )
    async def upsert_contracts(
        self, info: OperatorInfo, input: UpsertContractsInput
    ) -> FeedPayload:
        return await upsert(info, "contract", input.items, dry_run=input.dry_run)

    @mutation(
        description="Create or update services by identifier (scope customers:write).",
        permission_classes=WRITE,
    )
    async def upsert_services(self, info: OperatorInfo, input: UpsertServicesInput) -> FeedPayload:
        return await upsert(info, "service", input.items, dry_run=input.dry_run)

    @mutation(
        description="Suspend, restore or terminate stored services without resending them "
        "(scope customers:write). suspendedAt is set when a service becomes suspended and "
        "cleared when it is restored.",
        permission_classes=WRITE,
    )
    async def set_service_statuses(
        self, info: OperatorInfo, input: SetServiceStatusesInput
    ) -> FeedPayload:
        return await upsert(info, "service_status", input.items, dry_run=input.dry_run)

    @mutation(
        description="Create or update devices by serial number (scope customers:write).",
        permission_classes=WRITE,
    )
    async def upsert_devices(self, info: OperatorInfo, input: UpsertDevicesInput) -> FeedPayload:
        return await upsert(info, "device", input.items, dry_run=input.dry_run)

    @mutation(
        description="Create or update subscriptions by service, package and start day "
        "(scope customers:write).",
        permission_classes=WRITE,
    )
    async def upsert_subscriptions(
        self, info: OperatorInfo, input: UpsertSubscriptionsInput
    ) -> FeedPayload:
        return await upsert(info, "subscription", input.items, dry_run=input.dry_run)
