"""The customer's contact data: phone, postal address, marketing consents, language, e-mail.

Every field is optional (``None`` leaves it unchanged); the whole form is validated before
anything is saved. A new contact e-mail is not trusted until the customer proves they read it:
we send a single-use link to the new address (``AccountToken`` purpose CHANGE_EMAIL) and keep
the old address until the link is opened. The login e-mail of the web account is separate and
is not changed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import Account, Customer
from backend.models.enums import AuditKind, Language, TokenPurpose
from backend.services import audit, emails, outbox, tokens
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.identifiers import normalise_email, normalise_phone, normalise_postal_code
from backend.services.outbox import EventType
from backend.services.request import RequestMeta
from backend.services.text import check_text

STREET_MAX = 120
CITY_MAX = 80
EVENT_FIELDS = {
    "email": "email",
    "phone": "phone",
    "street": "street",
    "postal_code": "postalCode",
    "city": "city",
    "consent_email": "consentEmail",
    "consent_sms": "consentSms",
    "consent_phone": "consentPhone",
    "language": "language",
}
"""The name of each contact field in an event's ``changed`` list."""


@dataclass(frozen=True)
class ContactDataInput:
    phone: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    consent_email: bool | None = None
    consent_sms: bool | None = None
    consent_phone: bool | None = None
    language: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ContactDataResult:
    customer: Customer
    pending_email: str | None
    """The new address waiting for confirmation (the link was sent to it), if any."""


def _validate(data: ContactDataInput) -> tuple[dict[str, object], str | None]:
    errors = Collector()
    changes: dict[str, object] = {}
    if data.phone is not None:
        if not data.phone.strip():
            changes["phone"] = None  # clearing the phone number is allowed
        else:
            try:
                changes["phone"] = normalise_phone(data.phone, field="phone")
            except DomainError as exc:
                errors.errors.append(exc)
    if data.street is not None:
        changes["street"] = check_text(errors, data.street, "street", STREET_MAX)
    if data.city is not None:
        changes["city"] = check_text(errors, data.city, "city", CITY_MAX)
    if data.postal_code is not None:
        if not data.postal_code.strip():
            changes["postal_code"] = ""
        else:
            try:
                changes["postal_code"] = normalise_postal_code(data.postal_code)
            except DomainError as exc:
                errors.errors.append(exc)
    for name in ("consent_email", "consent_sms", "consent_phone"):
        value = getattr(data, name)
        if value is not None:
            changes[name] = bool(value)
    if data.language is not None:
        try:
            changes["language"] = Language(data.language.strip().lower())
        except ValueError:
            errors.add(ErrorCode.INVALID, "language")
    email = None
    if data.email is not None:
        try:
            email = normalise_email(data.email, field="email")
        except DomainError as exc:
            errors.errors.append(exc)
    errors.raise_if_any()
    return changes, email


def contact_data_event(customer: Customer, changed: Sequence[str]) -> dict[str, Any]:
    """The payload of ``customer.contact_data_changed`` (version 1): the customer number, the
    names of the ``changed`` fields (model names, given in camelCase: ``postalCode``) and the
    contact data as it is now (the language as stored: ``pl``)."""
    return {
        "customerNumber": customer.number,
        "changed": [EVENT_FIELDS[name] for name in changed],
        "contactData": {
            "email": customer.email,
            "phone": customer.phone,
            "street": customer.street,
            "postalCode": customer.postal_code,
            "city": customer.city,
            "consentEmail": customer.consent_email,
            "consentSms": customer.consent_sms,
            "consentPhone": customer.consent_phone,
            "language": Language(customer.language).value,
        },
    }


async def _emit_changed(settings: Settings, customer: Customer, changed: Sequence[str]) -> None:
    await outbox.emit(
        settings,
        EventType.CONTACT_DATA_CHANGED,
        customer.id,
        contact_data_event(customer, changed),
    )


async def update_contact_data(
    settings: Settings,
    customer_id: int,
    data: ContactDataInput,
    *,
    meta: RequestMeta,
) -> ContactDataResult:
    """Save the changed fields of ``data`` (all validated first: ``ValidationErrors``) with their
    audit record and one ``customer.contact_data_changed`` event in one transaction (nothing
    changed: neither); a new e-mail only mails a confirmation link (the event comes when it is
    confirmed, :func:`confirm_contact_email`)."""
    changes, email = _validate(data)
    customer = await Customer.get(id=customer_id)
    changed = sorted(k for k, v in changes.items() if getattr(customer, k) != v)
    if changed:
        for key in changed:
            setattr(customer, key, changes[key])
        async with in_transaction():
            await customer.save(update_fields=[*changed, "updated_at"])
            await audit.record(
                AuditKind.CONTACT_DATA_CHANGED,
                customer_id,
                meta,
                fields=changed,
            )
            await _emit_changed(settings, customer, changed)
    pending = None
    if email is not None and email != (customer.email or "").lower():
        account = await Account.get_or_none(customer_id=customer_id)
        if account is None:
            raise DomainError(ErrorCode.NOT_AUTHENTICATED)
        account.customer = customer
        await tokens.mail_link(
            settings,
            account,
            TokenPurpose.CHANGE_EMAIL,
            email,
            emails.contact_email_change,
            AuditKind.EMAIL_CHANGE_REQUESTED,
            meta,
        )
        pending = email
    return ContactDataResult(customer=customer, pending_email=pending)


async def confirm_contact_email(settings: Settings, token: str, *, meta: RequestMeta) -> Customer:
    """Apply the new contact e-mail from a CHANGE_EMAIL link (works once): the token spent, the
    address saved, its audit record and a ``customer.contact_data_changed`` event (``changed``
    ``["email"]``) in one transaction. Errors: ``REQUIRED`` / ``TOKEN_INVALID`` /
    ``TOKEN_EXPIRED`` on ``token``."""
    row = await tokens.check(token, TokenPurpose.CHANGE_EMAIL)
    customer_id = row.account.customer_id
    customer = await Customer.get(id=customer_id)
    old = customer.email
    customer.email = row.email
    async with in_transaction():
        await tokens.spend(row)
        await customer.save(update_fields=["email", "updated_at"])
        await audit.record(
            AuditKind.EMAIL_CHANGED,
            customer_id,
            meta,
            old=emails.mask_email(old or ""),
            new=emails.mask_email(row.email or ""),
        )
        await _emit_changed(settings, customer, ["email"])
    return customer
