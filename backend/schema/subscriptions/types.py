"""Contracts, the services they cover, subscriptions to packages, and internet usage."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from backend import models as m
from backend.schema.catalog.types import Package
from backend.schema.context import Info
from backend.schema.enums import (
    ContractStatus,
    ServiceKind,
    ServiceStatus,
    SubscriptionState,
    SuspensionReason,
)
from backend.schema.loaders import ALL, loaders
from backend.schema.relay import Node, register_model_node, to_global_id
from backend.schema.scalars import Money
from backend.services import subscriptions

if TYPE_CHECKING:
    from backend.schema.devices.types import Device, DeviceCommand


@strawberry.type(description="A package on a service, from startsOn until endsOn (inclusive).")
class PackageSubscription(Node):
    pk: strawberry.Private[int]
    package_id: strawberry.Private[int]
    service_id: strawberry.Private[int]
    starts_on: date
    ends_on: date | None = strawberry.field(description="Null while it runs indefinitely.")
    monthly_price: Money = strawberry.field(
        description="What it costs this month: an accepted offer's price until promoUntil."
    )
    regular_price: Money = strawberry.field(description="The list price (after any offer).")
    promo_until: date | None = strawberry.field(
        description="Last day at an accepted offer's price; null without one."
    )
    state: SubscriptionState

    @classmethod
    def from_model(cls, row: m.Subscription) -> PackageSubscription:
        return cls(
            id=to_global_id("PackageSubscription", row.id),
            pk=row.id,
            package_id=row.package_id,
            service_id=row.service_id,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            monthly_price=Money.of(subscriptions.price_on(row)),
            regular_price=Money.of(row.monthly_price),
            promo_until=row.promo_until,
            state=subscriptions.subscription_state(row),
        )

    @strawberry.field
    async def package(self, info: Info) -> Package:
        row = await loaders(info).package.load(self.package_id)
        assert row is not None
        return Package.from_model(row)

    @strawberry.field(
        description="Its newest ENTITLEMENT command for the card (the activation, or after a "
        "cancellation the new end; QUEUED/SENT while pending); null for a service without a "
        "card."
    )
    async def card_command(
        self, info: Info
    ) -> Annotated[DeviceCommand, strawberry.lazy("backend.schema.devices.types")] | None:
        from backend.schema.devices.types import DeviceCommand

        row = await loaders(info).entitlement_by_subscription.load(self.pk)
        return DeviceCommand.from_model(row) if row else None

    @strawberry.field(description="True while the package is on (ACTIVE or ENDING).")
    def active(self) -> bool:
        return self.state in subscriptions.ON_STATES

    @strawberry.field
    async def service(self, info: Info) -> Service:
        row = await loaders(info).objects(m.Service).load(self.service_id)
        assert row is not None
        return Service.from_model(row)


register_model_node("PackageSubscription", m.Subscription, PackageSubscription.from_model)


@strawberry.type(description="Data used in the current billing period (internet services).")
class Usage:
    period_start: date
    period_end: date
    data_used_mb: int
    data_limit_mb: int | None = strawberry.field(description="Null: no limit.")
    updated_at: datetime

    @classmethod
    def from_model(cls, row: m.ServiceUsage) -> Usage:
        return cls(
            period_start=row.period_start,
            period_end=row.period_end,
            data_used_mb=row.data_used_mb,
            data_limit_mb=row.data_limit_mb,
            updated_at=row.updated_at,
        )

    @strawberry.field(description="Percent of the limit used (0-100+), null without a limit.")
    def percent_used(self) -> float | None:
        if not self.data_limit_mb:
            return None
        return round(100 * self.data_used_mb / self.data_limit_mb, 1)

    @strawberry.field
    def remaining_mb(self) -> int | None:
        if self.data_limit_mb is None:
            return None
        return max(0, self.data_limit_mb - self.data_used_mb)


@strawberry.type(description="A satellite-TV card, an internet SIM or a mobile-TV number.")
class Service(Node):
    pk: strawberry.Private[int]
    contract_id: strawberry.Private[int]
    model: strawberry.Private[m.Service]
    kind: ServiceKind
    identifier: str = strawberry.field(
        description="12-digit card number, or the 9-digit national phone number."
    )
    name: str
    status: ServiceStatus
    suspension_reason: SuspensionReason | None
    suspended_at: datetime | None
    activated_on: date

    @classmethod
    def from_model(cls, row: m.Service) -> Service:
        return cls(
            id=to_global_id("Service", row.id),
            pk=row.id,
            contract_id=row.contract_id,
            model=row,
            kind=row.kind,
            identifier=row.identifier,
            name=row.name,
            status=row.status,
            suspension_reason=row.suspension_reason,
            suspended_at=row.suspended_at,
            activated_on=row.activated_on,
        )

    @strawberry.field(description="Subscriptions; by default only those on now or scheduled.")
    async def subscriptions(
        self, info: Info, include_ended: bool = False
    ) -> list[PackageSubscription]:
        rows = await loaders(info).subscriptions_by_service.load(self.pk)
        result = [PackageSubscription.from_model(r) for r in rows]
        if include_ended:
            return result
        return [s for s in result if s.state is not subscriptions.SubscriptionState.ENDED]

    @strawberry.field(description="Its part of the monthly fee (see Viewer.monthlyTotal).")
    async def monthly_total(self, info: Info) -> Money:
        rows = await loaders(info).subscriptions_by_service.load(self.pk)
        return Money.of(subscriptions.monthly_fee(rows))

    @strawberry.field(
        description="Packages that can still be added: fitting this kind of service, not "
        "active yet, add-ons only on top of their base."
    )
    async def available_packages(self, info: Info) -> list[Package]:
        subs, everything = await _gather(
            loaders(info).subscriptions_by_service.load(self.pk),
            loaders(info).all_packages.load(ALL),
        )
        return [
            Package.from_model(p)
            for p in subscriptions.available_packages(self.model, subs, everything)
        ]

    @strawberry.field(description="Internet / mobile TV: data used in the current period.")
    async def usage(self, info: Info) -> Usage | None:
        row = await loaders(info).usage_by_service.load(self.pk)
        return Usage.from_model(row) if row else None

    @strawberry.field
    async def devices(
        self, info: Info
    ) -> list[Annotated[Device, strawberry.lazy("backend.schema.devices.types")]]:
        from backend.schema.devices.types import Device

        return [Device.from_model(d) for d in await loaders(info).devices_by_service.load(self.pk)]

    @strawberry.field
    async def contract(self, info: Info) -> Contract:
        row = await loaders(info).objects(m.Contract).load(self.contract_id)
        assert row is not None
        return Contract.from_model(row)


register_model_node("Service", m.Service, Service.from_model)


@strawberry.type(description="A contract with the operator; it covers one or more services.")
class Contract(Node):
    pk: strawberry.Private[int]
    number: str
    signed_on: date
    ends_on: date | None = strawberry.field(description="Null: indefinite.")
    status: ContractStatus
    days_remaining: int | None = strawberry.field(
        description="Days until endsOn (0 from the last day on), null when indefinite."
    )

    @classmethod
    def from_model(cls, row: m.Contract) -> Contract:
        return cls(
            id=to_global_id("Contract", row.id),
            pk=row.id,
            number=row.number,
            signed_on=row.signed_on,
            ends_on=row.ends_on,
            status=row.status,
            days_remaining=subscriptions.days_remaining(row),
        )

    @strawberry.field
    async def services(self, info: Info) -> list[Service]:
        rows = await loaders(info).services_by_contract.load(self.pk)
        return [Service.from_model(r) for r in rows]

    @strawberry.field(description="The monthly fee of its services (see Viewer.monthlyTotal).")
    async def monthly_total(self, info: Info) -> Money:
        services = await loaders(info).services_by_contract.load(self.pk)
        subs = await loaders(info).subscriptions_by_service.load_many([s.id for s in services])
        return Money.of(sum(subscriptions.monthly_fee(rows) for rows in subs))


register_model_node("Contract", m.Contract, Contract.from_model)


async def _gather(*aws: Any) -> list[Any]:
    import asyncio

    return list(await asyncio.gather(*aws))
