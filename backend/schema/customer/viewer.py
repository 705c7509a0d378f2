"""Viewer fields about the customer's relationship with the operator. Mixed into ``Viewer``.

Resolvers stay thin: each calls one read service (directly or through the request's loaders).
"""

from __future__ import annotations

import strawberry

from backend.models import Offer as OfferModel
from backend.schema.activity.types import ActivityEvent
from backend.schema.billing.types import ExpectedCharge, Invoice, Payment, UpcomingPayments
from backend.schema.catalog.types import Offer, Package, Title
from backend.schema.contact.types import ContactRequest, Message
from backend.schema.context import Info
from backend.schema.customer.types import Dashboard, Profile
from backend.schema.devices.types import Device
from backend.schema.enums import InvoiceFilter, TitleKind
from backend.schema.loaders import ALL, loaders
from backend.schema.pagination import After, Connection, First, connection
from backend.schema.scalars import Money
from backend.schema.subscriptions.types import Contract, PackageSubscription, Service
from backend.schema.wallet.types import Purchase, Wallet
from backend.services import audit, billing, catalog, contact, devices, subscriptions, wallet


@strawberry.type
class CustomerFields:
    customer_id: strawberry.Private[int]

    @strawberry.field(description="The operator's customer number.")
    async def customer_number(self, info: Info) -> str:
        return (await loaders(info).customer.load(self.customer_id)).number

    @strawberry.field(description="Name, contact data, address, consents, language.")
    async def profile(self, info: Info) -> Profile:
        return Profile.from_model(await loaders(info).customer.load(self.customer_id))

    @strawberry.field(description="Contracts, newest first.")
    async def contracts(self, info: Info) -> list[Contract]:
        return [Contract.from_model(c) for c in await subscriptions.contracts(self.customer_id)]

    @strawberry.field(description="Every service of every contract.")
    async def services(self, info: Info) -> list[Service]:
        rows = await loaders(info).customer_services.load(self.customer_id)
        return [Service.from_model(s) for s in rows]

    @strawberry.field(description="What all active packages cost per month.")
    async def monthly_total(self, info: Info) -> Money:
        subs = await loaders(info).customer_subscriptions.load(self.customer_id)
        return Money.of(subscriptions.monthly_total(subs))

    @strawberry.field(description="All equipment.")
    async def devices(self, info: Info) -> list[Device]:
        return [Device.from_model(d) for d in await devices.devices(self.customer_id)]

    @strawberry.field(description="Invoices, newest first; filter by status or OVERDUE.")
    async def invoices(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: InvoiceFilter | None = None,
    ) -> Connection[Invoice]:
        return await connection(
            info.context.language,
            lambda: billing.invoices_page(
                self.customer_id, status=status, first=first, after=after
            ),
            Invoice.from_model,
        )

    @strawberry.field(description="Unpaid invoices and the next expected charge.")
    async def upcoming_payments(self, info: Info) -> UpcomingPayments:
        return await _upcoming(info, self.customer_id)

    @strawberry.field(description="Payment history, newest first.")
    async def payments(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Payment]:
        return await connection(
            info.context.language,
            lambda: billing.payments_page(self.customer_id, first=first, after=after),
            Payment.from_model,
        )

    @strawberry.field(description="The VOD / PPV wallet.")
    async def wallet(self, info: Info) -> Wallet:
        return Wallet.from_model(self.customer_id, await wallet.wallet(self.customer_id))

    @strawberry.field(description="VOD titles and PPV events that can be bought now.")
    async def vod_catalogue(self, info: Info, kind: TitleKind | None = None) -> list[Title]:
        return [Title.from_model(t) for t in await catalog.titles(kind=kind)]

    @strawberry.field(description="VOD rentals and PPV tickets bought, newest first.")
    async def purchases(self, info: Info) -> list[Purchase]:
        return [Purchase.from_model(p) for p in await wallet.purchases(self.customer_id)]

    @strawberry.field(description="Messages from the operator: urgent first, then newest.")
    async def messages(
        self, info: Info, first: First = None, after: After = None, unread_only: bool = False
    ) -> Connection[Message]:
        return await connection(
            info.context.language,
            lambda: contact.messages_page(
                self.customer_id, unread_only=unread_only, first=first, after=after
            ),
            Message.from_model,
        )

    @strawberry.field
    async def unread_message_count(self, info: Info) -> int:
        return await contact.unread_count(self.customer_id)

    @strawberry.field(description="Offers valid now, for what the customer does not have yet.")
    async def offers(self, info: Info) -> list[Offer]:
        return [Offer.from_model(o) for o in await _offers(info, self.customer_id)]

    @strawberry.field(description="Messages sent with the contact form, newest first.")
    async def contact_requests(self, info: Info) -> list[ContactRequest]:
        rows = await contact.contact_requests(self.customer_id)
        return [ContactRequest.from_model(r) for r in rows]

    @strawberry.field(description="Activity history (logins, changes, payments), newest first.")
    async def activity(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ActivityEvent]:
        return await connection(
            info.context.language,
            lambda: audit.activity_page(self.customer_id, first=first, after=after),
            ActivityEvent.from_model,
        )

    @strawberry.field(description="What the start screen needs, in one query.")
    async def dashboard(self, info: Info) -> Dashboard:
        cid = self.customer_id
        lds = loaders(info)
        upcoming = await _upcoming(info, cid)
        services = await lds.customer_services.load(cid)
        subs = await lds.customer_subscriptions.load(cid)
        everything = await lds.all_packages.load(ALL)
        titles = await catalog.titles(featured_only=True, limit=catalog.FEATURED_TITLES)
        unread = await contact.unread_count(cid)
        urgent = await contact.urgent_unread(cid)
        active, available = catalog.tv_packages(services, subs, everything)
        return Dashboard(
            upcoming_payments=upcoming,
            tv_packages=[PackageSubscription.from_model(s) for s in active],
            available_tv_packages=[Package.from_model(p) for p in available],
            featured_titles=[Title.from_model(t) for t in titles],
            unread_message_count=unread,
            urgent_messages=[Message.from_model(m) for m in urgent],
        )


async def _upcoming(info: Info, customer_id: int) -> UpcomingPayments:
    unpaid = await billing.unpaid_invoices(customer_id)
    subs = await loaders(info).customer_subscriptions.load(customer_id)
    summary = billing.upcoming(unpaid, subs)
    charge = summary.next_charge
    return UpcomingPayments(
        invoices=[Invoice.from_model(i) for i in summary.invoices],
        total_due=Money.of(summary.total_due),
        overdue_total=Money.of(summary.overdue_total),
        overdue_count=summary.overdue_count,
        next_charge=ExpectedCharge.from_charge(charge) if charge else None,
    )


async def _offers(info: Info, customer_id: int) -> list[OfferModel]:
    lds = loaders(info)
    services = await lds.customer_services.load(customer_id)
    subs = await lds.customer_subscriptions.load(customer_id)
    everything = await lds.all_packages.load(ALL)
    return await catalog.offers(customer_id, subs, services, everything)
