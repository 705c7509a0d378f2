"""The customer's own record (profile) and the start screen (dashboard)."""

from __future__ import annotations

import strawberry

from backend import models as m
from backend.schema.billing.types import UpcomingPayments
from backend.schema.catalog.types import Package, Title
from backend.schema.contact.types import Message
from backend.schema.enums import Language
from backend.schema.subscriptions.types import PackageSubscription
from backend.services.identifiers import format_phone


@strawberry.type
class PostalAddress:
    street: str
    postal_code: str
    city: str


@strawberry.type(description="Marketing consents the customer gave (or withdrew).")
class MarketingConsents:
    email: bool
    sms: bool
    phone: bool


@strawberry.type(description="The customer's record at the operator.")
class Profile:
    customer_number: str
    first_name: str
    last_name: str
    full_name: str
    pesel_masked: str = strawberry.field(
        description="Only the last two digits are shown (*********59)."
    )
    email: str | None = strawberry.field(description="Contact e-mail (may differ from the login).")
    phone: str | None = strawberry.field(description="9 national digits.")
    phone_formatted: str | None = strawberry.field(description='e.g. "+48 601 234 567".')
    address: PostalAddress
    consents: MarketingConsents
    language: Language

    @classmethod
    def from_model(cls, row: m.Customer) -> Profile:
        return cls(
            customer_number=row.number,
            first_name=row.first_name,
            last_name=row.last_name,
            full_name=row.full_name,
            pesel_masked=row.pesel_masked,
            email=row.email,
            phone=row.phone,
            phone_formatted=format_phone(row.phone) if row.phone else None,
            address=PostalAddress(street=row.street, postal_code=row.postal_code, city=row.city),
            consents=MarketingConsents(
                email=row.consent_email, sms=row.consent_sms, phone=row.consent_phone
            ),
            language=row.language,
        )


@strawberry.type(description="Everything the start screen shows, in one query.")
class Dashboard:
    upcoming_payments: UpcomingPayments
    tv_packages: list[PackageSubscription] = strawberry.field(
        description="Active packages on the TV services (satellite and mobile TV)."
    )
    available_tv_packages: list[Package] = strawberry.field(
        description="TV packages that can still be added to one of the TV services."
    )
    featured_titles: list[Title] = strawberry.field(description="The VOD / PPV offer to show.")
    unread_message_count: int
    urgent_messages: list[Message] = strawberry.field(description="Unread urgent messages.")
