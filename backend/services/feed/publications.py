"""What the operator publishes to customers (scope ``messages:write``): messages (to one
customer, to everyone, or to the customers with a service of a kind) and offers (to one customer
or to everyone, optionally for a package at a promotional price), each keyed by the operator's
own ``reference``.

Publishing is idempotent by reference, but unlike the other kinds of the feed a publication is
not updated in place (customers may have read it already): the same reference with the same
content is ``unchanged``, with different content it is rejected (REFERENCE_REUSED). These kinds
are used by the operator API (``publishMessages``, ``publishOffers``) and the console
(``publishMessage``, ``publishOffer``: one item each, :func:`publish_one`), not by ``icok
import``.

A publication cannot be withdrawn early: the kinds refuse any change to a stored one
(REFERENCE_REUSED), and there is no other way to write one. The console's lists of recent
publications (:func:`message_page`, :func:`offer_page`) name who published each one by the
``operator_write`` event that created it (:func:`publishers`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from backend.clock import now
from backend.models import AuditEvent, Customer, Message, Offer, Package, StaffMember
from backend.models.enums import AuditKind, MessageCategory, ServiceKind
from backend.services import audit
from backend.services.errors import DomainError, ErrorCode, ValidationErrors
from backend.services.feed.customers import NUMBER_MAX
from backend.services.feed.engine import FeedRun, ItemStatus, Problems, Writer, apply_batch
from backend.services.feed.reader import Reader
from backend.services.feed.rows import RowKind, refs, unknown
from backend.services.paging import Keyset, Page, paginate

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


# --- the console: one publication at a time, and the recent ones ---------------------------------

CONSOLE_REFERENCE = re.compile(
    r"console-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
"""A reference the console generates (``console-`` and a lower-case UUID): the browser makes
one per form, so a double click or a resent request publishes once."""
PUBLISHED = Keyset("published", (("id", "int"),))
"""Recent publications: the order they were written, newest first."""
WRITER_SCAN = 500
"""How many ``operator_write`` events :func:`publishers` reads per query."""


async def publish_one(
    kind: Publications, item: Mapping[str, Any], writer: Writer, staff: StaffMember
) -> tuple[Message | Offer, bool]:
    """Publish one ``item`` (the snake_case object the operator API sends) of ``kind``
    (:class:`Messages` or :class:`Offers`) through the feed engine, as ``writer`` (the
    ``staff`` member's: audited as the feed's ``operator_write`` event and, once created, as
    ``STAFF_WRITE`` of type ``message``/``offer`` with the reference and the staff member's id
    and name, on the customer it is for, if one). ``item["reference"]`` must match
    :data:`CONSOLE_REFERENCE`. Returns the stored row and whether this call created it (False:
    the same item was published under this reference already, or by a concurrent call).

    Raises ``DomainError(INVALID, "reference")`` for another reference, and
    ``ValidationErrors`` with the item's errors (field paths as the item's keys, e.g.
    ``audience.customer_number``; an unknown customer number or package code is NOT_FOUND on
    its field; REFERENCE_REUSED when the reference was used for other content)."""
    if not CONSOLE_REFERENCE.fullmatch(str(item.get("reference", ""))):
        raise DomainError(ErrorCode.INVALID, "reference")
    async with in_transaction():  # the item, its operator_write and its STAFF_WRITE together
        [result] = await apply_batch(kind, [item], FeedRun(writer))
        if [error.code for error in result.errors] == [ErrorCode.WRITE_CONFLICT]:
            # The same reference was written meanwhile (a double click racing itself): read again.
            [result] = await apply_batch(kind, [item], FeedRun(writer))
        if result.errors:
            raise ValidationErrors(
                DomainError(ErrorCode.NOT_FOUND, e.field)
                if e.code is ErrorCode.UNKNOWN_REFERENCE
                else e
                for e in result.errors
            )
        row = (await kind.stored([result.key]))[result.key]
        created = result.status is ItemStatus.CREATED
        if created:
            await audit.record(
                AuditKind.STAFF_WRITE,
                row.customer_id,
                writer.meta,
                staff=staff.id,
                staff_name=staff.name,
                type=kind.name,
                reference=result.key,
            )
    return row, created


async def message_page(*, first: int | None = None, after: str | None = None) -> Page[Message]:
    """The published messages (those with a reference: the operator's and the console's, not
    the notices the portal writes itself), newest first. Raises INVALID_CURSOR,
    PAGE_SIZE_TOO_LARGE."""
    query = Message.filter(reference__isnull=False)
    return await paginate(query, PUBLISHED, first=first, after=after)


async def offer_page(*, first: int | None = None, after: str | None = None) -> Page[Offer]:
    """The published offers (with a reference), newest first. Raises INVALID_CURSOR,
    PAGE_SIZE_TOO_LARGE."""
    query = Offer.filter(reference__isnull=False)
    return await paginate(query, PUBLISHED, first=first, after=after)


async def publishers(kind: str, references: Iterable[str]) -> dict[str, str]:
    """Who published each of ``references`` of the kind named ``kind`` (``"message"``,
    ``"offer"``): the writer of the ``operator_write`` event that created it
    (``staff:<id>:<name>`` or ``key:<API key name>``), by reference; a reference without such an
    event (e.g. written before the feed audited) is absent.

    A publication is created by exactly one event and never changed, so the events are read
    newest first, :data:`WRITER_SCAN` at a time (their details only), until every reference is
    found: for the recent publications a page lists, the recent events."""
    wanted = {reference for reference in references if reference}
    found: dict[str, str] = {}
    before: int | None = None
    while wanted.difference(found):
        query = AuditEvent.filter(kind=AuditKind.OPERATOR_WRITE)
        if before is not None:
            query = query.filter(id__lt=before)
        rows = await query.order_by("-id").limit(WRITER_SCAN).values_list("id", "details")
        if not rows:
            break
        for _, details in rows:
            if not isinstance(details, dict) or details.get("type") != kind:
                continue
            keys = details.get("keys")
            created = keys.get(ItemStatus.CREATED.value, []) if isinstance(keys, dict) else []
            for key in wanted.intersection(created):
                found.setdefault(key, str(details.get("writer", "")))
        before = int(rows[-1][0])
    return found


@dataclass(frozen=True)
class Published:
    """A publication for the console's lists: its ``row``, the ``customer_number`` it is for
    (None: a broadcast), an offer's ``package_code`` and the feed ``writer`` who published it
    (None when unknown)."""

    row: Message | Offer
    customer_number: str | None
    package_code: str | None
    writer: str | None


async def described(kind: str, rows: Sequence[Message | Offer]) -> dict[int, Published]:
    """``rows`` of the kind named ``kind`` (``"message"``, ``"offer"``) with their customer
    numbers, package codes and writers, by row id (three queries whatever the count)."""
    customer_ids = {row.customer_id for row in rows if row.customer_id is not None}
    numbers = dict(
        await Customer.filter(id__in=customer_ids).values_list("id", "number")
        if customer_ids
        else []
    )
    package_ids = {getattr(row, "package_id", None) for row in rows} - {None}
    codes = dict(
        await Package.filter(id__in=package_ids).values_list("id", "code") if package_ids else []
    )
    writers = await publishers(kind, [str(row.reference) for row in rows])
    return {
        row.id: Published(
            row=row,
            customer_number=numbers.get(row.customer_id) if row.customer_id else None,
            package_code=codes.get(getattr(row, "package_id", None)),
            writer=writers.get(str(row.reference)),
        )
        for row in rows
    }


def publisher_name(writer: str) -> tuple[str, bool]:
    """The name to show for a feed ``writer`` and whether it is a staff member:
    ``staff:7:Anna Nowak`` → (``Anna Nowak``, True), ``key:crm`` → (``crm``, False)."""
    if writer.startswith("staff:"):
        return writer.split(":", 2)[-1], True
    return writer.removeprefix("key:"), False
