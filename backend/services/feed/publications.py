"""What the operator publishes to customers (scope ``messages:write``): messages (to one
customer, to everyone, or to the customers with a service of a kind) and offers (to one customer
or to everyone, optionally for a package at a promotional price), each keyed by the operator's
own ``reference``.

Publishing is idempotent by reference, but unlike the other kinds of the feed a publication is
not updated in place (customers may have read it already): the same reference with the same
content is ``unchanged``, with different content it is rejected (REFERENCE_REUSED). These kinds
are used by the operator API only (``publishMessages``, ``publishOffers``), not by ``icok
import``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.clock import now
from backend.models import Customer, Message, Offer, Package
from backend.models.enums import MessageCategory, ServiceKind
from backend.services.errors import ErrorCode
from backend.services.feed.customers import NUMBER_MAX
from backend.services.feed.engine import FeedRun, Problems
from backend.services.feed.reader import Reader
from backend.services.feed.rows import RowKind, refs, unknown

SCOPE = "messages:write"
REFERENCE_MAX = 64
SUBJECT_MAX = 200
BODY_MAX = 5000
OFFER_TITLE_MAX = 120
PACKAGE_CODE_MAX = 32
PROMO_MONTHS_MAX = 36


def _ends_after(
    reader: Reader, start: str, begins: datetime | None, end: str, *, required: bool
) -> datetime | None:
    """The instant ``end``, which must be later than ``begins`` (the field ``start``) when
    that is known. Errors: REQUIRED, INVALID_DATE, ENDS_BEFORE_BEGINS."""
    ends = reader.instant(end, required=required)
    if ends is not None and begins is not None and ends <= begins:
        reader.errors.add(ErrorCode.ENDS_BEFORE_BEGINS, reader.path(end), start=start)
    return ends


class Publications(RowKind[Any, Any]):
    """A kind whose rows are never changed once published: what differs under a stored
    reference is REFERENCE_REUSED (found while resolving, so the item is rejected)."""

    key_column = "reference"

    async def refuse_changes(
        self, items: Sequence[tuple[int, Any]], problems: Problems
    ) -> Mapping[str, Any]:
        """Add REFERENCE_REUSED for the ``items`` whose stored row differs; returns the
        stored rows by reference."""
        stored = await self.stored([self.key(item) for _, item in items])
        for index, item in items:
            row = stored.get(self.key(item))
            if row is not None and self.differs(item, row):
                problems.add(index, ErrorCode.REFERENCE_REUSED, "reference", key=self.key(item))
        return stored


# --- message -------------------------------------------------------------------------------------


@dataclass
class MessageItem:
    reference: str
    customer_number: str | None
    everyone: bool
    service_kind: ServiceKind | None
    category: MessageCategory
    subject: str
    body: str
    urgent: bool
    published_at: datetime | None
    """None: now, when first published (a re-send without it leaves the stored time)."""
    expires_at: datetime | None
    customer_id: int | None = None
    """Resolved from ``customer_number``."""


class Messages(Publications):
    """``message``: reference (≤64), audience (exactly one of customerNumber, everyone: true,
    serviceKind), category, subject (≤200), body (≤5000, several lines), urgent (default
    false), publishedAt (an instant; default now: a later one schedules the message),
    expiresAt (an instant after publishedAt, or after now for a new message without it;
    default never)."""

    name = "message"
    scope = SCOPE
    model = Message
    columns: tuple[str, ...] = ("customer_id", "service_kind", "category", "subject", "body")
    columns += ("urgent", "published_at", "expires_at")

    def read(self, reader: Reader) -> MessageItem:
        reference = reader.text("reference", REFERENCE_MAX)
        customer_number, everyone, service_kind = None, False, None
        audience = reader.object("audience")
        if audience is not None:
            customer_number = audience.optional_text("customer_number", NUMBER_MAX)
            everyone = audience.boolean("everyone", False)
            service_kind = audience.choice("service_kind", ServiceKind, required=False)
            chosen = [customer_number is not None, everyone, service_kind is not None]
            if sum(chosen) != 1:
                reader.errors.add(ErrorCode.INVALID, reader.path("audience"))
        published_at = reader.instant("published_at", required=False)
        return MessageItem(
            reference=reference,
            customer_number=customer_number,
            everyone=everyone,
            service_kind=service_kind,
            category=reader.choice("category", MessageCategory) or MessageCategory.ANNOUNCEMENT,
            subject=reader.text("subject", SUBJECT_MAX),
            body=reader.text("body", BODY_MAX, multiline=True),
            urgent=reader.boolean("urgent", False),
            published_at=published_at,
            expires_at=_ends_after(
                reader, "publishedAt", published_at, "expires_at", required=False
            ),
        )

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, MessageItem]], problems: Problems
    ) -> None:
        numbers = [item.customer_number for _, item in items if item.customer_number]
        customers = await run.ids(Customer, "number", numbers, "customer")
        for index, item in items:
            if item.customer_number is None:
                continue
            customer_id = customers.get(item.customer_number)
            if customer_id is None:
                unknown(
                    problems, index, "audience.customer_number", "customer", item.customer_number
                )
            item.customer_id = customer_id
        stored = await self.refuse_changes(items, problems)
        at = now()
        for index, item in items:
            # A new message published now must not have expired already (a re-sent one may).
            new = item.reference not in stored
            if new and item.published_at is None and item.expires_at and item.expires_at <= at:
                problems.add(index, ErrorCode.ENDS_BEFORE_BEGINS, "expires_at", start="now")

    def differs(self, item: MessageItem, row: Message) -> bool:
        # without publishedAt the stored publication time stands
        compared = [c for c in self.columns if c != "published_at" or item.published_at]
        return any(getattr(row, name) != getattr(item, name) for name in compared)

    def values(self, item: MessageItem) -> dict[str, Any]:
        values = super().values(item)
        values["published_at"] = item.published_at or now()
        return values


# --- offer ---------------------------------------------------------------------------------------


@dataclass
class OfferItem:
    reference: str
    customer_number: str | None
    package_code: str | None
    title: str
    description: str
    monthly_price: int
    promo_months: int
    valid_from: datetime
    valid_until: datetime
    customer_id: int | None = None
    package_id: int | None = None
    """Both resolved from the operator's keys."""


class Offers(Publications):
    """``offer``: reference (≤64), customerNumber (optional: one customer's; default every
    customer's), packageCode (optional: an offer to add that package, shown to customers who
    can add it and accepted with it), title (≤120), description (≤5000, several lines),
    monthlyPrice (grosze: the package's price during the promotion), promoMonths (0-36),
    validFrom and validUntil (instants, validUntil later)."""

    name = "offer"
    scope = SCOPE
    model = Offer
    columns: tuple[str, ...] = ("customer_id", "package_id", "title", "description")
    columns += ("monthly_price", "promo_months", "valid_from", "valid_until")

    def read(self, reader: Reader) -> OfferItem:
        valid_from = reader.instant("valid_from")
        return OfferItem(
            reference=reader.text("reference", REFERENCE_MAX),
            customer_number=reader.optional_text("customer_number", NUMBER_MAX),
            package_code=reader.optional_text("package_code", PACKAGE_CODE_MAX),
            title=reader.text("title", OFFER_TITLE_MAX),
            description=reader.text("description", BODY_MAX, required=False, multiline=True),
            monthly_price=reader.integer("monthly_price") or 0,
            promo_months=reader.integer("promo_months", maximum=PROMO_MONTHS_MAX, default=0) or 0,
            valid_from=valid_from or datetime.min,
            valid_until=(
                _ends_after(reader, "validFrom", valid_from, "valid_until", required=True)
                if valid_from is not None
                else reader.instant("valid_until")
            )
            or datetime.min,
        )

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, OfferItem]], problems: Problems
    ) -> None:
        numbers = [item.customer_number for _, item in items if item.customer_number]
        customers = await run.ids(Customer, "number", numbers, "customer")
        codes = [item.package_code for _, item in items if item.package_code]
        packages = await refs(run, Package, "code", codes, "package")
        for index, item in items:
            if item.customer_number is not None:
                item.customer_id = customers.get(item.customer_number)
                if item.customer_id is None:
                    unknown(problems, index, "customer_number", "customer", item.customer_number)
            if item.package_code is not None:
                package = packages.get(item.package_code)
                if package is None:
                    unknown(problems, index, "package_code", "package", item.package_code)
                else:
                    item.package_id = package.id
        await self.refuse_changes(items, problems)
