"""Public catalogue queries (no login needed): packages with channels, VOD / PPV titles."""

from __future__ import annotations

import strawberry

from backend.schema.catalog.types import Package, Title
from backend.schema.context import Info
from backend.schema.enums import ServiceKind, TitleKind
from backend.schema.loaders import ALL, loaders


@strawberry.type
class Query:
    @strawberry.field(description="Packages on sale, optionally for one kind of service.")
    async def packages(self, info: Info, service_kind: ServiceKind | None = None) -> list[Package]:
        everything = await loaders(info).catalogue.load(ALL)
        return [Package.from_model(p) for p in everything.sellable(service_kind)]

    @strawberry.field(description="VOD titles and PPV events available now.")
    async def vod_titles(
        self, info: Info, kind: TitleKind | None = None, featured_only: bool = False
    ) -> list[Title]:
        everything = await loaders(info).catalogue.load(ALL)
        rows = everything.titles_on_sale(kind=kind, featured_only=featured_only)
        return [Title.from_model(t) for t in rows]
