"""The staff's view of customers (the console): finding a customer by what the caller says
and recording every look at a customer's data.

The customer's graph itself (contracts, services, devices, invoices, payments, wallet,
messages, activity) is read by each domain's own read functions, exactly as the customer sees
it; this module only finds customers, decides which customer a console request reads and
writes the ``STAFF_VIEWED`` trail (details: ``staff`` (id), ``staff_name``, ``what``).
The PESEL is never stored, logged or answered in clear: a typed PESEL is matched by its keyed
hash (:func:`backend.services.identifiers.pesel_hash`) and only the kind ``pesel`` is recorded.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from tortoise.expressions import Q, RawSQL, Subquery

from backend.clock import today
from backend.config import Settings
from backend.models import Account, AuditEvent, Customer, Service, StaffMember
from backend.models.enums import AuditKind
from backend.services import audit, identifiers, text
from backend.services.batch import group
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.ownership import visible
from backend.services.paging import Page, paginate
from backend.services.request import RequestMeta

QUERY_MAX = 100
"""The longest search text accepted (characters, after trimming)."""
NAME_MIN = 2
"""A name is searched from its first two letters (one letter would list half the base)."""
RESULTS_MAX = 20
"""At most this many customers are answered; ``truncated`` says when more matched."""
TERM_DIGITS_MAX = 9
"""A search text with this many digits or more is never stored in the audit (see :func:`search`)."""
_SEPARATORS = re.compile(r"[\s\-().]")


class SearchKind(StrEnum):
    """What a search text was read as (one text may be read several ways: ``60123456789``
    is tried as a customer number, a PESEL and a phone number)."""

    NUMBER = "number"
    NAME = "name"
    EMAIL = "email"
    IDENTIFIER = "identifier"
    PESEL = "pesel"


# Letters folded for the name search, on both databases the same way (upper and lower case):
# the Polish ones. Nested REPLACEs are what SQLite and PostgreSQL both run, and SQLite's parser
# takes about 26 of them, so the table stays Polish (other accents are typed as written).
_FOLD = dict(zip("ąćęłńóśźż", "acelnoszz", strict=True))


def fold(value: str) -> str:
    """A name as the search compares it: NFC, lower case, the Polish letters of :data:`_FOLD`
    without their accents (``Żółć`` -> ``zolc``)."""
    lowered = unicodedata.normalize("NFC", value).lower()
    return "".join(_FOLD.get(ch, ch) for ch in lowered)


def _folded_sql(column: str) -> RawSQL:
    """``column`` folded like :func:`fold` in SQL both SQLite and PostgreSQL run (nested
    ``REPLACE`` then ``LOWER``; the letters are constants of this module, never user text)."""
    sql = f'"{column}"'
    for accented, plain in _FOLD.items():
        sql = f"REPLACE(REPLACE({sql},'{accented}','{plain}'),'{accented.upper()}','{plain}')"
    return RawSQL(f"LOWER({sql})")


@dataclass(frozen=True)
class Match:
    """A customer found, with what the result list shows."""

    customer: Customer
    login_email: str | None
    services: list[Service]


@dataclass(frozen=True)
class SearchResult:
    kinds: list[SearchKind]
    matches: list[Match]
    truncated: bool
    """More than :data:`RESULTS_MAX` customers matched (only the first are answered)."""


def _read(raw: str, settings: Settings) -> tuple[dict[SearchKind, object], str]:
    """What ``raw`` may be: the kinds with their normalised values, and the trimmed text.

    Raises ``REQUIRED`` / ``TOO_LONG`` (``max``) / ``FORBIDDEN_CHARACTER`` (``character``: a
    control, bidirectional or format character such as U+200B) / ``INVALID`` on ``query``; ``INVALID_EMAIL`` for a text with ``@`` that is no address;
    ``TOO_SHORT`` (``min``) for a name shorter than :data:`NAME_MIN`."""
    errors = Collector()
    value = text.check_text(errors, raw, "query", QUERY_MAX, required=True)
    errors.raise_if_any()
    invisible = next((ch for ch in value if unicodedata.category(ch) == "Cf"), None)
    if invisible is not None:  # a zero-width space would be searched as part of a name
        raise DomainError(
            ErrorCode.FORBIDDEN_CHARACTER, "query", {"character": f"U+{ord(invisible):04X}"}
        )
    if "@" in value:
        return {SearchKind.EMAIL: identifiers.normalise_email(value, field="query")}, value
    compact = _SEPARATORS.sub("", value)
    kinds: dict[SearchKind, object] = {}
    if " " not in value and len(value) <= 16 and any(ch.isdigit() for ch in value):
        kinds[SearchKind.NUMBER] = value.upper()
    digits = compact.removeprefix("+")
    if digits.isascii() and digits.isdigit():
        if digits == compact:
            with contextlib.suppress(DomainError):
                pesel = identifiers.parse_pesel(compact, today=today(), field="query")
                kinds[SearchKind.PESEL] = identifiers.pesel_hash(pesel, settings.secret_key)
        with contextlib.suppress(DomainError):
            kinds[SearchKind.IDENTIFIER] = identifiers.normalise_identifier(compact, field="query")
        return kinds, value
    if any(ch.isdigit() for ch in value):
        return kinds, value  # a number with letters: only a customer number
    folded = fold(value)
    if len(folded.replace(" ", "")) < NAME_MIN:
        raise DomainError(ErrorCode.TOO_SHORT, "query", {"min": NAME_MIN})
    kinds[SearchKind.NAME] = folded.split()
    return kinds, value


def _condition(kinds: dict[SearchKind, object]) -> Q:
    parts: list[Q] = []
    for kind, value in kinds.items():
        if kind is SearchKind.NUMBER:
            parts.append(Q(number__iexact=value))
        elif kind is SearchKind.PESEL:
            parts.append(Q(pesel_hash=value))
        elif kind is SearchKind.EMAIL:
            parts.append(Q(email=value) | Q(account__email=value))
        elif kind is SearchKind.IDENTIFIER:
            parts.append(Q(services__identifier=value))
        elif kind is SearchKind.NAME:
            words = list(value)  # type: ignore[call-overload]
            first, last = words[0], words[-1]
            if len(words) == 1:
                parts.append(Q(folded_first__startswith=first) | Q(folded_last__startswith=first))
            else:
                parts.append(
                    Q(folded_first__startswith=first, folded_last__startswith=last)
                    | Q(folded_last__startswith=first, folded_first__startswith=last)
                )
    return Q(*parts, join_type=Q.OR)


async def search(
    settings: Settings, raw: str, *, staff: StaffMember, meta: RequestMeta
) -> SearchResult:
    """Customers matching ``raw``: a customer number (exact, any case), an e-mail address
    (normalised; the contact address or the account's login), a card / SIM / mobile-TV number
    (normalised like ``identifiers.normalise_identifier``), a valid PESEL (by its keyed hash) or
    a name (a case- and accent-insensitive prefix of the first or last name; two words: first
    and last name in either order). At most :data:`RESULTS_MAX`, by last name, first name, id.

    Every search that is read is audited: ``STAFF_VIEWED`` without a customer, details
    ``staff``, ``staff_name``, ``what="search"``, ``kinds`` (what the text was read as),
    ``found`` (how many) and ``term`` (the trimmed text, only when it has fewer than
    :data:`TERM_DIGITS_MAX` digits: a text that may hold a PESEL, valid or not, with words or
    a ``+`` around it, or a phone number, is recorded only by what it was read as).
    Errors: see :func:`_read` (coded, on ``query``); a refused text is not audited."""
    kinds, value = _read(raw, settings)
    rows: list[Customer] = []
    if kinds:
        query = Customer.all()
        if SearchKind.NAME in kinds:
            query = query.annotate(
                folded_first=_folded_sql("first_name"), folded_last=_folded_sql("last_name")
            )
        matching = query.filter(_condition(kinds)).values_list("id", flat=True)
        rows = (
            await Customer.filter(id__in=Subquery(matching))
            .order_by("last_name", "first_name", "id")
            .limit(RESULTS_MAX + 1)
        )
    truncated = len(rows) > RESULTS_MAX
    rows = rows[:RESULTS_MAX]
    ids = [c.id for c in rows]
    services = group(await Service.filter(customer_id__in=ids).order_by("id"), "customer_id")
    logins = dict(await Account.filter(customer_id__in=ids).values_list("customer_id", "email"))
    details: dict[str, object] = {"kinds": [k.value for k in kinds], "found": len(rows)}
    if sum(ch.isdigit() for ch in value) < TERM_DIGITS_MAX:
        details["term"] = value
    await record_view(None, "search", staff=staff, meta=meta, **details)
    matches = [
        Match(customer=c, login_email=logins.get(c.id), services=services.get(c.id, []))
        for c in rows
    ]
    return SearchResult(kinds=list(kinds), matches=matches, truncated=truncated)


async def record_view(
    customer_id: int | None,
    what: str | list[str],
    *,
    staff: StaffMember,
    meta: RequestMeta,
    **details: object,
) -> None:
    """Write ``STAFF_VIEWED`` for ``customer_id`` (None: a search, or an ID that names no
    customer) with ``staff``, ``staff_name`` and ``what`` (the parts looked at)."""
    await audit.record(
        AuditKind.STAFF_VIEWED,
        customer_id,
        meta,
        staff=staff.id,
        staff_name=staff.name,
        what=what,
        **details,
    )


async def open_customer(
    customer_id: int | None, what: list[str], *, staff: StaffMember, meta: RequestMeta, raw_id: str
) -> Customer:
    """The customer a console request reads (``customer_id`` from its global ID, None when the
    ID was malformed or of another type), after recording the look: ``STAFF_VIEWED`` with the
    customer and ``what`` (the parts asked for). An ID that names no customer raises
    ``NOT_FOUND`` (on ``id``) and is recorded too, without a customer, with ``attempt`` (the
    ID as sent, control and format characters escaped, at most 200 characters:
    ``text.escaped``): a crafted ID never goes unnoticed, NUL included."""
    customer = await Customer.get_or_none(id=customer_id) if customer_id is not None else None
    if customer is None:
        await record_view(None, what, staff=staff, meta=meta, attempt=text.escaped(raw_id, 200))
        raise DomainError(ErrorCode.NOT_FOUND, "id")
    await record_view(customer.id, what, staff=staff, meta=meta)
    return customer


async def views_page(
    customer_id: int, *, first: int | None = None, after: str | None = None
) -> Page[AuditEvent]:
    """Who looked at the customer: their ``STAFF_VIEWED`` events, newest first (keyset
    pages as the activity history, ``audit.ACTIVITY``); ``NOT_FOUND`` on ``id`` for a customer
    that does not exist."""
    if not await Customer.exists(id=customer_id):
        raise DomainError(ErrorCode.NOT_FOUND, "id")
    query = visible(AuditEvent, customer_id).filter(kind=AuditKind.STAFF_VIEWED)
    return await paginate(query, audit.ACTIVITY, first=first, after=after)
