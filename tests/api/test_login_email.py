"""viewer.loginEmail, requestLoginEmailChange and confirmLoginEmail through the app, with mail
read from a real SMTP server."""

from __future__ import annotations

import pytest

from backend.clock import clock
from backend.models import Account, AccountToken, AuditEvent
from backend.models.enums import AuditKind, TokenPurpose
from backend.services.login_email import REQUESTS_PER_HOUR
from tests.api.account_helpers import VIEWER, codes, login
from tests.factories import OTHER_STRONG_PASSWORD, STRONG_PASSWORD, make_user

LOGIN_EMAIL = "{ viewer { loginEmail { email pendingEmail } } }"
REQUEST = """
mutation($input: RequestLoginEmailChangeInput!) {
  requestLoginEmailChange(input: $input) { pendingEmail errors { field code message } }
}"""
CONFIRM = """
mutation($token: String!) {
  confirmLoginEmail(input: {token: $token}) { email errors { field code message } }
}"""
EN = {"Accept-Language": "en"}


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


async def _request(gql, email: str, password: str = STRONG_PASSWORD, **kwargs) -> dict:
    variables = {"input": {"email": email, "currentPassword": password}}
    return (await gql(REQUEST, variables, **kwargs))["requestLoginEmailChange"]


async def _confirm(gql, token: str, **kwargs) -> dict:
    return (await gql(CONFIRM, {"token": token}, **kwargs))["confirmLoginEmail"]


async def _shown(gql) -> dict:
    return (await gql(LOGIN_EMAIL))["viewer"]["loginEmail"]


async def test_needs_a_login(gql) -> None:
    body = await gql(
        REQUEST, {"input": {"email": "a@example.com", "currentPassword": "x"}}, expect_errors=True
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert (await gql(LOGIN_EMAIL))["viewer"] is None


async def test_bad_requests_change_nothing(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    assert await _shown(gql) == {"email": person.email, "pendingEmail": None}
    assert codes(await _request(gql, "nowy@example.com", "")) == {"currentPassword": "REQUIRED"}
    wrong = await _request(gql, "nowy@example.com", "Not-My-Password-1", headers=EN)
    assert wrong == {
        "pendingEmail": None,
        "errors": [
            {
                "field": "currentPassword",
                "code": "WRONG_PASSWORD",
                "message": "The current password is wrong.",
            }
        ],
    }
    assert codes(await _request(gql, "")) == {"email": "REQUIRED"}
    for malformed in ("nowy@@example.com", "jan..nowy@example.com", "bad\x00@example.com"):
        assert codes(await _request(gql, malformed)) == {"email": "INVALID_EMAIL"}, malformed
    # The current login again: its own code and message, in both languages.
    same = await _request(gql, f" {person.email.upper()} ")
    assert same["errors"] == [
        {
            "field": "email",
            "code": "EMAIL_UNCHANGED",
            "message": "To jest już Twój adres logowania.",
        }
    ]
    same_en = await _request(gql, person.email, headers=EN)
    assert same_en["errors"][0]["message"] == "This is already your login e-mail."
    await mailbox.settle()
    assert mailbox.messages() == []
    assert not await AccountToken.exists(purpose=TokenPurpose.CHANGE_LOGIN)
    assert await _shown(gql) == {"email": person.email, "pendingEmail": None}


async def test_the_login_changes_when_the_link_is_opened(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    asked = await _request(gql, "  Nowy.Login@Example.COM ")
    assert asked == {"pendingEmail": "nowy.login@example.com", "errors": []}
    assert await _shown(gql) == {"email": person.email, "pendingEmail": "nowy.login@example.com"}
    # the current address is told at once (the new one masked), the new one gets the link
    notice = await mailbox.receive(person.email)
    assert notice["Subject"] == "ICOK: prośba o zmianę adresu logowania"
    assert "n***@example.com" in mailbox.text(notice)
    assert f"{settings.base_url}/security" in mailbox.text(notice)
    link = await mailbox.receive("nowy.login@example.com")
    assert link["Subject"] == "ICOK: potwierdź nowy adres logowania"
    token = mailbox.link(link, f"{settings.base_url}/confirm-login-email")
    # nothing changes before the link is opened
    assert (await login(gql, "nowy.login@example.com", STRONG_PASSWORD))["errors"]
    assert (await login(gql, person.email, STRONG_PASSWORD))["errors"] == []

    assert codes(await _confirm(gql, "x" * 43)) == {"token": "TOKEN_INVALID"}
    assert await _confirm(gql, token) == {"email": "nowy.login@example.com", "errors": []}
    assert codes(await _confirm(gql, token)) == {"token": "TOKEN_INVALID"}  # works once
    # this session goes on and shows the new login
    assert await _shown(gql) == {"email": "nowy.login@example.com", "pendingEmail": None}
    account = await Account.get(customer_id=person.customer.id)
    assert account.email == "nowy.login@example.com"
    assert account.email_confirmed_at == clock.now()
    assert codes(await login(gql, person.email, STRONG_PASSWORD)) == {None: "INVALID_CREDENTIALS"}
    assert (await login(gql, "NOWY.LOGIN@example.com", STRONG_PASSWORD))["errors"] == []
    done = await mailbox.receive(person.email, count=2)
    assert done["Subject"] == "ICOK: adres logowania został zmieniony"
    assert "n***@example.com" in mailbox.text(done)
    events = await AuditEvent.filter(customer_id=person.customer.id).order_by("id")
    kinds = [e.kind for e in events]
    assert AuditKind.LOGIN_CHANGE_REQUESTED in kinds
    changed = next(e for e in events if e.kind is AuditKind.LOGIN_CHANGED)
    assert changed.details == {
        "old": f"{person.email[0]}***@example.com",
        "new": "n***@example.com",
    }


async def test_an_internationalised_domain_is_stored_in_one_form(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    asked = await _request(gql, "Jan@ŻÓŁW.pl")
    assert asked == {"pendingEmail": "jan@żółw.pl", "errors": []}
    token = mailbox.link(await mailbox.receive("jan@xn--w-uga1v8h.pl"), "/confirm-login-email")
    assert (await _confirm(gql, token))["email"] == "jan@żółw.pl"
    assert (await login(gql, "jan@xn--w-uga1v8h.pl", STRONG_PASSWORD))["errors"] == []


async def test_the_link_expires(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    await _request(gql, "pozno@example.com")
    token = mailbox.link(await mailbox.receive("pozno@example.com"), "/confirm-login-email")
    clock.advance(hours=24, seconds=1)
    assert codes(await _confirm(gql, token)) == {"token": "TOKEN_EXPIRED"}
    assert (await Account.get(customer_id=person.customer.id)).email == person.email


async def test_a_taken_address_is_answered_alike_and_its_owner_told(gql, settings, mailbox) -> None:
    owner = await make_user(settings)
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    asked = await _request(gql, owner.email.upper())
    assert asked == {"pendingEmail": owner.email, "errors": []}
    assert await _shown(gql) == {"email": person.email, "pendingEmail": owner.email}
    told = await mailbox.receive(owner.email)
    assert told["Subject"] == "ICOK: próba użycia Twojego adresu e-mail"
    assert "/confirm-login-email" not in mailbox.text(told)
    assert len(mailbox.messages(owner.email)) == 1
    assert (await mailbox.receive(person.email))["Subject"] == (
        "ICOK: prośba o zmianę adresu logowania"
    )
    assert (await Account.get(customer_id=person.customer.id)).email == person.email


async def test_two_accounts_asking_for_one_address(gql, settings, mailbox) -> None:
    """Both links go out (the address was free); the second one opened is refused."""
    first = await make_user(settings)
    second = await make_user(settings)
    for person in (first, second):
        await login(gql, person.email, STRONG_PASSWORD)
        assert (await _request(gql, "wspolny@example.com"))["errors"] == []
    await mailbox.receive("wspolny@example.com", count=2)
    early, late = (
        mailbox.link(m, "/confirm-login-email") for m in mailbox.messages("wspolny@example.com")
    )
    assert (await _confirm(gql, late))["email"] == "wspolny@example.com"
    refused = await _confirm(gql, early, headers=EN)
    assert refused["errors"] == [
        {
            "field": "token",
            "code": "EMAIL_IN_USE",
            "message": "This e-mail address is already the login of another account.",
        }
    ]
    assert (await Account.get(customer_id=first.customer.id)).email == first.email
    assert (await Account.get(customer_id=second.customer.id)).email == "wspolny@example.com"
    assert (await gql(VIEWER))["viewer"] is not None


async def test_requests_are_limited(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    for n in range(REQUESTS_PER_HOUR):
        assert (await _request(gql, f"proba{n}@example.com"))["errors"] == []
    assert codes(await _request(gql, "jeszcze@example.com")) == {None: "RATE_LIMITED"}
    # a malformed address is refused first and costs nothing
    assert codes(await _request(gql, "jeszcze@")) == {"email": "INVALID_EMAIL"}
    # wrong passwords count as well: the limit is per account, not per success
    clock.advance(hours=1, seconds=1)
    await login(gql, person.email, STRONG_PASSWORD)  # the idle session has ended meanwhile
    for _ in range(REQUESTS_PER_HOUR):
        assert codes(await _request(gql, "x@example.com", "Guess-Number-1x")) == {
            "currentPassword": "WRONG_PASSWORD"
        }
    assert codes(await _request(gql, "x@example.com")) == {None: "RATE_LIMITED"}


CHANGE_PASSWORD = """
mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) { ok errors { code } }
}"""


async def test_a_new_password_cancels_a_waiting_change(gql, settings, mailbox) -> None:
    """The notice to the current address says "change your password": that must stop whoever
    asked for the change with a stolen password from opening the link."""
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    await _request(gql, "intruz@example.com")
    token = mailbox.link(await mailbox.receive("intruz@example.com"), "/confirm-login-email")
    changed = await gql(CHANGE_PASSWORD, {"current": STRONG_PASSWORD, "new": OTHER_STRONG_PASSWORD})
    assert changed["changePassword"]["ok"] is True
    assert await _shown(gql) == {"email": person.email, "pendingEmail": None}
    assert codes(await _confirm(gql, token)) == {"token": "TOKEN_INVALID"}
    assert (await Account.get(customer_id=person.customer.id)).email == person.email
