"""Contact data (with the confirmed e-mail change), the contact form and read receipts."""

from __future__ import annotations

import asyncio
import functools
from datetime import timedelta

import pytest

from backend.clock import clock, now
from backend.models import (
    AccountToken,
    AuditEvent,
    ContactRequest,
    Customer,
    Message,
    MessageRead,
    OutboxMessage,
)
from backend.models.enums import AuditKind, Language, MessageCategory
from backend.services import contact, contact_data, emails
from backend.services.contact_data import ContactDataInput
from backend.services.errors import DomainError, ErrorCode, ValidationErrors
from tests.factories import make_account, make_customer, make_message, make_meta


def _link_token(mail: OutboxMessage) -> str:
    return mail.text.split("token=", 1)[1].split()[0]


async def test_contact_data_validation_reports_every_field(db, settings) -> None:
    customer = await make_customer(settings)
    bad = ContactDataInput(
        phone="12345",
        postal_code="1-234",
        street="x" * 121,
        city="y" * 81,
        language="de",
        email="not-an-address",
    )
    with pytest.raises(ValidationErrors) as caught:
        await contact_data.update_contact_data(settings, customer.id, bad, meta=make_meta())
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("phone", ErrorCode.INVALID_PHONE),
        ("postal_code", ErrorCode.INVALID_POSTAL_CODE),
        ("street", ErrorCode.TOO_LONG),
        ("city", ErrorCode.TOO_LONG),
        ("language", ErrorCode.INVALID),
        ("email", ErrorCode.INVALID_EMAIL),
    }
    unchanged = await Customer.get(id=customer.id)
    assert unchanged.phone is None and unchanged.postal_code == ""


async def test_contact_data_saved_normalised_with_audit(db, settings) -> None:
    customer = await make_customer(settings)
    result = await contact_data.update_contact_data(
        settings,
        customer.id,
        ContactDataInput(
            phone="+48 601-234-567",
            street="  ul.  Długa 5 ",
            postal_code="00950",
            city="Warszawa",
            consent_sms=True,
            language="EN",
        ),
        meta=make_meta(ip="203.0.113.5"),
    )
    saved = await Customer.get(id=customer.id)
    assert (saved.phone, saved.street, saved.postal_code, saved.city) == (
        "601234567",
        "ul. Długa 5",
        "00-950",
        "Warszawa",
    )
    assert saved.consent_sms and not saved.consent_email and saved.language is Language.EN
    assert result.pending_email is None
    event = await AuditEvent.get(kind=AuditKind.CONTACT_DATA_CHANGED)
    assert event.details["fields"] == [
        "city", "consent_sms", "language", "phone", "postal_code", "street"
    ]  # fmt: skip
    # the same data again changes nothing and records nothing
    await contact_data.update_contact_data(
        settings, customer.id, ContactDataInput(city="Warszawa"), meta=make_meta()
    )
    assert await AuditEvent.filter(kind=AuditKind.CONTACT_DATA_CHANGED).count() == 1
    for phone in ("0048 601 234 567", "601234567", "(601) 234 567"):
        await contact_data.update_contact_data(
            settings, customer.id, ContactDataInput(phone=phone), meta=make_meta()
        )
        assert (await Customer.get(id=customer.id)).phone == "601234567"
    await contact_data.update_contact_data(
        settings, customer.id, ContactDataInput(phone=" "), meta=make_meta()
    )
    assert (await Customer.get(id=customer.id)).phone is None


async def test_new_email_applies_only_after_confirmation(db, settings) -> None:
    customer = await make_customer(settings, email="old@example.com")
    await make_account(customer)
    result = await contact_data.update_contact_data(
        settings, customer.id, ContactDataInput(email=" New@Example.COM "), meta=make_meta()
    )
    assert result.pending_email == "new@example.com"
    assert (await Customer.get(id=customer.id)).email == "old@example.com"
    await emails.drain()
    mail = await OutboxMessage.get(to="new@example.com")
    token = _link_token(mail)
    assert "http://testserver/confirm-contact-email?token=" in mail.text
    assert await AccountToken.filter(email="new@example.com", used_at__isnull=True).count() == 1
    with pytest.raises(DomainError) as caught:
        await contact_data.confirm_contact_email(settings, token[:-2] + "xx", meta=make_meta())
    assert caught.value.code is ErrorCode.TOKEN_INVALID
    confirmed = await contact_data.confirm_contact_email(settings, token, meta=make_meta())
    assert confirmed.email == "new@example.com"
    with pytest.raises(DomainError) as caught:
        await contact_data.confirm_contact_email(settings, token, meta=make_meta())  # single use
    assert caught.value.code is ErrorCode.TOKEN_INVALID
    kinds = await AuditEvent.filter(customer_id=customer.id).values_list("kind", flat=True)
    assert AuditKind.EMAIL_CHANGE_REQUESTED in kinds and AuditKind.EMAIL_CHANGED in kinds


async def test_email_link_expires_and_newer_request_replaces_older(db, settings) -> None:
    customer = await make_customer(settings, email="old@example.com")
    await make_account(customer)
    await contact_data.update_contact_data(
        settings, customer.id, ContactDataInput(email="a@example.com"), meta=make_meta()
    )
    await contact_data.update_contact_data(
        settings, customer.id, ContactDataInput(email="b@example.com"), meta=make_meta()
    )
    await emails.drain()
    first = _link_token(await OutboxMessage.get(to="a@example.com"))
    second = _link_token(await OutboxMessage.get(to="b@example.com"))
    with pytest.raises(DomainError) as caught:
        await contact_data.confirm_contact_email(settings, first, meta=make_meta())
    assert caught.value.code is ErrorCode.TOKEN_INVALID
    clock.advance(hours=25)
    with pytest.raises(DomainError) as caught:
        await contact_data.confirm_contact_email(settings, second, meta=make_meta())
    assert caught.value.code is ErrorCode.TOKEN_EXPIRED
    assert (await Customer.get(id=customer.id)).email == "old@example.com"


async def test_contact_request_limits_and_confirmation(db, settings) -> None:
    customer = await make_customer(settings)
    send = functools.partial(contact.send_contact_request, meta=make_meta())
    with pytest.raises(ValidationErrors) as caught:
        await send(settings, customer.id, topic="weather", subject="  ", body="\n \t")
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("topic", ErrorCode.INVALID),
        ("subject", ErrorCode.REQUIRED),
        ("body", ErrorCode.REQUIRED),
    }
    with pytest.raises(ValidationErrors) as caught:
        await send(settings, customer.id, topic="billing", subject="s" * 151, body="b" * 5001)
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("subject", ErrorCode.TOO_LONG),
        ("body", ErrorCode.TOO_LONG),
    }
    request = await send(
        settings,
        customer.id,
        topic="TECHNICAL",
        subject="s" * 150,
        body=" Brak sygnału " + "b" * 4980,
    )
    assert request.body.startswith("Brak sygnału") and len(request.subject) == 150
    note = await Message.get(customer_id=customer.id)
    assert str(request.id) in note.subject and note.category is MessageCategory.SERVICE
    await emails.drain()
    assert await OutboxMessage.filter(to=customer.email).count() == 1
    results = await asyncio.gather(
        *(send(settings, customer.id, topic="other", subject="x", body="y") for _ in range(6)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, ContactRequest) for r in results) == 4  # 5 an hour in all
    limited = [r for r in results if isinstance(r, DomainError)]
    assert limited and limited[0].code is ErrorCode.RATE_LIMITED
    clock.advance(hours=1, seconds=1)
    await send(settings, customer.id, topic="other", subject="x", body="y")


async def test_mark_message_read(db, settings) -> None:
    customer = await make_customer(settings)
    stranger = await make_customer(settings)
    own = await make_message(customer, category=MessageCategory.BILLING)
    broadcast = await make_message(None, subject="all")
    theirs = await make_message(stranger, category=MessageCategory.BILLING)
    future = await make_message(None, subject="later", published_at=now() + timedelta(days=1))
    for hidden in (theirs, future):
        with pytest.raises(DomainError) as caught:
            await contact.mark_message_read(customer.id, hidden.id)
        assert (caught.value.code, caught.value.field) == (ErrorCode.NOT_FOUND, "message_id")
    _, first = await contact.mark_message_read(customer.id, own.id)
    clock.advance(minutes=5)
    _, again = await contact.mark_message_read(customer.id, own.id)
    assert again.id == first.id and again.read_at == first.read_at
    reads = await asyncio.gather(
        *(contact.mark_message_read(customer.id, broadcast.id) for _ in range(5)),
        contact.mark_message_read(stranger.id, broadcast.id),
    )
    assert len({r.id for _, r in reads[:5]}) == 1
    assert await MessageRead.filter(message=broadcast).count() == 2
