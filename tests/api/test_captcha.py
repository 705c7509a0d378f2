"""The arithmetic captcha: answered server-side, single-use, five minutes."""

from __future__ import annotations

from datetime import datetime

from backend.clock import clock
from backend.models import Captcha
from tests.api.account_helpers import CAPTCHA, LOGIN, answer, codes
from tests.factories import make_user

WRONG_ANSWER_OFFSET = 1


async def _login_with(gql, captcha_id: str, captcha_answer: str, **kwargs) -> dict:
    data = {"login": "nobody@example.com", "password": "whatever-it-is", "captchaId": captcha_id}
    data["captchaAnswer"] = captcha_answer
    return (await gql(LOGIN, {"input": data}, **kwargs))["login"]


async def test_captcha_question_and_accessible_text(gql) -> None:
    pl = (await gql(CAPTCHA))["captcha"]
    en = (await gql(CAPTCHA, headers={"Accept-Language": "en-GB,en;q=0.9"}))["captcha"]
    assert pl["id"] != en["id"]
    a, op, b = pl["question"].split()
    assert op in "+-" and 1 <= int(a) <= 10 and 1 <= int(b) <= 10
    assert int(answer(pl["question"])) >= 0
    assert pl["accessibleQuestion"].startswith("Ile to jest ")
    assert en["accessibleQuestion"].startswith("What is ")
    assert "plus" in en["accessibleQuestion"] or "minus" in en["accessibleQuestion"]
    expires = datetime.fromisoformat(pl["expiresAt"])
    assert 290 <= (expires - clock.now()).total_seconds() <= 300
    # stored server-side, so any app instance can check it
    assert await Captcha.exists(id=pl["id"])


async def test_malformed_and_unknown_captcha_ids(gql) -> None:
    for bad_id in ["", "not-a-uuid", "x" * 500, "00000000-0000-0000-0000-000000000000"]:
        payload = await _login_with(gql, bad_id, "5")
        assert codes(payload) == {"captchaAnswer": "CAPTCHA_INVALID"}, bad_id


async def test_empty_and_malformed_answers(gql) -> None:
    captcha = (await gql(CAPTCHA))["captcha"]
    payload = await _login_with(gql, captcha["id"], "  ")
    assert codes(payload) == {"captchaAnswer": "REQUIRED"}
    for bad in ["siedem", "1" * 40, "٣", "1.0"]:
        captcha = (await gql(CAPTCHA))["captcha"]
        assert codes(await _login_with(gql, captcha["id"], bad)) == {
            "captchaAnswer": "CAPTCHA_INVALID"
        }, bad


async def test_wrong_answer_spends_the_captcha(gql) -> None:
    captcha = (await gql(CAPTCHA))["captcha"]
    wrong = str(int(answer(captcha["question"])) + WRONG_ANSWER_OFFSET)
    assert codes(await _login_with(gql, captcha["id"], wrong)) == {
        "captchaAnswer": "CAPTCHA_INVALID"
    }
    # the right answer no longer helps: no retrying the same task
    right = answer(captcha["question"])
    assert codes(await _login_with(gql, captcha["id"], right)) == {
        "captchaAnswer": "CAPTCHA_INVALID"
    }


async def test_reused_captcha(gql) -> None:
    captcha = (await gql(CAPTCHA))["captcha"]
    right = answer(captcha["question"])
    first = await _login_with(gql, captcha["id"], f" {right} ")
    assert codes(first) == {None: "INVALID_CREDENTIALS"}  # captcha passed, login unknown
    again = await _login_with(gql, captcha["id"], right)
    assert codes(again) == {"captchaAnswer": "CAPTCHA_INVALID"}


async def test_expired_captcha(gql, settings) -> None:
    person = await make_user(settings)
    captcha = (await gql(CAPTCHA))["captcha"]
    clock.advance(minutes=5, seconds=1)
    data = {
        "login": person.email,
        "password": "irrelevant-here",
        "captchaId": captcha["id"],
        "captchaAnswer": answer(captcha["question"]),
    }
    payload = (await gql(LOGIN, {"input": data}, headers={"Accept-Language": "en"}))["login"]
    assert payload["errors"] == [
        {
            "field": "captchaAnswer",
            "code": "CAPTCHA_EXPIRED",
            "message": "The task has expired. Solve a new one.",
        }
    ]


async def test_just_before_expiry_still_works(gql) -> None:
    captcha = (await gql(CAPTCHA))["captcha"]
    clock.advance(minutes=4, seconds=58)
    payload = await _login_with(gql, captcha["id"], answer(captcha["question"]))
    assert codes(payload) == {None: "INVALID_CREDENTIALS"}


async def test_concurrent_use_spends_once(gql) -> None:
    import asyncio

    captcha = (await gql(CAPTCHA))["captcha"]
    right = answer(captcha["question"])
    results = await asyncio.gather(*[_login_with(gql, captcha["id"], right) for _ in range(4)])
    passed = [r for r in results if codes(r) == {None: "INVALID_CREDENTIALS"}]
    assert len(passed) == 1, results


async def test_old_captchas_are_purged(gql) -> None:
    await gql(CAPTCHA)
    clock.advance(minutes=11)
    await gql(CAPTCHA)
    assert await Captcha.all().count() == 1


async def test_captchas_are_limited_per_address(gql) -> None:
    from backend.services.captcha import PER_IP

    for _ in range(PER_IP):
        await gql(CAPTCHA)
    body = await gql(CAPTCHA, expect_errors=True, headers={"Accept-Language": "en"})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert body["errors"][0]["message"] == "Too many attempts. Try again in 10 min."
    clock.advance(minutes=10, seconds=1)
    assert (await gql(CAPTCHA))["captcha"]["id"]
