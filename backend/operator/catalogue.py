"""``upsertPackages`` and ``upsertTitles``: the operator's catalogue, keyed by package code and
title code (``backend.services.feed.catalogue``)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.operator.context import OperatorInfo
from backend.operator.feed import FeedPayload, upsert
from backend.operator.permissions import requires
from backend.schema.enums import PackageKind, ServiceKind, TitleKind
from backend.schema.mutation import mutation
from backend.services.operator_keys import Scope


@strawberry.input(description="A channel of a package, keyed by its name (shared by packages).")
class ChannelInput:
    name: str = strawberry.field(description="At most 80 characters; the channel's key.")
    category: str = strawberry.field(
        description="At most 40: news, sport, movies, kids, documentary, general, lifestyle, music…"
    )
    hd: bool | None = strawberry.field(default=None, description="Default true.")


@strawberry.input(description="A package of the offer, keyed by its code.")
class PackageInput:
    code: str = strawberry.field(description="The operator's package code (at most 32).")
    name: str
    description: str | None = None
    kind: PackageKind
    service_kind: ServiceKind = strawberry.field(description="The kind of service it fits.")
    monthly_price: int = strawberry.field(description="Grosze a month, VAT included (≥ 0).")
    data_limit_mb: int | None = strawberry.field(
        default=None, description="Data per month in MB (internet); none: no limit."
    )
    requires_base: str | None = strawberry.field(
        default=None,
        description=(
            "ADDON only: the code of the base package it needs (a BASE of the same service "
            "kind, stored or earlier in the batch); none: any base."
        ),
    )
    sellable: bool | None = strawberry.field(
        default=None, description="Whether customers may add it (default true)."
    )
    position: int | None = strawberry.field(
        default=None, description="Order in the catalogue (default 0)."
    )
    channels: list[ChannelInput] | None = strawberry.field(
        default=None,
        description=(
            "The package's channels, exactly (at most 500, each name once); none: no channels."
        ),
    )


@strawberry.input
class UpsertPackagesInput:
    items: list[PackageInput] = strawberry.field(description="At most 500 packages.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


@strawberry.input(description="A VOD title or a PPV event, keyed by its code.")
class TitleInput:
    code: str = strawberry.field(description="The operator's title code (at most 32).")
    kind: TitleKind
    name: str
    description: str | None = None
    genre: str | None = None
    year: int | None = None
    duration_minutes: int | None = None
    price: int = strawberry.field(description="Grosze, VAT included (> 0).")
    rental_hours: int | None = strawberry.field(
        default=None, description="VOD only: hours a rental lasts (default 48)."
    )
    event_starts_at: datetime | None = strawberry.field(
        default=None, description="PPV only, required there: when the event starts."
    )
    available_until: datetime | None = strawberry.field(
        default=None, description="When the sale closes; none: on sale until changed."
    )
    featured: bool | None = strawberry.field(default=None, description="Default false.")


@strawberry.input
class UpsertTitlesInput:
    items: list[TitleInput] = strawberry.field(description="At most 500 titles.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


@strawberry.type
class Mutation:
    @mutation(
        description=(
            "Create or update packages and their channels by package code (scope catalog:write)."
        ),
        permission_classes=[requires(Scope.CATALOG_WRITE)],
    )
    async def upsert_packages(self, info: OperatorInfo, input: UpsertPackagesInput) -> FeedPayload:
        return await upsert(info, "package", input.items, dry_run=input.dry_run)

    @mutation(
        description="Create or update VOD titles and PPV events by code (scope catalog:write).",
        permission_classes=[requires(Scope.CATALOG_WRITE)],
    )
    async def upsert_titles(self, info: OperatorInfo, input: UpsertTitlesInput) -> FeedPayload:
        return await upsert(info, "title", input.items, dry_run=input.dry_run)
