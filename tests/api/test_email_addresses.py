"""E-mail addresses in every field: internationalised domains in one canonical form, malformed
local parts and control characters refused as ``INVALID_EMAIL``, nothing stored (issue 11,
items 8 and 9). The bodies go through ``json.dumps`` so a NUL travels as ``\\u0000``, as a client
would send it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.models import Account, AccountToken, Customer, OutboxMessage
from tests.api.account_helpers import (
    CONFIRM,
    LOGIN,
    REGISTER,
    RESEND,
    RESET_REQUEST,
    registration,
    solve_captcha,
    with_captcha,
)
from tests.api.account_helpers import post_json as post
from tests.factories import STRONG_PASSWORD, login_as, make_customer, make_person

UNICODE = "jan.nowak@żółw.pl"
PUNYCODE = "jan.nowak@xn--w-uga1v8h.pl"
MALFORMED = ["jan..kowalski@example.com", ".jan@example.com", "jan.@example.com"]
CONTROL = ["jan\x00@example.com", "jan@example.com\x00", "jan\x07@example.com", "\x00"]

UPDATE = """
mutation($email: String!) {
  updateContactData(input: {email: $email}) { pendingEmail errors { field code } }
}"""


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


def codes(payload: dict[str, Any]) -> dict[str | None, str]:
    return {e["field"]: e["code"] for e in payload["errors"]}


async def _login(client: httpx.AsyncClient, gql: Any, login: str) -> dict[str, Any]:
    data = {"login": login, "password": STRONG_PASSWORD, **await solve_captcha(gql)}
    return (await post(client, LOGIN, {"input": data}))["login"]


async def _register(client: httpx.AsyncClient, gql: Any, data: dict[str, Any]) -> Any:
    data = {**data, **await solve_captcha(gql)}
    return (await post(client, REGISTER, {"input": data}))["register"]


async def test_an_internationalised_domain_is_one_address_in_either_form(
    client, gql, settings, mailbox
) -> None:
    person = await make_person(settings)
    typed = registration(person, email="Jan.Nowak@ŻÓŁW.pl", emailConfirmation=PUNYCODE)
    assert await _register(client, gql, typed) == {"ok": True, "errors": []}
    account = await Account.get(customer_id=person.customer.id)
    assert account.email == UNICODE  # the canonical form: lower case, the domain in Unicode
    # the mail travels to the ASCII form of the domain (SMTP without SMTPUTF8)
    message = await mailbox.receive(PUNYCODE)
    assert message["To"] == PUNYCODE
    token = mailbox.link(message, "/confirm-email")
    assert (await gql(CONFIRM, {"token": token}))["confirmEmail"]["ok"] is True
    for form in (UNICODE, PUNYCODE, "JAN.NOWAK@XN--W-UGA1V8H.PL", "jan.nowak@Żółw.PL"):
        payload = await _login(client, gql, form)
        assert payload["errors"] == [], form
        assert payload["viewer"]["customerNumber"] == person.customer.number
    # the other address fields find the same account through either form
    assert (await post(client, RESET_REQUEST, await with_captcha(gql, email=PUNYCODE)))[
        "requestPasswordReset"
    ]["ok"]
    await mailbox.receive(PUNYCODE, count=2)


async def test_the_same_address_in_the_other_form_is_already_taken(
    client, gql, settings, mailbox
) -> None:
    first = await make_person(settings)
    second = await make_person(settings)
    data = registration(first, email=UNICODE, emailConfirmation=UNICODE)
    assert (await _register(client, gql, data))["ok"] is True
    again = registration(second, email=PUNYCODE, emailConfirmation=PUNYCODE)
    assert (await _register(client, gql, again))["ok"] is True  # the neutral answer
    assert await Account.filter(customer_id=second.customer.id).count() == 0
    assert await Account.all().values_list("email", flat=True) == [UNICODE]


@pytest.mark.parametrize("bad", MALFORMED + CONTROL)
async def test_every_email_field_refuses_malformed_addresses(
    client, gql, settings, bad: str
) -> None:
    person = await make_person(settings)
    registered = await _register(client, gql, registration(person, email=bad))
    assert codes(registered) == {"email": "INVALID_EMAIL"}
    confirmed = await _register(client, gql, registration(person, emailConfirmation=bad))
    assert codes(confirmed) == {"emailConfirmation": "INVALID_EMAIL"}
    assert codes(await _login(client, gql, bad)) == {"login": "INVALID_EMAIL"}
    reset = (await post(client, RESET_REQUEST, await with_captcha(gql, email=bad)))[
        "requestPasswordReset"
    ]
    assert codes(reset) == {"email": "INVALID_EMAIL"}
    resend = (await post(client, RESEND, await with_captcha(gql, email=bad)))["resendConfirmation"]
    assert codes(resend) == {"email": "INVALID_EMAIL"}
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    updated = (await post(client, UPDATE, {"email": bad}))["updateContactData"]
    assert updated == {
        "pendingEmail": None,
        "errors": [{"field": "email", "code": "INVALID_EMAIL"}],
    }
    # nothing was stored or sent
    assert await Account.all().count() == 1  # login_as's own account
    assert await AccountToken.all().count() == 0
    assert await OutboxMessage.all().count() == 0
    assert (await Customer.get(id=customer.id)).email == customer.email
