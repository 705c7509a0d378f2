"""Customers, keyed by the operator's customer number.

The PESEL is taken only to be hashed (``identifiers.pesel_hash``, keyed with the secret key)
and masked; the birth date is read from it. It is never stored or logged in clear.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from backend.clock import now, today
from backend.config import Settings
from backend.models import Customer
from backend.models.enums import Language
from backend.services.errors import ErrorCode
from backend.services.feed.engine import FeedRun, Kind, Problems
from backend.services.feed.reader import Reader, normalised
from backend.services.identifiers import (
    mask_pesel,
    normalise_email,
    normalise_phone,
    normalise_postal_code,
    parse_pesel,
    pesel_birth_date,
    pesel_hash,
)

NUMBER_MAX = 16
FIRST_NAME_MAX = 80
LAST_NAME_MAX = 120
STREET_MAX = 120
CITY_MAX = 80


@dataclass(frozen=True)
class CustomerItem:
    number: str
    first_name: str
    last_name: str
    pesel_hash: str
    pesel_masked: str
    birth_date: date
    email: str | None
    phone: str | None
    street: str
    postal_code: str
    city: str
    language: Language
    consent_email: bool
    consent_sms: bool
    consent_phone: bool

    def columns(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in COMPARED}


COMPARED = (
    "first_name",
    "last_name",
    "pesel_hash",
    "pesel_masked",
    "birth_date",
    "email",
    "phone",
    "street",
    "postal_code",
    "city",
    "language",
    "consent_email",
    "consent_sms",
    "consent_phone",
)


class Customers(Kind[CustomerItem, Customer]):
    """``customer``: number, firstName, lastName, pesel (11 digits, valid checksum and birth
    date), email, phone (Polish), street, postalCode (NN-NNN), city, language (pl/en),
    consentEmail/Sms/Phone. Scope ``customers:write``."""

    name = "customer"
    key_fields = ("number",)
    scope = "customers:write"

    def __init__(self, settings: Settings) -> None:
        self.secret_key = settings.secret_key

    def read(self, reader: Reader) -> CustomerItem:
        number = reader.text("number", NUMBER_MAX)
        first_name = reader.text("first_name", FIRST_NAME_MAX)
        last_name = reader.text("last_name", LAST_NAME_MAX)
        pesel = normalised(reader, "pesel", 20, _pesel) or ""
        item = CustomerItem(
            number=number,
            first_name=first_name,
            last_name=last_name,
            pesel_hash=pesel_hash(pesel, self.secret_key) if pesel else "",
            pesel_masked=mask_pesel(pesel) if pesel else "",
            birth_date=(pesel_birth_date(pesel) if pesel else None) or date.min,
            email=normalised(reader, "email", 254, normalise_email, required=False),
            phone=normalised(reader, "phone", 20, normalise_phone, required=False),
            street=reader.text("street", STREET_MAX, required=False),
            postal_code=normalised(reader, "postal_code", 10, normalise_postal_code, required=False)
            or "",
            city=reader.text("city", CITY_MAX, required=False),
            language=reader.choice("language", Language, required=False) or Language.PL,
            consent_email=reader.boolean("consent_email", False),
            consent_sms=reader.boolean("consent_sms", False),
            consent_phone=reader.boolean("consent_phone", False),
        )
        return item

    def key(self, item: CustomerItem) -> str:
        return item.number

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, CustomerItem]], problems: Problems
    ) -> None:
        """A PESEL belongs to one customer: another customer number with the same PESEL, stored
        or earlier in the batch, is ``PESEL_IN_USE`` (which does not say whose it is: a key
        must not turn into a PESEL lookup)."""
        hashes = {item.pesel_hash for _, item in items}
        owners = dict(
            await Customer.filter(pesel_hash__in=sorted(hashes)).values_list("pesel_hash", "number")
        )
        for index, item in items:
            owner = owners.setdefault(item.pesel_hash, item.number)
            if owner != item.number:
                problems.add(index, ErrorCode.PESEL_IN_USE, "pesel")

    async def stored(self, keys: Sequence[str]) -> Mapping[str, Customer]:
        return {c.number: c for c in await Customer.filter(number__in=list(keys))}

    def differs(self, item: CustomerItem, row: Customer) -> bool:
        return any(getattr(row, name) != value for name, value in item.columns().items())

    async def write(
        self, new: Sequence[CustomerItem], changed: Sequence[tuple[CustomerItem, Customer]]
    ) -> None:
        if new:
            await Customer.bulk_create(
                [Customer(number=item.number, **item.columns()) for item in new]
            )
        for item, row in changed:
            await Customer.filter(id=row.id).update(**item.columns(), updated_at=now())


def _pesel(value: str, *, field: str) -> str:
    return parse_pesel(value, today=today(), field=field)
