"""The operator's answers to customers: ``replyToContactRequest`` (scope ``contact:write``),
``publishMessages`` and ``publishOffers`` (scope ``messages:write``), each idempotent by the
operator's own ``reference`` (the same again changes nothing; other content under a used
reference is REFERENCE_REUSED)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend import models as m
from backend.operator.context import OperatorInfo
from backend.operator.feed import FeedPayload, apply
from backend.operator.permissions import requires
from backend.schema.enums import ContactStatus, MessageCategory, ReplyAuthor, ServiceKind
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.relay import MAX_PK, decode_id
from backend.services import contact
from backend.services.feed.publications import Messages, Offers
from backend.services.operator_keys import Scope


@strawberry.input
class ReplyToContactRequestInput:
    reference: str = strawberry.field(
        description="The operator's id of this reply (at most 64): sending it again adds nothing."
    )
    request_id: strawberry.ID = strawberry.field(
        description="The contact request: its number (as in the event contact_request.created "
        "and the customer's notice, e.g. 17) or its id in the customer API (ContactRequest.id)."
    )
    body: str = strawberry.field(description="1-5000 characters, several lines.")
    close: bool = strawberry.field(
        default=False, description="Close the request (status CLOSED) rather than ANSWERED."
    )


@strawberry.type(description="A reply in a contact request's conversation.")
class OperatorContactReply:
    id: int
    request_id: int = strawberry.field(description="The contact request's number.")
    author: ReplyAuthor
    body: str
    reference: str | None
    created_at: datetime

    @classmethod
    def from_model(cls, row: m.ContactReply) -> OperatorContactReply:
        return cls(
            id=row.id,
            request_id=row.request_id,
            author=row.author,
            body=row.body,
            reference=row.reference,
            created_at=row.created_at,
        )


@strawberry.type
class ReplyToContactRequestPayload:
    reply: OperatorContactReply | None = None
    created: bool = strawberry.field(
        default=False, description="False when this reference was stored already (unchanged)."
    )
    request_status: ContactStatus | None = None
    errors: list[UserError]


@strawberry.input(
    one_of=True, description="Who sees a message: exactly one of the three (a oneOf input)."
)
class MessageAudienceInput:
    customer_number: str | None = strawberry.UNSET
    everyone: bool | None = strawberry.field(
        default=strawberry.UNSET, description="true: every customer."
    )
    service_kind: ServiceKind | None = strawberry.field(
        default=strawberry.UNSET,
        description="The customers with a service of this kind that is not terminated.",
    )


@strawberry.input(description="A message, keyed by the operator's reference.")
class MessageInput:
    reference: str = strawberry.field(description="At most 64 characters.")
    audience: MessageAudienceInput
    category: MessageCategory
    subject: str = strawberry.field(description="1-200 characters.")
    body: str = strawberry.field(description="1-5000 characters, several lines.")
    urgent: bool = strawberry.field(
        default=False, description="Shown first, and as a banner on the start screen while unread."
    )
    published_at: datetime | None = strawberry.field(
        default=None, description="With its offset; default now (a later time schedules it)."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="Later than publishedAt (or now); default: never expires."
    )


@strawberry.input
class PublishMessagesInput:
    items: list[MessageInput] = strawberry.field(description="At most 500 messages.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


@strawberry.input(description="An offer, keyed by the operator's reference.")
class OfferInput:
    reference: str = strawberry.field(description="At most 64 characters.")
    customer_number: str | None = strawberry.field(
        default=None, description="Only this customer's offer; default: every customer's."
    )
    package_code: str | None = strawberry.field(
        default=None,
        description="An offer to add this package (shown to customers who can add it, "
        "accepted with it); default: an offer without a package.",
    )
    title: str = strawberry.field(description="1-120 characters.")
    description: str | None = strawberry.field(default=None, description="At most 5000.")
    monthly_price: int = strawberry.field(description="The monthly price during the promotion.")
    promo_months: int = strawberry.field(default=0, description="0-36 months.")
    valid_from: datetime = strawberry.field(description="With its offset.")
    valid_until: datetime = strawberry.field(description="Later than validFrom.")


@strawberry.input
class PublishOffersInput:
    items: list[OfferInput] = strawberry.field(description="At most 500 offers.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


def request_number(value: str) -> int:
    """A contact request's number given as itself (``"17"``) or as its customer API id.
    Raises ``DomainError`` NOT_FOUND (``requestId``) for anything else."""
    text = value.strip()
    if text.isascii() and text.isdigit() and len(text) <= 10 and 0 < int(text) <= MAX_PK:
        return int(text)
    return decode_id(text, "ContactRequest", field="requestId")


@strawberry.type
class Mutation:
    @mutation(
        description="Answer a customer's contact request: the customer sees the reply in the "
        "portal and gets an e-mail (scope contact:write).",
        permission_classes=[requires(Scope.CONTACT_WRITE)],
    )
    async def reply_to_contact_request(
        self, info: OperatorInfo, input: ReplyToContactRequestInput
    ) -> ReplyToContactRequestPayload:
        ctx = info.context
        answer = await contact.operator_reply(
            ctx.settings,
            reference=input.reference,
            request_id=request_number(input.request_id),
            body=input.body,
            close=input.close,
            writer=ctx.writer.name,
            meta=ctx.meta,
        )
        return ReplyToContactRequestPayload(
            reply=OperatorContactReply.from_model(answer.reply),
            created=answer.created,
            request_status=answer.request_status,
            errors=[],
        )

    @mutation(
        description="Publish messages to one customer, everyone, or the customers with a "
        "service kind, keyed by reference (scope messages:write).",
        permission_classes=[requires(Scope.MESSAGES_WRITE)],
    )
    async def publish_messages(
        self, info: OperatorInfo, input: PublishMessagesInput
    ) -> FeedPayload:
        return await apply(info, Messages(), input.items, dry_run=input.dry_run)

    @mutation(
        description="Publish offers to one customer or everyone, keyed by reference "
        "(scope messages:write).",
        permission_classes=[requires(Scope.MESSAGES_WRITE)],
    )
    async def publish_offers(self, info: OperatorInfo, input: PublishOffersInput) -> FeedPayload:
        return await apply(info, Offers(), input.items, dry_run=input.dry_run)
