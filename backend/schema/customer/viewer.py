"""Viewer fields of the customer domain: the customer record, and the start screen (dashboard)
composed from the other domains' reads. Mixed into ``Viewer``.

Resolvers stay thin: each calls one read service (directly or through the request's loaders).
"""

from __future__ import annotations

import strawberry

from backend.schema.billing.viewer import upcoming_payments
from backend.schema.catalog.types import Package, Title
from backend.schema.contact.types import Message
from backend.schema.context import Info
from backend.schema.customer.types import Dashboard, Profile
from backend.schema.loaders import ALL, loaders
from backend.schema.subscriptions.types import PackageSubscription
from backend.services import catalog, contact, subscriptions


@strawberry.type
class CustomerFields:
    customer_id: strawberry.Private[int]

    @strawberry.field(description="The operator's customer number.")
    async def customer_number(self, info: Info) -> str:
        return (await loaders(info).customer.load(self.customer_id)).number

    @strawberry.field(description="Name, contact data, address, consents, language.")
    async def profile(self, info: Info) -> Profile:
        return Profile.from_model(await loaders(info).customer.load(self.customer_id))


@strawberry.type
class DashboardFields:
    customer_id: strawberry.Private[int]

    @strawberry.field(description="What the start screen needs, in one query.")
    async def dashboard(self, info: Info) -> Dashboard:
        cid = self.customer_id
        lds = loaders(info)
        upcoming = await upcoming_payments(info, cid)
        services = await lds.customer_services.load(cid)
        subs = await lds.customer_subscriptions.load(cid)
        everything = await lds.catalogue.load(ALL)
        titles = everything.titles_on_sale(featured_only=True, limit=catalog.FEATURED_TITLES)
        unread = await contact.unread_count(cid)
        urgent = await contact.urgent_unread(cid)
        active, available = subscriptions.tv_packages(services, subs, everything.packages)
        return Dashboard(
            upcoming_payments=upcoming,
            tv_packages=[PackageSubscription.from_model(s) for s in active],
            available_tv_packages=[Package.from_model(p) for p in available],
            featured_titles=[Title.from_model(t) for t in titles],
            unread_message_count=unread,
            urgent_messages=[Message.from_model(m) for m in urgent],
        )
