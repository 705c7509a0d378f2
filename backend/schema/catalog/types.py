"""Catalogue types: packages with channels, VOD titles / PPV events, offers. Public data (a
logged-out visitor may read packages and titles); offers are per customer."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from backend import models as m
from backend.clock import now
from backend.schema.context import Info
from backend.schema.enums import PackageKind, ServiceKind, TitleKind
from backend.schema.loaders import loaders
from backend.schema.relay import Node, register_model_node, register_node, to_global_id
from backend.schema.scalars import Money
from backend.services import catalog, wallet

if TYPE_CHECKING:
    from backend.schema.wallet.types import Purchase


@strawberry.type
class Channel:
    name: str
    category: str
    hd: bool

    @classmethod
    def from_model(cls, row: m.Channel) -> Channel:
        return cls(name=row.name, category=row.category, hd=row.hd)


@strawberry.type(description="A package of the operator's offer (base or add-on).")
class Package(Node):
    pk: strawberry.Private[int]
    requires_base_id: strawberry.Private[int | None]
    code: str
    name: str
    description: str
    kind: PackageKind
    service_kind: ServiceKind = strawberry.field(description="The kind of service it fits.")
    monthly_price: Money
    data_limit_mb: int | None = strawberry.field(description="Internet packages: data per month.")
    sellable: bool

    @classmethod
    def from_model(cls, row: m.Package) -> Package:
        return cls(
            id=to_global_id("Package", row.id),
            pk=row.id,
            requires_base_id=row.requires_base_id,
            code=row.code,
            name=row.name,
            description=row.description,
            kind=row.kind,
            service_kind=row.service_kind,
            monthly_price=Money.of(row.monthly_price),
            data_limit_mb=row.data_limit_mb,
            sellable=row.sellable,
        )

    @strawberry.field(description="Add-ons only: the base package they need, if a specific one.")
    async def requires_base(self, info: Info) -> Package | None:
        if self.requires_base_id is None:
            return None
        row = await loaders(info).package.load(self.requires_base_id)
        return Package.from_model(row) if row else None

    @strawberry.field
    async def channels(self, info: Info) -> list[Channel]:
        rows = await loaders(info).channels_by_package.load(self.pk)
        return [Channel.from_model(c) for c in rows]

    @strawberry.field
    async def channel_count(self, info: Info) -> int:
        return await loaders(info).channel_count.load(self.pk)


@register_node("Package")
async def _packages(info: Info, pks: list[int]) -> list[Any]:
    rows = await loaders(info).package.load_many(pks)
    return [Package.from_model(r) if r else None for r in rows]


@strawberry.type(description="A VOD title (rented for rentalHours) or a PPV event.")
class Title(Node):
    pk: strawberry.Private[int]
    kind: TitleKind
    name: str
    description: str
    genre: str
    year: int | None
    duration_minutes: int | None
    price: Money
    rental_hours: int
    event_starts_at: datetime | None
    available_until: datetime | None
    featured: bool
    watchable_until_if_bought_now: datetime = strawberry.field(
        description=(
            "Until when the title could be watched if bought at the time of this answer "
            "(a PPV ticket until the event ends, a VOD rental rentalHours from the purchase)."
        )
    )

    @classmethod
    def from_model(cls, row: m.Title) -> Title:
        return cls(
            id=to_global_id("Title", row.id),
            pk=row.id,
            kind=row.kind,
            name=row.name,
            description=row.description,
            genre=row.genre,
            year=row.year,
            duration_minutes=row.duration_minutes,
            price=Money.of(row.price),
            rental_hours=row.rental_hours,
            event_starts_at=row.event_starts_at,
            available_until=row.available_until,
            featured=row.featured,
            watchable_until_if_bought_now=catalog.watchable_until(row, now()),
        )

    @strawberry.field(
        description="The viewer's purchase that can still be watched (null when logged out)."
    )
    async def active_purchase(
        self, info: Info
    ) -> Annotated[Purchase, strawberry.lazy("backend.schema.wallet.types")] | None:
        if info.context.customer_id is None:
            return None
        from backend.schema.wallet.types import Purchase

        rows = await loaders(info).purchases_by_title.load(self.pk)
        active = [p for p in rows if wallet.purchase_is_active(p)]
        return Purchase.from_model(active[0]) if active else None


@register_node("Title")
async def _titles(info: Info, pks: list[int]) -> list[Any]:
    rows = await loaders(info).title.load_many(pks)
    return [Title.from_model(r) if r else None for r in rows]


@strawberry.type(description="An offer prepared by the operator, valid now.")
class Offer(Node):
    pk: strawberry.Private[int]
    package_id: strawberry.Private[int | None]
    title: str
    description: str
    monthly_price: Money | None = strawberry.field(description="The promotional monthly price.")
    promo_months: int
    valid_from: datetime
    valid_until: datetime
    personal: bool = strawberry.field(description="Prepared for this customer only.")

    @classmethod
    def from_model(cls, row: m.Offer) -> Offer:
        return cls(
            id=to_global_id("Offer", row.id),
            pk=row.id,
            package_id=row.package_id,
            title=row.title,
            description=row.description,
            monthly_price=Money.of(row.monthly_price) if row.monthly_price is not None else None,
            promo_months=row.promo_months,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            personal=row.customer_id is not None,
        )

    @strawberry.field(description="The package offered, if the offer is about one.")
    async def package(self, info: Info) -> Package | None:
        if self.package_id is None:
            return None
        row = await loaders(info).package.load(self.package_id)
        return Package.from_model(row) if row else None


register_model_node("Offer", m.Offer, Offer.from_model)
