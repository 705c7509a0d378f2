"""Password strength meter, forgotten password (link by the real SMTP server), password change."""

from __future__ import annotations

import unicodedata

import bcrypt
import pytest

from backend.clock import clock
from backend.models import Account, AuditEvent
from backend.models.enums import AuditKind
from backend.services import passwords
from backend.services.password_reset import CHANGE_FAILURES, RESET_PER_EMAIL
from tests.api.account_helpers import (
    CONFIRM,
    VIEWER,
    codes,
    login,
    register,
    registration,
    request_reset,
    resend,
)
from tests.factories import (
    OTHER_STRONG_PASSWORD,
    STRONG_PASSWORD,
    Person,
    login_as,
    make_customer,
    make_person,
    make_service,
    make_user,
    next_pesel,
)

STRENGTH = """
query($p: String!, $e: String, $i: String, $pesel: String, $token: String) {
  passwordStrength(password: $p, email: $e, identifier: $i, pesel: $pesel, resetToken: $token) {
    score acceptable warning suggestions code message
  }
}"""
RESET = """
mutation($token: String!, $password: String!) {
  resetPassword(input: {token: $token, newPassword: $password}) {
    ok errors { field code message }
  }
}"""
CHANGE = """
mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    ok errors { field code message }
  }
}"""
EN = {"Accept-Language": "en"}


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


async def _strength(
    gql, password, email=None, identifier=None, pesel=None, token=None, **kwargs
) -> dict:
    variables = {"p": password, "e": email, "i": identifier, "pesel": pesel, "token": token}
    return (await gql(STRENGTH, variables, **kwargs))["passwordStrength"]


async def _reset_link(gql, mailbox, email: str, count: int = 1) -> str:
    assert (await request_reset(gql, email))["ok"] is True
    return mailbox.link(await mailbox.receive(email, count=count), "/reset-password")


async def _reset(gql, token: str, password: str, **kwargs) -> dict:
    return (await gql(RESET, {"token": token, "password": password}, **kwargs))["resetPassword"]


async def _change(gql, current: str, new: str, **kwargs) -> dict:
    return (await gql(CHANGE, {"current": current, "new": new}, **kwargs))["changePassword"]


# --- strength meter -----------------------------------------------------------------------


async def test_strength_of_bad_passwords(gql) -> None:
    empty = await _strength(gql, "")
    assert empty["score"] == 0 and empty["code"] == "PASSWORD_TOO_SHORT"
    assert empty["message"] == "Hasło musi mieć co najmniej 8 znaków."
    common = await _strength(gql, "password")
    assert common == {
        "score": 0,
        "acceptable": False,
        "warning": "To jedno z 10 najpopularniejszych haseł.",
        "suggestions": ["Dodaj jedno lub dwa słowa. Lepsze są słowa nietypowe."],
        "code": "PASSWORD_TOO_WEAK",
        "message": (
            "Hasło jest za słabe. To jedno z 10 najpopularniejszych haseł. "
            "Dodaj jedno lub dwa słowa. Lepsze są słowa nietypowe."
        ),
    }
    english = await _strength(gql, "password", headers=EN)
    assert english["warning"] == "This is a top-10 common password."
    too_long = await _strength(gql, "Ab1-" * 300)
    assert too_long["code"] == "PASSWORD_TOO_LONG" and not too_long["acceptable"]


async def test_strength_with_personal_data(gql) -> None:
    verdict = await _strength(
        gql, "Kowalski-Zima-2031!", email="jan.kowalski@example.com", identifier="600 100 200"
    )
    assert verdict["code"] == "PASSWORD_CONTAINS_PERSONAL_DATA" and not verdict["acceptable"]
    phone = await _strength(gql, "Moj numer 600-100-200 ok", identifier="+48 600 100 200")
    assert phone["code"] == "PASSWORD_CONTAINS_PERSONAL_DATA"


async def test_strength_of_good_passwords(gql) -> None:
    good = await _strength(gql, STRONG_PASSWORD)
    assert good["acceptable"] and good["score"] >= 3 and good["code"] is None
    assert good["message"] is None
    passphrase = " ".join(f"kanarek{i} sernik{i * 7} rower{i * 3}" for i in range(25))[:500]
    assert (await _strength(gql, passphrase))["acceptable"]


# --- forgotten password -------------------------------------------------------------------


async def test_request_bad_input(gql) -> None:
    assert codes(await request_reset(gql, "")) == {"email": "REQUIRED"}
    assert codes(await request_reset(gql, "jan@@x")) == {"email": "INVALID_EMAIL"}


async def test_longest_addresses(gql, settings) -> None:
    """254 characters, the most an address may have, also as a rate-limit key (PostgreSQL)."""
    longest = "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 61])
    assert len(longest) == 254
    payload = await request_reset(gql, longest)
    assert payload == {"ok": True, "errors": []}
    assert (await resend(gql, longest))["ok"] is True


async def test_request_does_not_enumerate(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    unknown = await request_reset(gql, "nobody@example.com")
    known = await request_reset(gql, person.email)
    assert unknown == known == {"ok": True, "errors": []}
    message = await mailbox.receive(person.email)
    assert message["Subject"] == "ICOK: ustaw nowe hasło"
    assert f"{settings.base_url}/reset-password?token=" in mailbox.text(message)
    assert mailbox.messages("nobody@example.com") == []
    requests = await AuditEvent.filter(kind=AuditKind.PASSWORD_RESET_REQUESTED).order_by("id")
    assert [e.customer_id for e in requests] == [None, person.customer.id]


async def test_request_is_rate_limited(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    for _ in range(RESET_PER_EMAIL):
        assert (await request_reset(gql, person.email))["ok"]
    limited = await request_reset(gql, person.email)
    assert codes(limited) == {None: "RATE_LIMITED"}
    await mailbox.settle()
    assert len(mailbox.messages(person.email)) == RESET_PER_EMAIL


async def test_reset_ends_every_session(client, gql, settings, mailbox) -> None:
    person = await make_user(settings)
    phone = await login(gql, person.email, STRONG_PASSWORD, bearer=True)
    await login(gql, person.email, STRONG_PASSWORD)
    bearer = {"Authorization": f"Bearer {phone['token']}"}
    token = await _reset_link(gql, mailbox, person.email)
    assert await _reset(gql, token, OTHER_STRONG_PASSWORD) == {"ok": True, "errors": []}
    assert (await gql(VIEWER))["viewer"] is None
    assert (await gql(VIEWER, headers=bearer))["viewer"] is None
    assert codes(await login(gql, person.email, STRONG_PASSWORD)) == {None: "INVALID_CREDENTIALS"}
    assert (await login(gql, person.email, OTHER_STRONG_PASSWORD))["errors"] == []
    notice = await mailbox.receive(person.email, count=2)
    assert notice["Subject"] == "ICOK: hasło zostało zmienione"
    assert await AuditEvent.exists(kind=AuditKind.PASSWORD_RESET, customer_id=person.customer.id)


async def test_reused_and_replaced_reset_tokens(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    first = await _reset_link(gql, mailbox, person.email)
    second = await _reset_link(gql, mailbox, person.email, count=2)
    assert codes(await _reset(gql, first, OTHER_STRONG_PASSWORD)) == {"token": "TOKEN_INVALID"}
    assert (await _reset(gql, second, OTHER_STRONG_PASSWORD))["ok"] is True
    assert codes(await _reset(gql, second, "Trzecie-Haslo-Bardzo-Dlugie-9")) == {
        "token": "TOKEN_INVALID"
    }


async def test_expired_reset_token(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    token = await _reset_link(gql, mailbox, person.email)
    clock.advance(hours=1, seconds=1)
    payload = await _reset(gql, token, OTHER_STRONG_PASSWORD, headers=EN)
    assert payload["errors"] == [
        {
            "field": "token",
            "code": "TOKEN_EXPIRED",
            "message": "The link has expired. Ask for a new one.",
        }
    ]
    assert (await login(gql, person.email, STRONG_PASSWORD))["errors"] == []


async def test_malformed_reset_tokens(gql) -> None:
    assert codes(await _reset(gql, "", OTHER_STRONG_PASSWORD)) == {"token": "REQUIRED"}
    for bad in ["abc", "y" * 2000]:
        assert codes(await _reset(gql, bad, OTHER_STRONG_PASSWORD)) == {"token": "TOKEN_INVALID"}


async def test_weak_new_password_keeps_the_link_usable(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    token = await _reset_link(gql, mailbox, person.email)
    for weak, code in [
        ("", "REQUIRED"),
        ("short", "PASSWORD_TOO_SHORT"),
        ("password1", "PASSWORD_TOO_WEAK"),
        (f"{person.service.identifier}-Abc!", "PASSWORD_CONTAINS_PERSONAL_DATA"),
    ]:
        assert codes(await _reset(gql, token, weak)) == {"newPassword": code}, weak
    assert (await _reset(gql, token, OTHER_STRONG_PASSWORD))["ok"] is True


async def test_reset_unlocks_and_confirms(gql, settings, mailbox) -> None:
    person = await make_user(settings, confirmed=False)
    for _ in range(5):
        await login(gql, person.email, "Wrong-Password-1")
    assert codes(await login(gql, person.email, STRONG_PASSWORD)) == {None: "ACCOUNT_LOCKED"}
    token = await _reset_link(gql, mailbox, person.email)
    assert (await _reset(gql, token, OTHER_STRONG_PASSWORD))["ok"] is True
    account = await Account.get(customer_id=person.customer.id)
    assert account.locked_until is None and account.email_confirmed_at is not None
    assert (await login(gql, person.email, OTHER_STRONG_PASSWORD))["errors"] == []


# --- change -------------------------------------------------------------------------------


async def test_change_needs_a_login(gql) -> None:
    body = await gql(CHANGE, {"current": "a", "new": "b"}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


async def test_change_password(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    phone = await login(gql, person.email, STRONG_PASSWORD, bearer=True)
    await login(gql, person.email, STRONG_PASSWORD)
    assert codes(await _change(gql, "", OTHER_STRONG_PASSWORD)) == {"currentPassword": "REQUIRED"}
    wrong = await _change(gql, "Not-My-Password-1", OTHER_STRONG_PASSWORD, headers=EN)
    assert wrong["errors"] == [
        {
            "field": "currentPassword",
            "code": "WRONG_PASSWORD",
            "message": "The current password is wrong.",
        }
    ]
    assert codes(await _change(gql, STRONG_PASSWORD, "qwerty123")) == {
        "newPassword": "PASSWORD_TOO_WEAK"
    }
    assert await _change(gql, STRONG_PASSWORD, OTHER_STRONG_PASSWORD) == {"ok": True, "errors": []}
    # this session goes on, the phone's ended
    assert (await gql(VIEWER))["viewer"] is not None
    bearer = {"Authorization": f"Bearer {phone['token']}"}
    assert (await gql(VIEWER, headers=bearer))["viewer"] is None
    assert (await login(gql, person.email, OTHER_STRONG_PASSWORD, bearer=True))["errors"] == []
    notice = await mailbox.receive(person.email)
    assert notice["Subject"] == "ICOK: hasło zostało zmienione"
    assert await AuditEvent.exists(kind=AuditKind.PASSWORD_CHANGED)


async def test_change_attempts_are_limited(gql, settings) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    for _ in range(CHANGE_FAILURES):
        assert codes(await _change(gql, "Guess-Number-1x", OTHER_STRONG_PASSWORD)) == {
            "currentPassword": "WRONG_PASSWORD"
        }
    limited = await _change(gql, STRONG_PASSWORD, OTHER_STRONG_PASSWORD)
    assert codes(limited) == {None: "RATE_LIMITED"}


# --- Unicode: one password in either normal form (issue 11 item 7) -------------------------

NFC = unicodedata.normalize("NFC", "Żółta łódź płynie pod mostem 42")
NFD = unicodedata.normalize("NFD", NFC)  # "z" + combining dot, as some keyboards send it
OTHER_NFC = unicodedata.normalize("NFC", "Gęś źle śpiewa w chórze o świcie 7")
OTHER_NFD = unicodedata.normalize("NFD", OTHER_NFC)


async def test_a_password_set_in_one_normal_form_works_typed_in_the_other(gql, settings) -> None:
    assert NFC != NFD
    for set_as, typed in [(NFC, NFD), (NFD, NFC)]:
        person = await make_user(settings, password=set_as)
        assert (await login(gql, person.email, typed))["errors"] == [], (set_as, typed)
        account = await Account.get(customer_id=person.customer.id)
        assert account.failed_logins == 0


async def test_register_in_nfd_and_log_in_in_nfc(gql, settings, mailbox) -> None:
    person = await make_person(settings)
    assert (await register(gql, registration(person, password=NFD)))["ok"] is True
    token = mailbox.link(await mailbox.receive(person.email), "/confirm-email")
    assert (await gql(CONFIRM, {"token": token}))["confirmEmail"]["ok"] is True
    assert (await login(gql, person.email, NFC))["errors"] == []


async def test_reset_and_change_in_either_normal_form(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    token = await _reset_link(gql, mailbox, person.email)
    assert (await _reset(gql, token, NFD))["ok"] is True
    assert (await login(gql, person.email, NFC))["errors"] == []
    # the current password typed in the other form, the new one in NFD, used in NFC
    assert await _change(gql, NFD, OTHER_NFD) == {"ok": True, "errors": []}
    assert (await login(gql, person.email, OTHER_NFC))["errors"] == []


async def test_a_hash_made_before_normalisation_works_and_is_replaced(gql, settings) -> None:
    """Hashes made before NFC normalisation are of what the client sent (here NFD): the login
    still succeeds, typed in either form, and the hash is replaced by the NFC one."""
    person = await make_user(settings)
    legacy = bcrypt.hashpw(passwords._prehash(NFD, settings), bcrypt.gensalt(4)).decode()
    await Account.filter(customer_id=person.customer.id).update(password_hash=legacy)
    assert (await login(gql, person.email, NFC))["errors"] == []
    renewed = (await Account.get(customer_id=person.customer.id)).password_hash
    assert renewed != legacy
    assert passwords.verify_password_sync(NFC, renewed, settings) == passwords.Verified(True)
    assert (await login(gql, person.email, NFD))["errors"] == []


# --- the customer's own data and Polish words (issue 11 item 10) ---------------------------

PESEL = "85010112345"


async def test_strength_counts_polish_words_and_the_pesel_of_the_form(gql) -> None:
    weak = await _strength(gql, "haslo123")
    assert weak["code"] == "PASSWORD_TOO_WEAK" and weak["score"] <= 1
    password = f"Kowalski{PESEL}"
    assert (await _strength(gql, password))["acceptable"]  # strong for a stranger
    own = await _strength(gql, password, pesel=PESEL)
    assert own["code"] == "PASSWORD_CONTAINS_PERSONAL_DATA" and not own["acceptable"]


async def test_register_refuses_haslo123_and_the_customers_own_data(gql, settings) -> None:
    person = await make_person(settings)
    name = person.customer.last_name  # "Testowy"
    for password, code in [
        ("haslo123", "PASSWORD_TOO_WEAK"),
        (f"{name}{person.pesel}", "PASSWORD_CONTAINS_PERSONAL_DATA"),  # the typed PESEL
        (f"{name}-Kanarek-Pije-Kawe-42", "PASSWORD_CONTAINS_PERSONAL_DATA"),  # the name
        (f"Kanarek-Pije-Kawe-{person.customer.number}", "PASSWORD_CONTAINS_PERSONAL_DATA"),
    ]:
        payload = await register(gql, registration(person, password=password))
        assert codes(payload) == {"password": code}, password
    assert await Account.all().count() == 0


async def test_a_logged_in_customers_own_data_count_in_the_meter(client, gql, settings) -> None:
    customer = await make_customer(settings, first_name="Łukasz", last_name="Wiśniewski")
    password = "Wisniewski-Kanarek-Pije-Kawe-42"  # the name without Polish letters
    assert (await _strength(gql, password))["acceptable"]
    await login_as(client, settings, customer)
    verdict = await _strength(gql, password)
    assert verdict["code"] == "PASSWORD_CONTAINS_PERSONAL_DATA"
    born = await _strength(gql, f"Kanarek-Pije-Kawe-{customer.birth_date:%d%m%Y}")
    assert born["code"] == "PASSWORD_CONTAINS_PERSONAL_DATA"


PERSONAL_PL = (
    "Hasło nie może zawierać Twoich danych: imienia, nazwiska, adresu e-mail, numeru usługi "
    "ani karty, numeru klienta, numeru PESEL ani daty urodzenia."
)
PERSONAL_EN = (
    "The password must not contain your own data: first name, surname, e-mail address, "
    "service or card number, customer number, PESEL or birth date."
)


async def _anna(settings) -> Person:
    pesel = next_pesel()
    customer = await make_customer(settings, pesel=pesel, first_name="Anna", last_name="Kowalska")
    service = await make_service(customer)
    return Person(customer, service, pesel, "kontakt.ak@example.com")


async def test_a_password_refused_for_personal_data_never_shows_as_strong(
    client, gql, settings
) -> None:
    """Issue 11 item 10: "Kowalska-Anna-1985" scored 4 ("bardzo dobre") for the logged-in Anna
    while refused, with a message that named only the e-mail and the service number."""
    anna = await _anna(settings)
    password = "Kowalska-Anna-1985"
    stranger = await _strength(gql, password)
    assert stranger["acceptable"] and stranger["score"] == 4
    await login_as(client, settings, anna.customer)
    verdict = await _strength(gql, password)
    assert verdict["acceptable"] is False and verdict["score"] == passwords.REFUSED_MAX_SCORE == 1
    assert verdict["code"] == "PASSWORD_CONTAINS_PERSONAL_DATA"
    assert verdict["message"] == PERSONAL_PL
    assert (await _strength(gql, password, headers=EN))["message"] == PERSONAL_EN
    weak = await _strength(gql, "haslo123")  # any refusal, not only personal data
    assert weak["acceptable"] is False and weak["score"] <= 1


async def test_the_registration_meter_does_not_look_the_customer_up(gql, settings) -> None:
    """Anonymous, the meter uses only what the form has: the identifier and PESEL of a real
    customer give the same verdict as any others (it would tell whether the pair matches), and
    the submit, which does match the customer, names the name in its refusal."""
    anna = await _anna(settings)
    password = "Kowalska-Anna-1985"
    typed = await _strength(
        gql, password, email=anna.email, identifier=anna.service.identifier, pesel=anna.pesel
    )
    assert typed == await _strength(gql, password, email=anna.email)
    assert typed["acceptable"] and typed["code"] is None
    payload = await register(gql, registration(anna, password=password))
    assert payload["errors"] == [
        {"field": "password", "code": "PASSWORD_CONTAINS_PERSONAL_DATA", "message": PERSONAL_PL}
    ]
    assert await Account.all().count() == 0


async def test_change_and_reset_refuse_the_customers_own_data(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    date_part = person.pesel[:6]  # the PESEL itself is stored only as a hash
    token = await _reset_link(gql, mailbox, person.email)
    refused = await _reset(gql, token, f"Testowy-Kanarek-{date_part}")
    assert codes(refused) == {"newPassword": "PASSWORD_CONTAINS_PERSONAL_DATA"}
    await login(gql, person.email, STRONG_PASSWORD)
    for password in [f"Kanarek-Pije-Kawe-{person.pesel}", "Testowy-Pije-Kawe-42-Kanarek"]:
        changed = await _change(gql, STRONG_PASSWORD, password)
        assert codes(changed) == {"newPassword": "PASSWORD_CONTAINS_PERSONAL_DATA"}, password


async def test_the_reset_pages_meter_knows_the_links_account(gql, settings, mailbox) -> None:
    person = await make_user(settings)
    token = await _reset_link(gql, mailbox, person.email)
    password = "Testowy-Kanarek-Pije-Kawe-42"  # the customer's last name
    assert (await _strength(gql, password, token="not-a-live-token"))["acceptable"]
    verdict = await _strength(gql, password, token=token)
    assert verdict["code"] == "PASSWORD_CONTAINS_PERSONAL_DATA"
    local = person.email.split("@")[0]
    assert (await _strength(gql, f"{local}-Kanarek-Pije", token=token))["acceptable"] is False
    # the meter does not spend the link
    assert codes(await _reset(gql, token, password)) == {
        "newPassword": "PASSWORD_CONTAINS_PERSONAL_DATA"
    }
    assert (await _reset(gql, token, OTHER_STRONG_PASSWORD))["ok"] is True
