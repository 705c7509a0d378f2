"""Publishing from the console (role SUPERVISOR; an agent gets ROLE_REQUIRED): a message (to one
customer, everyone, or the customers with a service of a kind) or an offer, one at a time,
through the operator API's own feed kinds (``backend.services.feed.publications``) with the
staff member as the writer (audited ``operator_write``, writer ``staff:<id>:<name>``, and
``STAFF_WRITE`` like the console's other changes).

The browser generates each form's reference (``console-<uuid>``) and sends it with every try, so
a double click publishes once; the same reference with other content is REFERENCE_REUSED. A
publication cannot be withdrawn early (the feed kinds never change a stored one).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend import models as m
from backend.console.context import ConsoleInfo
from backend.console.permissions import requires_role
from backend.models.enums import StaffRole
from backend.operator.contact import MessageInput, OfferInput
from backend.operator.feed import plain
from backend.schema.enums import MessageCategory, ServiceKind
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.pagination import After, Connection, First, to_connection
from backend.schema.query_errors import guarded
from backend.schema.scalars import Money
from backend.services.feed.publications import (
    Messages,
    Offers,
    Published,
    described,
    message_page,
    offer_page,
    publish_one,
    publisher_name,
)

SUPERVISOR = [requires_role(StaffRole.SUPERVISOR)]


@strawberry.type(description="Who published: a staff member or an operator API key.")
class Publisher:
    name: str = strawberry.field(description="The staff member's name, or the API key's name.")
    staff: bool = strawberry.field(description="True: published from the console.")

    @classmethod
    def of(cls, writer: str | None) -> Publisher | None:
        if writer is None:
            return None
        name, staff = publisher_name(writer)
        return cls(name=name, staff=staff)


@strawberry.type(description="A published message as the console lists it.")
class PublishedMessage:
    reference: str
    customer_number: str | None = strawberry.field(
        description="The one customer it is for (null: everyone, or serviceKind)."
    )
    service_kind: ServiceKind | None = strawberry.field(
        description="A broadcast to the customers with a service of this kind."
    )
    category: MessageCategory
    subject: str
    body: str
    urgent: bool
    published_at: datetime
    expires_at: datetime | None
    published_by: Publisher | None = strawberry.field(description="Null when not recorded.")

    @classmethod
    def of(cls, item: Published) -> PublishedMessage:
        row = item.row
        assert isinstance(row, m.Message)
        return cls(
            reference=str(row.reference),
            customer_number=item.customer_number,
            service_kind=row.service_kind,
            category=row.category,
            subject=row.subject,
            body=row.body,
            urgent=row.urgent,
            published_at=row.published_at,
            expires_at=row.expires_at,
            published_by=Publisher.of(item.writer),
        )


@strawberry.type(description="A published offer as the console lists it.")
class PublishedOffer:
    reference: str
    customer_number: str | None = strawberry.field(description="Null: every customer's offer.")
    package_code: str | None
    title: str
    description: str
    monthly_price: Money | None
    promo_months: int
    valid_from: datetime
    valid_until: datetime
    published_by: Publisher | None = strawberry.field(description="Null when not recorded.")

    @classmethod
    def of(cls, item: Published) -> PublishedOffer:
        row = item.row
        assert isinstance(row, m.Offer)
        return cls(
            reference=str(row.reference),
            customer_number=item.customer_number,
            package_code=item.package_code,
            title=row.title,
            description=row.description,
            monthly_price=None if row.monthly_price is None else Money.of(row.monthly_price),
            promo_months=row.promo_months,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            published_by=Publisher.of(item.writer),
        )


@strawberry.type
class PublishMessagePayload:
    message: PublishedMessage | None = None
    created: bool = strawberry.field(
        default=False, description="False: this reference was published already (unchanged)."
    )
    errors: list[UserError]


@strawberry.type
class PublishOfferPayload:
    offer: PublishedOffer | None = None
    created: bool = strawberry.field(
        default=False, description="False: this reference was published already (unchanged)."
    )
    errors: list[UserError]


@strawberry.type
class Query:
    @strawberry.field(
        description="Published messages, newest first (supervisor).", permission_classes=SUPERVISOR
    )
    async def published_messages(
        self, info: ConsoleInfo, first: First = None, after: After = None
    ) -> Connection[PublishedMessage]:
        page = await guarded(info.context.language, lambda: message_page(first=first, after=after))
        items = await described(Messages.name, page.rows)
        return to_connection(page, lambda row: PublishedMessage.of(items[row.id]))

    @strawberry.field(
        description="Published offers, newest first (supervisor).", permission_classes=SUPERVISOR
    )
    async def published_offers(
        self, info: ConsoleInfo, first: First = None, after: After = None
    ) -> Connection[PublishedOffer]:
        page = await guarded(info.context.language, lambda: offer_page(first=first, after=after))
        items = await described(Offers.name, page.rows)
        return to_connection(page, lambda row: PublishedOffer.of(items[row.id]))


@strawberry.type
class Mutation:
    @mutation(
        description="Publish one message as the staff member (supervisor): reference "
        "console-<uuid>, generated once per form (sent again: published once).",
        permission_classes=SUPERVISOR,
    )
    async def publish_message(
        self, info: ConsoleInfo, input: MessageInput
    ) -> PublishMessagePayload:
        ctx = info.context
        row, created = await publish_one(Messages(), plain(input), ctx.writer, ctx.staff)
        item = (await described(Messages.name, [row]))[row.id]
        return PublishMessagePayload(message=PublishedMessage.of(item), created=created, errors=[])

    @mutation(
        description="Publish one offer as the staff member (supervisor): reference "
        "console-<uuid>, generated once per form (sent again: published once).",
        permission_classes=SUPERVISOR,
    )
    async def publish_offer(self, info: ConsoleInfo, input: OfferInput) -> PublishOfferPayload:
        ctx = info.context
        row, created = await publish_one(Offers(), plain(input), ctx.writer, ctx.staff)
        item = (await described(Offers.name, [row]))[row.id]
        return PublishOfferPayload(offer=PublishedOffer.of(item), created=created, errors=[])
