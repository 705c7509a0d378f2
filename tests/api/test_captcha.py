"""The arithmetic captcha: answered server-side, single-use, five minutes; and the ALTCHA proof
of work behind it: bound to its captcha, signed, solved, spent with it."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from backend.clock import clock
from backend.models import Captcha
from tests.api.account_helpers import CAPTCHA, LOGIN, answer, codes
from tests.conftest import TEST_PROOF_MAX_NUMBER
from tests.factories import captcha_proof, make_captcha, make_user, solve_proof

WRONG_ANSWER_OFFSET = 1
SOLVE = "solve"


async def _login_with(
    gql, captcha: dict | str, captcha_answer: str, proof: str | None = SOLVE, **kwargs
) -> dict:
    """Log in as nobody with ``captcha`` (the query's answer, or only an id) and ``proof``
    (by default: the captcha's own challenge solved; ``None``: no proof sent)."""
    if isinstance(captcha, dict):
        captcha_id = captcha["id"]
        if proof == SOLVE:
            proof = solve_proof(captcha["proofChallenge"])
    else:
        captcha_id, proof = captcha, (None if proof == SOLVE else proof)
    data = {"login": "nobody@example.com", "password": "whatever-it-is", "captchaId": captcha_id}
    data["captchaAnswer"] = captcha_answer
    if proof is not None:
        data["captchaProof"] = proof
    return (await gql(LOGIN, {"input": data}, **kwargs))["login"]


def _decode(proof: str) -> dict[str, Any]:
    return json.loads(base64.b64decode(proof))


def _encode(payload: Any) -> str:
    return base64.b64encode(json.dumps(payload).encode()).decode()


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
        payload = await _login_with(gql, bad_id, "5", proof="not-looked-at")
        assert codes(payload) == {"captchaAnswer": "CAPTCHA_INVALID"}, bad_id


async def test_empty_and_malformed_answers(gql) -> None:
    captcha = (await gql(CAPTCHA))["captcha"]
    payload = await _login_with(gql, captcha, "  ")
    assert codes(payload) == {"captchaAnswer": "REQUIRED"}
    for bad in ["siedem", "1" * 40, "٣", "1.0"]:
        captcha = (await gql(CAPTCHA))["captcha"]
        assert codes(await _login_with(gql, captcha, bad)) == {
            "captchaAnswer": "CAPTCHA_INVALID"
        }, bad


async def test_wrong_answer_spends_the_captcha(gql) -> None:
    captcha = (await gql(CAPTCHA))["captcha"]
    wrong = str(int(answer(captcha["question"])) + WRONG_ANSWER_OFFSET)
    assert codes(await _login_with(gql, captcha, wrong)) == {"captchaAnswer": "CAPTCHA_INVALID"}
    # the right answer no longer helps: no retrying the same task
    right = answer(captcha["question"])
    assert codes(await _login_with(gql, captcha, right)) == {"captchaAnswer": "CAPTCHA_INVALID"}


async def test_reused_captcha(gql) -> None:
    captcha = (await gql(CAPTCHA))["captcha"]
    right = answer(captcha["question"])
    first = await _login_with(gql, captcha, f" {right} ")
    assert codes(first) == {None: "INVALID_CREDENTIALS"}  # captcha passed, login unknown
    again = await _login_with(gql, captcha, right)
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
        "captchaProof": solve_proof(captcha["proofChallenge"]),
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
    payload = await _login_with(gql, captcha, answer(captcha["question"]))
    assert codes(payload) == {None: "INVALID_CREDENTIALS"}


async def test_concurrent_use_spends_once(gql) -> None:
    import asyncio

    captcha = (await gql(CAPTCHA))["captcha"]
    right = answer(captcha["question"])
    results = await asyncio.gather(*[_login_with(gql, captcha, right) for _ in range(4)])
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


async def test_the_proof_challenge_is_bound_to_its_captcha(gql) -> None:
    captcha = (await gql(CAPTCHA))["captcha"]
    challenge = json.loads(captcha["proofChallenge"])
    parameters = challenge["parameters"]
    assert parameters["algorithm"] == "SHA-256" and parameters["cost"] == 1
    assert parameters["data"] == {"captcha": captcha["id"]}
    assert parameters["expiresAt"] == int(datetime.fromisoformat(captcha["expiresAt"]).timestamp())
    assert len(parameters["keyPrefix"]) == 32 and len(parameters["keySignature"]) == 64
    assert len(challenge["signature"]) == 64
    # the counter is at most the setting (the solver finds exactly the one the server chose)
    counter = _decode(solve_proof(captcha["proofChallenge"]))["solution"]["counter"]
    assert 0 <= counter <= TEST_PROOF_MAX_NUMBER


async def test_a_missing_proof_is_required(gql) -> None:
    captcha = (await gql(CAPTCHA))["captcha"]
    right = answer(captcha["question"])
    for missing in [None, "", "   "]:
        payload = await _login_with(gql, captcha, right, proof=missing)
        assert codes(payload) == {"captchaProof": "CAPTCHA_PROOF_REQUIRED"}, missing
    en = await _login_with(gql, captcha, right, proof=None, headers={"Accept-Language": "en"})
    assert en["errors"][0]["message"] == (
        "Your browser's check is missing. Reload the page and try again."
    )
    # refused before the task is spent: with its proof it still passes
    assert codes(await _login_with(gql, captcha, right)) == {None: "INVALID_CREDENTIALS"}


async def test_a_wrong_solution_is_refused_and_spends_the_captcha(gql) -> None:
    captcha = (await gql(CAPTCHA))["captcha"]
    right = answer(captcha["question"])
    payload = _decode(solve_proof(captcha["proofChallenge"]))
    payload["solution"]["counter"] += 1
    payload["solution"]["derivedKey"] = "00" * 32
    refused = await _login_with(gql, captcha, right, proof=_encode(payload))
    assert codes(refused) == {"captchaProof": "CAPTCHA_PROOF_INVALID"}
    assert codes(await _login_with(gql, captcha, right)) == {"captchaAnswer": "CAPTCHA_INVALID"}


async def test_a_proof_for_another_captcha_is_refused(gql) -> None:
    first = (await gql(CAPTCHA))["captcha"]
    second = (await gql(CAPTCHA))["captcha"]
    proof_of_first = solve_proof(first["proofChallenge"])
    payload = await _login_with(gql, second, answer(second["question"]), proof=proof_of_first)
    assert codes(payload) == {"captchaProof": "CAPTCHA_PROOF_INVALID"}
    # nor can the signed captcha id be swapped for the other one
    swapped = _decode(proof_of_first)
    swapped["challenge"]["parameters"]["data"]["captcha"] = second["id"]
    third = (await gql(CAPTCHA))["captcha"]
    swapped["challenge"]["parameters"]["data"]["captcha"] = third["id"]
    payload = await _login_with(gql, third, answer(third["question"]), proof=_encode(swapped))
    assert codes(payload) == {"captchaProof": "CAPTCHA_PROOF_INVALID"}


async def test_a_replayed_proof_is_refused(gql) -> None:
    captcha = (await gql(CAPTCHA))["captcha"]
    right = answer(captcha["question"])
    proof = solve_proof(captcha["proofChallenge"])
    assert codes(await _login_with(gql, captcha, right, proof=proof)) == {
        None: "INVALID_CREDENTIALS"
    }
    # the captcha it belongs to is spent...
    again = await _login_with(gql, captcha, right, proof=proof)
    assert codes(again) == {"captchaAnswer": "CAPTCHA_INVALID"}
    # ...and a new captcha needs its own
    other = (await gql(CAPTCHA))["captcha"]
    payload = await _login_with(gql, other, answer(other["question"]), proof=proof)
    assert codes(payload) == {"captchaProof": "CAPTCHA_PROOF_INVALID"}


async def test_a_tampered_challenge_is_refused(gql) -> None:
    for change in ["signature", "keyPrefix", "keySignature", "cost", "expiresAt"]:
        captcha = (await gql(CAPTCHA))["captcha"]
        payload = _decode(solve_proof(captcha["proofChallenge"]))
        if change == "signature":
            payload["challenge"]["signature"] = "0" * 64  # (a real one: 2**-256 chance)
        elif change == "cost":
            payload["challenge"]["parameters"]["cost"] = 2
        elif change == "expiresAt":
            payload["challenge"]["parameters"]["expiresAt"] += 3600
        else:
            value = payload["challenge"]["parameters"][change]
            payload["challenge"]["parameters"][change] = ("1" if value[0] == "0" else "0") + value[
                1:
            ]
        result = await _login_with(
            gql, captcha, answer(captcha["question"]), proof=_encode(payload)
        )
        assert codes(result) == {"captchaProof": "CAPTCHA_PROOF_INVALID"}, change
    # unsigned (a client's own challenge), or without the key signature
    for strip in ["signature", "keySignature"]:
        captcha = (await gql(CAPTCHA))["captcha"]
        payload = _decode(solve_proof(captcha["proofChallenge"]))
        if strip == "signature":
            del payload["challenge"]["signature"]
        else:
            del payload["challenge"]["parameters"]["keySignature"]
        result = await _login_with(
            gql, captcha, answer(captcha["question"]), proof=_encode(payload)
        )
        assert codes(result) == {"captchaProof": "CAPTCHA_PROOF_INVALID"}, strip


async def test_a_proof_signed_by_another_server_is_refused(gql, settings) -> None:
    made = await make_captcha()
    other = settings.with_overrides(secret_key="another-server-secret-" + "z" * 32)
    payload = await _login_with(gql, str(made.id), "4", proof=captcha_proof(made, other))
    assert codes(payload) == {"captchaProof": "CAPTCHA_PROOF_INVALID"}
    made = await make_captcha()
    payload = await _login_with(gql, str(made.id), "4", proof=captcha_proof(made, settings))
    assert codes(payload) == {None: "INVALID_CREDENTIALS"}


async def test_an_expired_proof_is_refused(gql, settings) -> None:
    """The proof expires with its captcha (CAPTCHA_EXPIRED, above); one whose own signed expiry
    has passed is refused even for a captcha that is still valid."""
    made = await make_captcha(clock.now() + timedelta(minutes=5))
    early = Captcha(id=made.id, expires_at=clock.now() + timedelta(minutes=1))
    proof = captcha_proof(early, settings)
    clock.advance(minutes=2)
    payload = await _login_with(gql, str(made.id), "4", proof=proof)
    assert codes(payload) == {"captchaProof": "CAPTCHA_PROOF_INVALID"}


async def test_malformed_proofs_are_coded_errors(gql) -> None:
    bad = [
        "not base64 at all!",
        base64.b64encode(b"\xff\xfe").decode(),
        _encode([]),
        _encode("text"),
        _encode({"challenge": None, "solution": None, "test": True}),  # the widget's test mode
        _encode({"challenge": {"parameters": []}, "solution": {}}),
        _encode({"challenge": {"parameters": {}}, "solution": {"counter": 1}}),
        base64.b64encode(b"[" * 5000).decode()[:4000],
        "A" * 5000,
    ]
    for proof in bad:
        captcha = (await gql(CAPTCHA))["captcha"]
        payload = await _login_with(gql, captcha, answer(captcha["question"]), proof=proof)
        assert codes(payload) == {"captchaProof": "CAPTCHA_PROOF_INVALID"}, proof[:40]
