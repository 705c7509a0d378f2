"""The forms that mail a link to an address their anonymous sender names (forgotten password,
resending the confirmation link) need the arithmetic captcha and its proof of work, like login
(issue 15, item 9): a refused one mails nothing, issues no link and counts toward no limit."""

from __future__ import annotations

from typing import Any

import pytest

from backend.clock import clock
from backend.models import AccountToken, AuditEvent
from backend.models.enums import AuditKind, TokenPurpose
from backend.services.password_reset import RESET_PER_EMAIL
from backend.services.registration import RESEND_PER_EMAIL
from tests.api.account_helpers import (
    CAPTCHA,
    RESEND,
    RESET_REQUEST,
    answer,
    codes,
    register,
    registration,
    request_reset,
    resend,
)
from tests.factories import make_person, make_user, solve_proof

# (mutation, payload field, the link's purpose, its audit kind, a request of the same kind)
FORMS = {
    "reset": (
        RESET_REQUEST,
        "requestPasswordReset",
        TokenPurpose.RESET_PASSWORD,
        AuditKind.PASSWORD_RESET_REQUESTED,
        request_reset,
    ),
    "resend": (
        RESEND,
        "resendConfirmation",
        TokenPurpose.CONFIRM_EMAIL,
        AuditKind.CONFIRMATION_RESENT,
        resend,
    ),
}


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


async def _account(form: str, gql: Any, settings: Any, mailbox: Any) -> str:
    """The e-mail of an account the form would mail: a confirmed one for a reset, one still
    waiting for confirmation (its first link already received) for a resend."""
    if form == "reset":
        return (await make_user(settings)).email
    person = await make_person(settings)
    assert (await register(gql, registration(person)))["ok"] is True
    await mailbox.receive(person.email)
    return person.email


async def _bad_attempts(gql: Any, email: str) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """(input, expected codes) for every way the captcha can be wrong; each with a new task."""

    async def task() -> dict[str, str]:
        return (await gql(CAPTCHA))["captcha"]

    attempts: list[tuple[dict[str, Any], dict[str, str]]] = []
    a = await task()
    attempts.append(
        (
            {"email": email, "captchaId": "", "captchaAnswer": "7"},
            {"captchaAnswer": "CAPTCHA_INVALID"},
        )
    )
    attempts.append(
        (
            {"email": email, "captchaId": a["id"], "captchaAnswer": " "},
            {"captchaAnswer": "REQUIRED"},
        )
    )
    attempts.append(
        (
            {"email": email, "captchaId": a["id"], "captchaAnswer": answer(a["question"])},
            {"captchaProof": "CAPTCHA_PROOF_REQUIRED"},
        )
    )
    b = await task()
    wrong = str(int(answer(b["question"])) + 1)
    attempts.append(
        (
            {
                "email": email,
                "captchaId": b["id"],
                "captchaAnswer": wrong,
                "captchaProof": solve_proof(b["proofChallenge"]),
            },
            {"captchaAnswer": "CAPTCHA_INVALID"},
        )
    )
    c, d = await task(), await task()
    attempts.append(
        (
            {
                "email": email,
                "captchaId": d["id"],
                "captchaAnswer": answer(d["question"]),
                "captchaProof": solve_proof(c["proofChallenge"]),  # another task's proof
            },
            {"captchaProof": "CAPTCHA_PROOF_INVALID"},
        )
    )
    # a task already spent (by the wrong answer above), even with the right answer and proof
    attempts.append(
        (
            {
                "email": email,
                "captchaId": b["id"],
                "captchaAnswer": answer(b["question"]),
                "captchaProof": solve_proof(b["proofChallenge"]),
            },
            {"captchaAnswer": "CAPTCHA_INVALID"},
        )
    )
    # a bad address and a bad captcha: both said at once
    e = await task()
    attempts.append(
        (
            {
                "email": "not-an-address",
                "captchaId": e["id"],
                "captchaAnswer": answer(e["question"]),
            },
            {"email": "INVALID_EMAIL", "captchaProof": "CAPTCHA_PROOF_REQUIRED"},
        )
    )
    return attempts


@pytest.mark.parametrize("form", list(FORMS))
async def test_a_missing_or_wrong_captcha_mails_nothing(gql, settings, mailbox, form) -> None:
    mutation, field, purpose, kind, send = FORMS[form]
    email = await _account(form, gql, settings, mailbox)
    before = len(mailbox.messages(email))
    attempts = await _bad_attempts(gql, email)
    limit = RESET_PER_EMAIL if form == "reset" else RESEND_PER_EMAIL
    assert len(attempts) > limit  # so counting refused requests would show below
    for data, expected in attempts:
        payload = (await gql(mutation, {"input": data}))[field]
        assert payload["ok"] is False and codes(payload) == expected, data
    # an expired task
    expired = (await gql(CAPTCHA))["captcha"]
    clock.advance(minutes=5, seconds=1)
    data = {
        "email": email,
        "captchaId": expired["id"],
        "captchaAnswer": answer(expired["question"]),
        "captchaProof": solve_proof(expired["proofChallenge"]),
    }
    payload = (await gql(mutation, {"input": data}))[field]
    assert codes(payload) == {"captchaAnswer": "CAPTCHA_EXPIRED"}
    # nothing issued, recorded or mailed
    await mailbox.settle()
    assert len(mailbox.messages(email)) == before
    assert not await AuditEvent.exists(kind=kind)
    live = AccountToken.filter(purpose=purpose, used_at__isnull=True)
    assert await live.count() == (0 if form == "reset" else 1)  # the resend's first link
    # and none of it counted toward the address's limit: the right captcha mails at once
    assert await send(gql, email) == {"ok": True, "errors": []}
    message = await mailbox.receive(email, count=before + 1)
    path = "/reset-password" if form == "reset" else "/confirm-email"
    assert mailbox.link(message, path)
    assert await AuditEvent.exists(kind=kind)


@pytest.mark.parametrize("form", list(FORMS))
async def test_an_unknown_address_gets_the_same_answers(gql, settings, mailbox, form) -> None:
    """With the captcha: the known address's answers, right or wrong."""
    mutation, field, _, _, send = FORMS[form]
    known = await _account(form, gql, settings, mailbox)
    for email in (known, "nobody@example.com"):
        task = (await gql(CAPTCHA))["captcha"]
        data = {"email": email, "captchaId": task["id"], "captchaAnswer": answer(task["question"])}
        payload = (await gql(mutation, {"input": data}))[field]
        assert codes(payload) == {"captchaProof": "CAPTCHA_PROOF_REQUIRED"}, email
    assert await send(gql, "nobody@example.com") == await send(gql, known)
    await mailbox.settle()
    assert mailbox.messages("nobody@example.com") == []
