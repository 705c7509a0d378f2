"""Viewer fields of the subscriptions domain (contracts, services, packages). Mixed into
``Viewer``."""

from __future__ import annotations

import strawberry

from backend.schema.context import Info
from backend.schema.loaders import loaders
from backend.schema.scalars import Money
from backend.schema.subscriptions.types import Contract, Service
from backend.services import subscriptions


@strawberry.type
class SubscriptionFields:
    customer_id: strawberry.Private[int]

    @strawberry.field(description="Contracts, newest first.")
    async def contracts(self, info: Info) -> list[Contract]:
        return [Contract.from_model(c) for c in await subscriptions.contracts(self.customer_id)]

    @strawberry.field(description="Every service of every contract.")
    async def services(self, info: Info) -> list[Service]:
        rows = await loaders(info).customer_services.load(self.customer_id)
        return [Service.from_model(s) for s in rows]

    @strawberry.field(
        description="The monthly fee: what the packages cost for the next billing period (an "
        "add-on cancelled now is not in it, an offer's price counts while it lasts)."
    )
    async def monthly_total(self, info: Info) -> Money:
        subs = await loaders(info).customer_subscriptions.load(self.customer_id)
        return Money.of(subscriptions.monthly_fee(subs))
