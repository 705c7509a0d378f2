"""register(input): validation of every field, matching the customer, no enumeration, the mail."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from backend.clock import now
from backend.models import Account, AuditEvent
from backend.models.enums import AuditKind, ServiceKind
from backend.services import emails, mailer
from backend.services.identifiers import pesel_checksum
from backend.services.mailer import Mail
from backend.services.passwords import BCRYPT_ROUNDS
from backend.services.registration import REGISTER_PER_IP
from tests.api.account_helpers import (
    CAPTCHA,
    answer,
    codes,
    login,
    register,
    registration,
    solve_captcha,
)
from tests.factories import OTHER_STRONG_PASSWORD, STRONG_PASSWORD, make_person, solve_proof
from tests.spies import record_bcrypt

EN = {"Accept-Language": "en"}


@pytest.fixture
def settings(settings, mailbox):
    # not the default version: registration records the terms the operator set
    return settings.with_overrides(mail_url=mailbox.url, terms_version="2027-02")


def _with_checksum(head: str) -> str:
    return head + str(pesel_checksum(head))


async def test_empty_form_reports_every_field_at_once(gql) -> None:
    payload = await register(
        gql,
        {
            "identifier": "",
            "pesel": "",
            "email": "",
            "emailConfirmation": "",
            "password": "",
            "captchaId": "",
            "captchaAnswer": "",
            "acceptTerms": False,
        },
    )
    assert payload["ok"] is False
    assert codes(payload) == {
        "identifier": "REQUIRED",
        "pesel": "REQUIRED",
        "email": "REQUIRED",
        "emailConfirmation": "REQUIRED",
        "password": "REQUIRED",
        "acceptTerms": "TERMS_NOT_ACCEPTED",
        "captchaAnswer": "CAPTCHA_INVALID",
    }
    assert all(e["message"] for e in payload["errors"])
    assert await Account.all().count() == 0


async def test_messages_follow_the_request_language(gql, settings) -> None:
    person = await make_person(settings)
    bad = registration(person, acceptTerms=False)
    pl = await register(gql, bad)
    en = await register(gql, bad, headers=EN)
    x_header = await register(gql, bad, headers={**EN, "X-Icok-Language": "pl"})
    assert pl["errors"][0]["message"] == "Zaakceptuj regulamin, aby założyć konto."
    assert en["errors"][0]["message"] == "Accept the terms of service to create an account."
    assert x_header["errors"][0]["message"] == pl["errors"][0]["message"]


@pytest.mark.parametrize(
    "pesel",
    [
        "8501011234",  # 10 digits
        "850101123456",  # 12 digits
        "8501O112345",  # a letter O
        "85010112346",  # wrong checksum
        _with_checksum("8502301234"),  # 30 February, checksum right
        _with_checksum("8513011234"),  # month 13
        _with_checksum("8501321234"),  # day 32
        _with_checksum("9962011234"),  # 2199: month 62 is year 22xx, born in the future
    ],
)
async def test_invalid_pesel(gql, settings, pesel) -> None:
    person = await make_person(settings)
    payload = await register(gql, registration(person, pesel=pesel))
    assert codes(payload) == {"pesel": "INVALID_PESEL"}


@pytest.mark.parametrize(
    "identifier",
    ["12345678901", "1234567890123", "1234 5678 901X", "abc", "+48 012 345 678", "9" * 40],
)
async def test_invalid_identifier(gql, settings, identifier) -> None:
    person = await make_person(settings)
    payload = await register(gql, registration(person, identifier=identifier))
    assert codes(payload) == {"identifier": "INVALID_IDENTIFIER"}


@pytest.mark.parametrize(
    "typed",
    ["+48 {a}-{b}-{c}", "0048 {a} {b} {c}", "({a}) {b} {c}", "48{a}{b}{c}", " {a}-{b}{c} "],
)
async def test_phone_numbers_in_odd_formats(gql, settings, mailbox, typed) -> None:
    person = await make_person(settings, kind=ServiceKind.MOBILE_TV)
    national = person.service.identifier
    identifier = typed.format(a=national[:3], b=national[3:6], c=national[6:])
    payload = await register(gql, registration(person, identifier=identifier))
    assert payload == {"ok": True, "errors": []}
    assert await Account.exists(customer_id=person.customer.id)


async def test_card_number_with_spaces_and_dashes(gql, settings) -> None:
    person = await make_person(settings)
    card = person.service.identifier
    spaced = f"{card[:4]} {card[4:8]}-{card[8:]}"
    assert (await register(gql, registration(person, identifier=spaced)))["ok"] is True


async def test_identifier_and_pesel_of_two_customers(gql, settings) -> None:
    alice = await make_person(settings)
    bob = await make_person(settings)
    payload = await register(gql, registration(alice, pesel=bob.pesel), headers=EN)
    assert payload["errors"] == [
        {
            "field": "identifier",
            "code": "CUSTOMER_NOT_MATCHED",
            "message": "We could not find a customer with this service number and PESEL.",
        }
    ]
    unknown = await register(gql, registration(alice, identifier="999999999999"))
    assert codes(unknown) == {"identifier": "CUSTOMER_NOT_MATCHED"}
    assert await Account.all().count() == 0


async def test_emails_must_match_and_be_valid(gql, settings) -> None:
    person = await make_person(settings)
    mismatch = await register(gql, registration(person, emailConfirmation="other@example.com"))
    assert codes(mismatch) == {"emailConfirmation": "EMAILS_DO_NOT_MATCH"}
    invalid = await register(
        gql, registration(person, email="jan@", emailConfirmation="jan@@example.com")
    )
    assert codes(invalid) == {"email": "INVALID_EMAIL", "emailConfirmation": "INVALID_EMAIL"}
    too_long = "a" * 250 + "@example.com"
    long_payload = await register(
        gql, registration(person, email=too_long, emailConfirmation=too_long)
    )
    assert codes(long_payload) == {"email": "TOO_LONG", "emailConfirmation": "TOO_LONG"}


async def test_emails_are_normalised(gql, settings, mailbox) -> None:
    person = await make_person(settings)
    typed = "  Jan.Kowalski@Example.COM "
    payload = await register(
        gql, registration(person, email=typed, emailConfirmation="jan.kowalski@example.com")
    )
    assert payload["ok"] is True
    account = await Account.get(customer_id=person.customer.id)
    assert account.email == "jan.kowalski@example.com"
    await mailbox.receive("jan.kowalski@example.com")


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Kr0tk!e", "PASSWORD_TOO_SHORT"),
        ("password", "PASSWORD_TOO_WEAK"),
        ("1234567890", "PASSWORD_TOO_WEAK"),
        ("x" * 1025, "PASSWORD_TOO_LONG"),
    ],
)
async def test_password_policy(gql, settings, password, code) -> None:
    person = await make_person(settings)
    payload = await register(gql, registration(person, password=password))
    assert codes(payload) == {"password": code}


async def test_password_with_personal_data(gql, settings) -> None:
    person = await make_person(settings)
    card = person.service.identifier
    with_card = await register(gql, registration(person, password=f"Moja karta {card} !"))
    assert codes(with_card) == {"password": "PASSWORD_CONTAINS_PERSONAL_DATA"}
    local = person.email.split("@")[0]
    with_email = await register(gql, registration(person, password=f"{local}-Zima-2031!"))
    assert codes(with_email) == {"password": "PASSWORD_CONTAINS_PERSONAL_DATA"}


async def test_weak_password_message_carries_the_hint(gql, settings) -> None:
    person = await make_person(settings)
    payload = await register(gql, registration(person, password="password"), headers=EN)
    [error] = payload["errors"]
    assert error["message"].startswith("The password is too weak. ")
    assert "common password" in error["message"]


async def test_long_passwords_work(gql, settings, mailbox) -> None:
    """Over 72 bytes (bcrypt's limit) and 500 characters: accepted and usable for logging in."""
    for password in [
        "Żółta łódź płynie przez źródło ćmy, a gęś śpiewa o świcie!",  # 58 characters, 73 bytes
        " ".join(f"kanarek{i} sernik{i * 7} rower{i * 3}" for i in range(25))[:500],
    ]:
        assert len(password.encode()) > 72
        person = await make_person(settings)
        payload = await register(gql, registration(person, password=password))
        assert payload == {"ok": True, "errors": []}
        # confirmation itself is tested in test_confirmation.py
        await Account.filter(customer_id=person.customer.id).update(email_confirmed_at=now())
        assert (await login(gql, person.email, password))["errors"] == []
        assert codes(await login(gql, person.email, password[:-1])) == {None: "INVALID_CREDENTIALS"}


async def test_terms_must_be_accepted(gql, settings) -> None:
    person = await make_person(settings)
    payload = await register(gql, registration(person, acceptTerms=False))
    assert codes(payload) == {"acceptTerms": "TERMS_NOT_ACCEPTED"}


async def test_field_errors_and_captcha_error_together(gql, settings) -> None:
    person = await make_person(settings)
    captcha = (await gql(CAPTCHA))["captcha"]
    wrong = str(int(answer(captcha["question"])) + 1)
    payload = await register(
        gql,
        registration(
            person,
            pesel="12345678901",
            acceptTerms=False,
            captchaId=captcha["id"],
            captchaAnswer=wrong,
            captchaProof=solve_proof(captcha["proofChallenge"]),
        ),
    )
    assert codes(payload) == {
        "pesel": "INVALID_PESEL",
        "acceptTerms": "TERMS_NOT_ACCEPTED",
        "captchaAnswer": "CAPTCHA_INVALID",
    }


async def test_successful_registration(gql, settings, mailbox) -> None:
    person = await make_person(settings)
    payload = await register(gql, registration(person))
    assert payload == {"ok": True, "errors": []}
    account = await Account.get(customer_id=person.customer.id)
    assert account.email == person.email
    assert account.email_confirmed_at is None
    assert account.terms_version == "2027-02" and account.terms_accepted_at is not None
    assert account.password_hash.startswith("$2b$12$")
    assert STRONG_PASSWORD not in account.password_hash
    message = await mailbox.receive(person.email)
    assert message["Subject"] == "ICOK: potwierdź adres e-mail"
    token = mailbox.link(message, f"{settings.base_url}/confirm-email")
    assert len(token) >= 40
    assert f"/confirm-email?token={token}" in mailbox.html(message)
    event = await AuditEvent.get(kind=AuditKind.ACCOUNT_REGISTERED)
    assert event.customer_id == person.customer.id
    assert event.details["terms_version"] == "2027-02"
    assert event.ip == "127.0.0.1"


async def test_confirmation_mail_in_the_customers_language(gql, settings, mailbox) -> None:
    person = await make_person(settings, language="en")
    assert (await register(gql, registration(person)))["ok"] is True
    message = await mailbox.receive(person.email)
    assert message["Subject"] == "ICOK: confirm your e-mail address"
    assert "valid for 24 hours" in mailbox.text(message)


async def test_double_registration_answers_like_success(gql, settings, mailbox) -> None:
    person = await make_person(settings)
    first = await register(gql, registration(person))
    await mailbox.receive(person.email)
    account = await Account.get(customer_id=person.customer.id)
    other_email = "someone.else@example.com"
    second = await register(
        gql,
        registration(
            person, email=other_email, emailConfirmation=other_email, password=OTHER_STRONG_PASSWORD
        ),
    )
    assert second == first == {"ok": True, "errors": []}
    # nothing changed, the existing address got a notice, the new address got nothing
    assert await Account.filter(customer_id=person.customer.id).count() == 1
    assert (await Account.get(id=account.id)).password_hash == account.password_hash
    notice = await mailbox.receive(person.email, count=2)
    assert notice["Subject"] == "ICOK: próba ponownej rejestracji"
    assert "/confirm-email" not in mailbox.text(notice)
    assert mailbox.messages(other_email) == []
    assert await AuditEvent.filter(kind=AuditKind.REGISTRATION_REPEATED).count() == 1


async def test_email_of_another_account_answers_like_success(gql, settings, mailbox) -> None:
    alice = await make_person(settings)
    bob = await make_person(settings, language="en")
    assert (await register(gql, registration(bob)))["ok"] is True
    payload = await register(gql, registration(alice, email=bob.email, emailConfirmation=bob.email))
    assert payload == {"ok": True, "errors": []}
    assert not await Account.exists(customer_id=alice.customer.id)
    notice = await mailbox.receive(bob.email, count=2)
    assert notice["Subject"] == "ICOK: repeated registration"


async def test_concurrent_registrations_create_one_account(gql, settings, mailbox) -> None:
    person = await make_person(settings)
    captchas = [await solve_captcha(gql) for _ in range(3)]
    results = await asyncio.gather(
        *[register(gql, {**registration(person), **c}) for c in captchas]
    )
    assert all(r == {"ok": True, "errors": []} for r in results)
    assert await Account.filter(customer_id=person.customer.id).count() == 1


async def test_registrations_are_rate_limited_per_address(gql, settings) -> None:
    person = await make_person(settings)
    bad = registration(person, acceptTerms=False, captchaId="x", captchaAnswer="1")
    for _ in range(REGISTER_PER_IP):
        assert "RATE_LIMITED" not in codes(await register(gql, bad)).values()
    payload = await register(gql, registration(person))
    assert codes(payload) == {None: "RATE_LIMITED"}
    assert not await Account.exists(customer_id=person.customer.id)


async def test_existing_account_does_the_same_work(gql, settings, monkeypatch) -> None:
    """Both outcomes hash the password once (bcrypt at the production cost, off the event loop),
    send one e-mail in the background (the answer comes while the mail server is still held) and
    give the same answer, so they take the same time (``bench/login_timing.py`` prints the
    measured existing/new ratio)."""
    registered = await make_person(settings)
    assert (await register(gql, registration(registered)))["ok"] is True
    await emails.drain()
    calls = record_bcrypt(monkeypatch)
    loop_thread = threading.get_ident()
    mail_server = asyncio.Event()
    sent: list[str] = []

    async def held_send(settings: Any, mail: Mail) -> None:
        await mail_server.wait()
        sent.append(mail.to)

    monkeypatch.setattr(mailer, "send", held_send)
    for person in (await make_person(settings), registered):
        data = {**registration(person), **await solve_captcha(gql)}
        calls.clear()
        mail_server.clear()
        sent.clear()
        answer_ = await asyncio.wait_for(register(gql, data), 30)  # the mail is still held
        assert answer_ == {"ok": True, "errors": []}
        assert sent == []
        mail_server.set()
        await emails.drain()
        assert sent == [person.email]
        assert [(c.operation, c.cost) for c in calls] == [("hashpw", BCRYPT_ROUNDS)]
        assert calls[0].thread != loop_thread


async def test_registration_needs_the_captchas_proof_of_work(gql, settings) -> None:
    person = await make_person(settings)
    captcha = (await gql(CAPTCHA))["captcha"]
    data = registration(person, captchaId=captcha["id"], captchaAnswer=answer(captcha["question"]))
    payload = await register(gql, data)
    assert codes(payload) == {"captchaProof": "CAPTCHA_PROOF_REQUIRED"}
    other = (await gql(CAPTCHA))["captcha"]
    data["captchaProof"] = solve_proof(other["proofChallenge"])
    assert codes(await register(gql, data)) == {"captchaProof": "CAPTCHA_PROOF_INVALID"}
    assert await Account.all().count() == 0
