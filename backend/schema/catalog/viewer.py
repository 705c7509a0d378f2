"""Viewer fields of the catalog domain (what can be bought, offers). Mixed into ``Viewer``."""

from __future__ import annotations

import strawberry

from backend.schema.catalog.types import Offer, Title
from backend.schema.context import Info
from backend.schema.enums import TitleKind
from backend.schema.loaders import ALL, loaders
from backend.services import catalog


@strawberry.type
class CatalogFields:
    customer_id: strawberry.Private[int]

    @strawberry.field(description="VOD titles and PPV events that can be bought now.")
    async def vod_catalogue(self, info: Info, kind: TitleKind | None = None) -> list[Title]:
        everything = await loaders(info).catalogue.load(ALL)
        return [Title.from_model(t) for t in everything.titles_on_sale(kind=kind)]

    @strawberry.field(description="Offers valid now, for what the customer does not have yet.")
    async def offers(self, info: Info) -> list[Offer]:
        lds = loaders(info)
        services = await lds.customer_services.load(self.customer_id)
        subs = await lds.customer_subscriptions.load(self.customer_id)
        everything = await lds.all_packages.load(ALL)
        rows = await catalog.offers(self.customer_id, subs, services, everything)
        return [Offer.from_model(o) for o in rows]
