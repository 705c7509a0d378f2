"""Text the database cannot store (a NUL character, half of a surrogate pair) is a coded error.

JSON can carry both (``\\u0000``, ``\\ud800``); PostgreSQL refuses NUL in text and neither
backend encodes a lone surrogate, so before the check these inputs ended as unexpected errors.
The body is sent with ``json.dumps`` (ASCII escapes), as a client could send it.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.config import Settings
from tests.api.account_helpers import post_json as post
from tests.api.account_helpers import registration, solve_captcha
from tests.factories import STRONG_PASSWORD, login_as, make_account, make_customer, make_person

BAD = ["a\x00b", "a\ud800b"]
CODE = {"a\x00b": "FORBIDDEN_CHARACTER", "a\ud800b": "INVALID"}
"""A customer's free text refuses NUL as the control character it is (see
test_control_characters.py); other inputs just refuse it as invalid."""

CONTACT = """
mutation($input: SendContactRequestInput!) {
  sendContactRequest(input: $input) { contactRequest { id } errors { field code } }
}"""
UPDATE = """
mutation($input: UpdateContactDataInput!) {
  updateContactData(input: $input) { errors { field code } }
}"""
TOKENS = [
    ("confirmEmail", "ConfirmEmailInput"),
    ("confirmContactEmail", "ConfirmContactEmailInput"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("bad", BAD, ids=["nul", "surrogate"])
async def test_contact_form_refuses_unstorable_text(
    client: httpx.AsyncClient, settings: Settings, bad: str
) -> None:
    await login_as(client, settings, await make_customer(settings))
    for field in ("subject", "body"):
        data = {"topic": "BILLING", "subject": "Faktura", "body": "Pytanie", field: bad}
        result = (await post(client, CONTACT, {"input": data}))["sendContactRequest"]
        assert result["contactRequest"] is None
        assert result["errors"] == [{"field": field, "code": CODE[bad]}]


@pytest.mark.asyncio
@pytest.mark.parametrize("bad", BAD, ids=["nul", "surrogate"])
async def test_contact_data_refuses_unstorable_text(
    client: httpx.AsyncClient, settings: Settings, bad: str
) -> None:
    await login_as(client, settings, await make_customer(settings))
    for field in ("street", "city"):
        result = (await post(client, UPDATE, {"input": {field: bad}}))["updateContactData"]
        assert result["errors"] == [{"field": field, "code": CODE[bad]}]


@pytest.mark.asyncio
@pytest.mark.parametrize("bad", BAD, ids=["nul", "surrogate"])
async def test_link_tokens_refuse_unstorable_text(
    client: httpx.AsyncClient, db: str, bad: str
) -> None:
    for name, input_type in TOKENS:
        query = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ ok errors {{ field code }} }} }}"
        result = (await post(client, query, {"input": {"token": bad}}))[name]
        assert result == {"ok": False, "errors": [{"field": "token", "code": "TOKEN_INVALID"}]}
    reset = "mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { ok errors { field code } } }"
    result = await post(client, reset, {"input": {"token": bad, "newPassword": "x" * 20}})
    assert result["resetPassword"]["ok"] is False
    assert {"field": "token", "code": "TOKEN_INVALID"} in result["resetPassword"]["errors"]


SURROGATE_PASSWORD = "Zielony-\ud800-Kanarek-Pije-Kawe-42"  # strong, but has no UTF-8 form


async def test_register_refuses_a_password_that_cannot_be_hashed(
    client: httpx.AsyncClient, gql: Any, settings: Settings
) -> None:
    person = await make_person(settings)
    data = {**registration(person), "password": SURROGATE_PASSWORD, **await solve_captcha(gql)}
    query = (
        "mutation($input: RegisterInput!) { register(input: $input) { ok errors { field code } } }"
    )
    result = (await post(client, query, {"input": data}))["register"]
    assert result == {"ok": False, "errors": [{"field": "password", "code": "INVALID"}]}


async def test_change_password_refuses_a_password_that_cannot_be_hashed(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    customer = await make_customer(settings)
    await make_account(customer, password=STRONG_PASSWORD, settings=settings)
    await login_as(client, settings, customer)
    query = (
        "mutation($input: ChangePasswordInput!) "
        "{ changePassword(input: $input) { ok errors { field code } } }"
    )
    data = {"currentPassword": STRONG_PASSWORD, "newPassword": SURROGATE_PASSWORD}
    result = (await post(client, query, {"input": data}))["changePassword"]
    assert result == {"ok": False, "errors": [{"field": "newPassword", "code": "INVALID"}]}


@pytest.mark.parametrize("bad", BAD, ids=["nul", "surrogate"])
async def test_other_inputs_refuse_unstorable_text(
    client: httpx.AsyncClient, gql: Any, settings: Settings, bad: str
) -> None:
    """The rest of the text inputs that reach the database: a payment's idempotency key and
    amount, the captcha's id and answer, a login's password (never stored, only hashed)."""
    login = (
        "mutation($input: LoginInput!) { login(input: $input) { viewer { customerNumber } "
        "errors { field code } } }"
    )
    captcha = await solve_captcha(gql)
    for field in ("captchaId", "captchaAnswer"):
        data = {"login": "jan@example.com", "password": "x", **captcha, field: bad}
        result = (await post(client, login, {"input": data}))["login"]
        assert result["errors"] == [{"field": "captchaAnswer", "code": "CAPTCHA_INVALID"}]
    data = {"login": "jan@example.com", "password": bad, **await solve_captcha(gql)}
    result = (await post(client, login, {"input": data}))["login"]
    assert result["errors"] == [{"field": None, "code": "INVALID_CREDENTIALS"}]
    await login_as(client, settings, await make_customer(settings))
    top_up = "mutation($input: TopUpWalletInput!) { topUpWallet(input: $input) { errors { field code } } }"
    for field, value in [("idempotencyKey", f"key-{bad}-12345"), ("amount", f"5{bad}0")]:
        data = {"amount": "50", "method": "BLIK", "idempotencyKey": "key-12345678", field: value}
        result = (await post(client, top_up, {"input": data}))["topUpWallet"]
        assert [e["field"] for e in result["errors"]] == [field], result
