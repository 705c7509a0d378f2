"""updateContactData / confirmContactEmail through the app, with mail read from a real SMTP server."""

from __future__ import annotations

import pytest

from backend.models import Customer
from tests.factories import login_as, make_customer

UPDATE = """
mutation($input: UpdateContactDataInput!) {
  updateContactData(input: $input) {
    profile { email phone phoneFormatted address { street postalCode city } consents { email sms phone } language }
    pendingEmail
    errors { field code message }
  }
}"""
CONFIRM = """
mutation($input: ConfirmContactEmailInput!) {
  confirmContactEmail(input: $input) { ok errors { field code message } }
}"""


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


async def test_update_and_validation(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    bad = await gql(
        UPDATE, {"input": {"phone": "+48 12", "postalCode": "00950x", "street": "s" * 121}}
    )
    payload = bad["updateContactData"]
    assert payload["profile"] is None
    assert {(e["field"], e["code"]) for e in payload["errors"]} == {
        ("phone", "INVALID_PHONE"),
        ("postalCode", "INVALID_POSTAL_CODE"),
        ("street", "TOO_LONG"),
    }
    good = await gql(
        UPDATE,
        {
            "input": {
                "phone": "0048 601 234 567",
                "postalCode": "00-950",
                "city": "Kraków",
                "consentEmail": True,
                "language": "EN",
            }
        },
    )
    profile = good["updateContactData"]["profile"]
    assert profile["phone"] == "601234567" and profile["phoneFormatted"] == "+48 601 234 567"
    assert profile["address"]["postalCode"] == "00-950" and profile["address"]["city"] == "Kraków"
    assert profile["consents"] == {"email": True, "sms": False, "phone": False}
    assert profile["language"] == "EN"


async def test_email_change_needs_the_link(gql, client, settings, mailbox) -> None:
    customer = await make_customer(settings, email="stary@example.com")
    await login_as(client, settings, customer)
    data = (await gql(UPDATE, {"input": {"email": "Nowy@Example.com"}}))["updateContactData"]
    assert data["errors"] == [] and data["pendingEmail"] == "nowy@example.com"
    assert data["profile"]["email"] == "stary@example.com"
    message = await mailbox.receive("nowy@example.com")
    token = mailbox.link(message, "/confirm-contact-email")
    assert not mailbox.messages("stary@example.com")
    wrong = (await gql(CONFIRM, {"input": {"token": "x" * 43}}))["confirmContactEmail"]
    assert wrong == {
        "ok": False,
        "errors": [
            {
                "field": "token",
                "code": "TOKEN_INVALID",
                "message": "Link jest nieprawidłowy albo został już użyty.",
            }
        ],
    }
    client.cookies.clear()  # the link works in any browser, logged in or not
    assert (await gql(CONFIRM, {"input": {"token": token}}))["confirmContactEmail"]["ok"] is True
    assert (await Customer.get(id=customer.id)).email == "nowy@example.com"
    replay = (await gql(CONFIRM, {"input": {"token": token}}))["confirmContactEmail"]
    assert replay["errors"][0]["code"] == "TOKEN_INVALID"


async def test_logged_out_cannot_update(gql, settings) -> None:
    body = await gql(UPDATE, {"input": {"city": "Gdańsk"}}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
