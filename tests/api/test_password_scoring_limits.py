"""Password scoring cannot be used as a weapon (issue 15, item 3): one scoring per request,
input lengths checked before any work (``bench/password_scoring.py`` prints the CPU figures)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from backend.services import passwords
from backend.services.identifiers import EMAIL_MAX, TYPED_MAX
from tests.api.account_helpers import codes, register, registration, solve_captcha
from tests.factories import (
    OTHER_STRONG_PASSWORD,
    STRONG_PASSWORD,
    login_as,
    login_staff,
    make_customer,
    make_person,
    make_staff,
    totp_code,
)
from tests.factories.staff import STAFF_PASSWORD
from tests.waiting import wait_until

HUGE = 900_000
STRENGTH = """query($p: String!, $e: String, $i: String, $s: String) {
  passwordStrength(password: $p, email: $e, identifier: $i, pesel: $s) { score code } }"""


def repetitive(i: int) -> str:
    """A 100-character password zxcvbn finds costly (short repeated runs)."""
    return (("abcdefghij"[: 2 + i % 8] + str(i)) * 100)[:100]


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str]]]:
    """Every zxcvbn run: the password scored and its ``user_inputs`` (the real work still runs)."""
    runs: list[tuple[str, list[str]]] = []
    real = passwords.zxcvbn

    def zxcvbn(password: str, user_inputs: Any = None, **kwargs: Any) -> Any:
        runs.append((password, list(user_inputs or [])))
        return real(password, user_inputs=user_inputs, **kwargs)

    monkeypatch.setattr(passwords, "zxcvbn", zxcvbn)
    return runs


async def test_thirty_aliased_strength_queries_score_once(gql, scored) -> None:
    fields = " ".join(
        f'a{i}: passwordStrength(password: "{repetitive(i)}") {{ score }}' for i in range(30)
    )
    body = await gql("{ " + fields + " }", expect_errors=True)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"ONE_PASSWORD_PER_REQUEST"}
    assert "Jedno zapytanie może sprawdzić lub ustawić tylko jedno hasło." in {
        e["message"] for e in body["errors"]
    }
    assert len(scored) <= 1
    # One field per request still answers (the strength meter's every keystroke).
    single = await gql(STRENGTH, {"p": "haslo123"})
    assert single["passwordStrength"]["code"] == "PASSWORD_TOO_WEAK"


async def test_aliased_password_mutations_past_the_first_are_refused(
    client, gql, settings, scored
) -> None:
    person = await make_person(settings)
    captcha = await solve_captcha(gql)
    data = {**registration(person, password=repetitive(1)), **captcha}
    inputs = " ".join(
        f"r{i}: register(input: $input) {{ ok errors {{ field code }} }}" for i in range(30)
    )
    body = await gql(f"mutation($input: RegisterInput!) {{ {inputs} }}", {"input": data})
    assert codes(body["r0"]) == {"password": "PASSWORD_TOO_WEAK"}
    for i in range(1, 30):
        assert codes(body[f"r{i}"]) == {None: "ONE_PASSWORD_PER_REQUEST"}
    assert len(scored) == 1
    # resetPassword: refused before the token is even looked at.
    body = await _three_aliases(gql, "resetPassword", 'token: "nope"')
    assert codes(body["a0"]) == {"token": "TOKEN_INVALID"}
    assert codes(body["a1"]) == codes(body["a2"]) == {None: "ONE_PASSWORD_PER_REQUEST"}
    # changePassword, logged in: one change per request.
    await login_as(client, settings, await make_customer(settings))
    body = await _three_aliases(gql, "changePassword", 'currentPassword: "x"')
    assert codes(body["a0"]) == {"currentPassword": "WRONG_PASSWORD"}
    assert codes(body["a1"]) == codes(body["a2"]) == {None: "ONE_PASSWORD_PER_REQUEST"}


async def _three_aliases(gql: Any, mutation: str, arguments: str) -> dict[str, Any]:
    """``mutation`` three times in one request (aliases a0..a2), each with another password."""
    fields = " ".join(
        f'a{i}: {mutation}(input: {{{arguments}, newPassword: "{repetitive(i)}"}})'
        " { ok errors { field code } }"
        for i in range(3)
    )
    return dict(await gql(f"mutation {{ {fields} }}"))


async def test_a_staff_member_changes_one_password_per_request(client, console, settings) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    await login_staff(client, member)
    change = " ".join(
        f"c{i}: changeStaffPassword(input: {{currentPassword: {STAFF_PASSWORD!r}, "
        f'newPassword: "{OTHER_STRONG_PASSWORD}-{i}", code: "{totp_code()}"}})'
        " { ok errors { field code } }"
        for i in range(2)
    ).replace("'", '"')
    body = await console(f"mutation {{ {change} }}")
    assert body["c0"] == {"ok": True, "errors": []}
    assert codes(body["c1"]) == {None: "ONE_PASSWORD_PER_REQUEST"}


async def test_oversized_strength_arguments_are_refused_before_any_work(gql, scored) -> None:
    huge = "a" * HUGE
    for variables, field, most in [
        ({"p": STRONG_PASSWORD, "e": huge + "@example.com"}, "email", EMAIL_MAX),
        ({"p": STRONG_PASSWORD, "e": "a." * (HUGE // 2)}, "email", EMAIL_MAX),
        ({"p": STRONG_PASSWORD, "i": "6" * HUGE}, "identifier", TYPED_MAX),
        ({"p": STRONG_PASSWORD, "s": "9" * HUGE}, "pesel", TYPED_MAX),
    ]:
        body = await gql(STRENGTH, variables, expect_errors=True)
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "TOO_LONG", "field": field, "max": most}
    too_long = await gql(STRENGTH, {"p": "ab" * (HUGE // 2)})
    assert too_long["passwordStrength"] == {"score": 0, "code": "PASSWORD_TOO_LONG"}
    assert scored == []  # nothing was scored


async def test_register_with_oversized_fields_scores_no_huge_input(gql, settings, scored) -> None:
    person = await make_person(settings)
    for field, value, expected in [
        ("email", "a" * HUGE + "@example.com", {"email": "TOO_LONG"}),
        ("email", "a." * (HUGE // 2), {"email": "TOO_LONG"}),
        ("identifier", "6" * HUGE, {"identifier": "INVALID_IDENTIFIER"}),
        ("pesel", "9" * HUGE, {"pesel": "INVALID_PESEL"}),
        ("password", "ab" * (HUGE // 2), {"password": "PASSWORD_TOO_LONG"}),
    ]:
        payload = await register(gql, registration(person, **{field: value}))
        found = codes(payload)
        assert {k: v for k, v in found.items() if k == field} == expected, (field, found)
    # Whatever was scored, it was the password's prefix with the customer's real data only.
    assert all(len(p) <= passwords.SCORED_PREFIX for p, _ in scored)
    assert all(len(part) <= EMAIL_MAX for _, inputs in scored for part in inputs)


L33T = "4@8({[<3690!|1$5+7%2" * 5
"""The attacker's password: 8.6 s of CPU per scoring before the l33t matching was bounded."""


async def test_register_without_a_valid_proof_never_scores(gql, settings, scored) -> None:
    """The captcha and its proof of work are checked before the password is scored."""
    person = await make_person(settings)
    captcha = await solve_captcha(gql)
    refused: list[tuple[dict[str, Any], str, str]] = [
        ({"captchaProof": None}, "captchaProof", "CAPTCHA_PROOF_REQUIRED"),
        ({"captchaProof": "x"}, "captchaProof", "CAPTCHA_PROOF_INVALID"),
        ({"captchaAnswer": "-1"}, "captchaAnswer", "CAPTCHA_INVALID"),
    ]
    for overrides, field, code in refused:
        fresh = await solve_captcha(gql)
        data = {**registration(person, password=L33T), **fresh, **overrides}
        found = codes(await register(gql, data))
        assert found.get(field) == code, (overrides, found)
        assert "password" not in found
    assert scored == []
    # Solved: the same password is scored, and accepted, in a fraction of a second.
    data = {**registration(person, password=L33T), **captcha}
    assert codes(await register(gql, data)) == {}
    assert {p for p, _ in scored} == {L33T}


async def _refused(gql: Any) -> float:
    """``icok_password_pool_refused_total{pool="scoring"}`` in the app's ``/metrics``."""
    response = await gql.http.get("/metrics")
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == "icok_password_pool_refused_total" and sample.labels == {
                "pool": "scoring"
            }:
                return float(sample.value)
    raise AssertionError("no icok_password_pool_refused_total{pool=scoring}")


async def test_a_full_scoring_queue_answers_busy_at_once(gql, monkeypatch) -> None:
    """Beyond METER_QUEUE scorings running or waiting, the strength query answers
    PASSWORD_SCORING_BUSY at once (translated) instead of making everyone wait."""

    release = threading.Event()
    real = passwords.zxcvbn

    def held(password: str, user_inputs: Any = None) -> Any:
        release.wait(10)  # a scoring that takes long: the pool's one thread is busy
        return real(password, user_inputs=user_inputs)

    monkeypatch.setattr(passwords, "zxcvbn", held)
    refused_before = await _refused(gql)
    waiting = [
        asyncio.create_task(gql(STRENGTH, {"p": f"{OTHER_STRONG_PASSWORD}-{i}"}))
        for i in range(passwords.METER_QUEUE)
    ]
    try:
        await wait_until(lambda: passwords.SCORING_POOL.admitted_now >= passwords.METER_QUEUE)
        body = await gql(STRENGTH, {"p": STRONG_PASSWORD}, expect_errors=True)
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "PASSWORD_SCORING_BUSY", "field": None}
        assert error["message"] == (
            "Sprawdzamy teraz wiele haseł naraz. Spróbuj ponownie za chwilę."
        )
        # /metrics counts it (a counter every worker's scrape sums, not a per-process figure)
        assert await _refused(gql) == refused_before + 1
        # A submit has room of its own: it waits in the queue, it is not refused.
        submit = asyncio.create_task(passwords.check_policy(STRONG_PASSWORD))
        await wait_until(lambda: passwords.SCORING_POOL.admitted_now > passwords.METER_QUEUE)
        assert not submit.done()
    finally:
        release.set()
    for done in await asyncio.gather(*waiting):
        assert done["passwordStrength"]["code"] is None
    await submit
    assert passwords.SCORING_POOL.admitted_now == 0
