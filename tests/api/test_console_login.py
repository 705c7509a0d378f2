"""Console login: password, then a TOTP code or a recovery code, or the enrolment at the first
login; lockout counted before the verdict; the ``icok_staff`` cookie; nothing but the second
factor for a password-only session; logout."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pyotp
import pytest

from backend.clock import clock, now
from backend.config import Settings
from backend.models import AuditEvent, StaffMember, StaffRecoveryCode, StaffSession
from backend.models.enums import AuditKind, StaffRole
from backend.services import housekeeping, sessions, staff
from backend.services.operator_keys import Scope
from tests.conftest import GraphQLClient
from tests.factories import (
    STAFF_PASSWORD,
    STRONG_PASSWORD,
    TOTP_SECRET,
    login_as,
    make_api_key,
    make_meta,
    make_staff,
    make_staff_session,
    make_user,
    totp_code,
)

LOGIN = """mutation($input: StaffLoginInput!) { staffLogin(input: $input) {
  session { stage expiresAt idleTimeoutSeconds staff { name email role } }
  enrolment { secret uri qrCode }
  errors { field code message } } }"""
SECOND = """mutation($input: StaffSecondFactorInput!) { staffSecondFactor(input: $input) {
  session { stage expiresAt staff { name } } recoveryCodes errors { field code message } } }"""
ME = "{ me { stage expiresAt idleTimeoutSeconds staff { email role } } }"
STAFF_LIST = "{ staffMembers { email } }"


async def _login(
    console: GraphQLClient, email: str, password: str = STAFF_PASSWORD, **headers: str
) -> dict[str, Any]:
    data = await console(
        LOGIN, {"input": {"email": email, "password": password}}, headers=headers or None
    )
    return data["staffLogin"]


async def _second(console: GraphQLClient, code: str, recovery: bool = False) -> dict[str, Any]:
    data = await console(SECOND, {"input": {"code": code, "recovery": recovery}})
    return data["staffSecondFactor"]


def _codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def test_password_then_totp_logs_in_with_a_new_cookie(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings, role=StaffRole.ADMIN)
    response = await client.post(
        "/console/graphql",
        json={
            "query": LOGIN,
            "variables": {"input": {"email": member.email.upper(), "password": STAFF_PASSWORD}},
        },
    )
    payload = response.json()["data"]["staffLogin"]
    assert payload["errors"] == []
    assert payload["session"]["stage"] == "SECOND_FACTOR"
    assert payload["session"]["idleTimeoutSeconds"] == 300
    assert payload["enrolment"] is None
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("icok_staff=")
    for attribute in ("HttpOnly", "Path=/console", "SameSite=strict"):
        assert attribute.lower() in cookie.lower(), cookie
    first_token = client.cookies.get("icok_staff")

    # Password only: nothing but the second factor.
    refused = await console(STAFF_LIST, expect_errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "SECOND_FACTOR_REQUIRED"
    assert (await console(ME))["me"]["stage"] == "SECOND_FACTOR"

    done = await _second(console, totp_code())
    assert done["errors"] == [] and done["session"]["stage"] == "DONE"
    assert done["recoveryCodes"] is None
    second_token = client.cookies.get("icok_staff")
    assert second_token and second_token != first_token  # no session fixation
    assert await staff.resolve_session(first_token or "") is None
    assert (await console(STAFF_LIST))["staffMembers"] == [{"email": member.email}]
    me = (await console(ME))["me"]
    assert me["stage"] == "DONE" and me["idleTimeoutSeconds"] == 900

    kinds = [e.kind for e in await AuditEvent.all().order_by("id")]
    assert kinds == [AuditKind.STAFF_LOGIN, AuditKind.STAFF_SECOND_FACTOR]
    event = await AuditEvent.get(kind=AuditKind.STAFF_SECOND_FACTOR)
    assert event.details["staff"] == member.id and event.details["staff_name"] == member.name
    assert event.customer_id is None


async def test_first_login_enrols_and_gives_recovery_codes_once(
    console: GraphQLClient, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings, enrolled=False)
    payload = await _login(console, member.email)
    assert payload["session"]["stage"] == "ENROL"
    enrolment = payload["enrolment"]
    secret = enrolment["secret"]
    assert enrolment["uri"].startswith("otpauth://totp/")
    assert "issuer=" in enrolment["uri"] and secret in enrolment["uri"]
    assert enrolment["qrCode"].startswith("data:image/svg+xml;base64,")
    wrong = await _second(console, "000000" if totp_code(secret) != "000000" else "111111")
    assert _codes(wrong) == ["INVALID_SECOND_FACTOR"] and wrong["errors"][0]["field"] == "code"
    # A recovery code cannot complete an enrolment (there are none yet).
    assert _codes(await _second(console, "abcde-fghjk", recovery=True)) == ["INVALID_SECOND_FACTOR"]
    done = await _second(console, totp_code(secret))
    assert done["errors"] == []
    codes = done["recoveryCodes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    row = await StaffMember.get(id=member.id)
    assert row.totp_secret == secret and row.totp_confirmed_at is not None
    stored = {c.code_hash for c in await StaffRecoveryCode.filter(staff_id=member.id)}
    assert len(stored) == 10 and not (stored & set(codes))  # only hashes are kept
    # The next login asks for a code, not an enrolment.
    again = await _login(console, member.email)
    assert again["session"]["stage"] == "SECOND_FACTOR" and again["enrolment"] is None


async def test_a_totp_code_is_accepted_once(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    code = totp_code()
    await _login(console, member.email)
    assert (await _second(console, code))["errors"] == []
    client.cookies.clear()
    await _login(console, member.email)
    replayed = await _second(console, code)
    assert _codes(replayed) == ["INVALID_SECOND_FACTOR"]
    # The next time step's code works (valid_window 1: a step either side).
    clock.advance(seconds=30)
    assert (await _second(console, totp_code()))["errors"] == []


async def test_codes_two_steps_away_are_refused(console: GraphQLClient, settings: Settings) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    await _login(console, member.email)
    old = pyotp.TOTP(TOTP_SECRET).at(now().timestamp() - 61)
    assert _codes(await _second(console, old)) == ["INVALID_SECOND_FACTOR"]
    late = pyotp.TOTP(TOTP_SECRET).at(now().timestamp() - 30)
    assert (await _second(console, late))["errors"] == []


async def test_a_recovery_code_works_once(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings, enrolled=False)
    secret = (await _login(console, member.email))["enrolment"]["secret"]
    codes = (await _second(console, totp_code(secret)))["recoveryCodes"]
    client.cookies.clear()
    await _login(console, member.email)
    done = await _second(console, " " + codes[3].upper() + " ", recovery=True)
    assert done["errors"] == [] and done["session"]["stage"] == "DONE"
    client.cookies.clear()
    await _login(console, member.email)
    assert _codes(await _second(console, codes[3], recovery=True)) == ["INVALID_SECOND_FACTOR"]
    assert (await StaffRecoveryCode.filter(staff_id=member.id, used_at__isnull=False).count()) == 1


async def test_concurrent_wrong_passwords_give_at_most_five_verdicts(
    app: Any, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    transport = httpx.ASGITransport(app=app)

    async def attempt(n: int) -> str:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            response = await c.post(
                "/console/graphql",
                json={
                    "query": LOGIN,
                    "variables": {"input": {"email": member.email, "password": f"wrong-{n}"}},
                },
            )
            return str(response.json()["data"]["staffLogin"]["errors"][0]["code"])

    results = await asyncio.gather(*(attempt(n) for n in range(60)))
    assert results.count("INVALID_CREDENTIALS") <= 4
    assert set(results) <= {"INVALID_CREDENTIALS", "ACCOUNT_LOCKED"}
    checked = await AuditEvent.filter(kind=AuditKind.STAFF_LOGIN_FAILED).count()
    assert checked <= 5  # at most five passwords were ever compared
    row = await StaffMember.get(id=member.id)
    assert row.locked_until is not None and row.locked_until > now()
    # Even the right password is refused while locked, then works after 15 minutes.
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        locked = GraphQLClient(c, "/console/graphql")
        assert _codes(await _login(locked, member.email)) == ["ACCOUNT_LOCKED"]
        clock.advance(minutes=15)
        assert (await _login(locked, member.email))["errors"] == []


async def test_wrong_codes_count_towards_the_lockout(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    await _login(console, member.email)
    wrong = "000000" if totp_code() != "000000" else "111111"
    results = [_codes(await _second(console, wrong)) for _ in range(5)]
    assert results[:4] == [["INVALID_SECOND_FACTOR"]] * 4
    assert results[4] == ["ACCOUNT_LOCKED"]
    # The lock ended the password-only session too.
    assert _codes(await _second(console, totp_code())) == ["NOT_AUTHENTICATED"]
    assert await AuditEvent.filter(kind=AuditKind.STAFF_LOCKED).count() == 1
    # A right password does not reset the count of wrong codes (a good login does).
    clock.advance(minutes=15)
    await _login(console, member.email)
    assert _codes(await _second(console, wrong)) == ["INVALID_SECOND_FACTOR"]
    assert (await _second(console, totp_code()))["errors"] == []
    assert (await StaffMember.get(id=member.id)).failed_logins == 0


@pytest.mark.parametrize(
    ("email", "password", "expected"),
    [
        ("", STAFF_PASSWORD, [("email", "REQUIRED")]),
        ("agent@operator.example", "", [("password", "REQUIRED")]),
        ("agent\x00@operator.example", "x", [("email", "INVALID_EMAIL")]),
        ("agent\x1b@operator.example", "x", [("email", "INVALID_EMAIL")]),
        ("a" * 10_000 + "@operator.example", "x", [("email", "TOO_LONG")]),
        ("not an e-mail", "x", [("email", "INVALID_EMAIL")]),
    ],
)
async def test_bad_login_input_gets_coded_errors(
    console: GraphQLClient, email: str, password: str, expected: list[tuple[str, str]]
) -> None:
    payload = await _login(console, email, password)
    assert [(e["field"], e["code"]) for e in payload["errors"]] == expected
    assert payload["session"] is None


@pytest.mark.parametrize("code", ["", "   ", "12\x0034", "\u202e123456", "9" * 10_000])
async def test_bad_codes_get_coded_errors(
    console: GraphQLClient, settings: Settings, code: str
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    await _login(console, member.email)
    payload = await _second(console, code)
    assert _codes(payload)[0] in {"REQUIRED", "INVALID_SECOND_FACTOR"}
    assert payload["session"] is None


async def test_unknown_and_disabled_members_get_the_same_answer(
    console: GraphQLClient, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings, disabled_at=now())
    disabled = await _login(console, member.email)
    unknown = await _login(console, "nobody@operator.example")
    assert disabled["errors"] == unknown["errors"]
    assert _codes(disabled) == ["INVALID_CREDENTIALS"]


async def test_logins_per_address_are_limited(console: GraphQLClient) -> None:
    for n in range(staff.IP_FAILURES):
        assert _codes(await _login(console, f"nobody{n}@operator.example")) == [
            "INVALID_CREDENTIALS"
        ]
    assert _codes(await _login(console, "nobody@operator.example")) == ["RATE_LIMITED"]


async def test_the_second_factor_needs_a_session(console: GraphQLClient) -> None:
    assert _codes(await _second(console, "123456")) == ["NOT_AUTHENTICATED"]


async def test_password_only_session_ends_after_five_minutes(
    console: GraphQLClient, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    await _login(console, member.email)
    clock.advance(minutes=5)
    assert (await console(ME))["me"] is None
    assert _codes(await _second(console, totp_code())) == ["NOT_AUTHENTICATED"]


async def test_idle_fifteen_minutes_logs_out(console: GraphQLClient, settings: Settings) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    await _login(console, member.email)
    await _second(console, totp_code())
    clock.advance(minutes=14)
    assert (await console(ME))["me"]["stage"] == "DONE"
    clock.advance(minutes=14)  # the last request extended it
    assert (await console(ME))["me"]["stage"] == "DONE"
    clock.advance(minutes=15)
    assert (await console(ME))["me"] is None
    refused = await console(STAFF_LIST, expect_errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


@pytest.mark.parametrize("value", ["1", "true"])
async def test_background_requests_do_not_extend_the_idle_timer(
    console: GraphQLClient, settings: Settings, value: str
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    await _login(console, member.email)
    await _second(console, totp_code())
    first = (await console(ME))["me"]
    background = {"X-Icok-Background": value}
    clock.advance(minutes=14)
    polled = (await console(ME, headers=background))["me"]
    assert polled["expiresAt"] == first["expiresAt"]  # read, not extended
    clock.advance(minutes=1)
    assert (await console(ME, headers=background))["me"] is None
    assert (await console(ME))["me"] is None


async def test_logout_ends_the_session(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    await _login(console, member.email)
    await _second(console, totp_code())
    token = client.cookies.get("icok_staff") or ""
    data = await console("mutation { staffLogout { ok errors { code } } }")
    assert data["staffLogout"]["ok"] is True
    assert await staff.resolve_session(token) is None
    assert (await StaffSession.get(staff_id=member.id)).revoked_at is not None
    assert await AuditEvent.filter(kind=AuditKind.STAFF_LOGOUT).count() == 1


async def test_customer_credentials_never_open_the_console(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    person = await make_user(settings)
    token = await login_as(client, settings, person.customer)
    assert (await console(ME))["me"] is None
    # The customer's token as a bearer, and as the staff cookie, are nobody here.
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await console(ME, headers=bearer))["me"] is None
    client.cookies.set("icok_staff", token)
    assert (await console(ME))["me"] is None
    refused = await console(STAFF_LIST, expect_errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    # Nor is an operator API key (with every scope).
    key = await make_api_key(*Scope)
    client.cookies.clear()
    assert (await console(ME, headers=key.headers))["me"] is None
    refused = await console(STAFF_LIST, headers=key.headers, expect_errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    # A customer's e-mail and password are no staff login.
    assert _codes(await _login(console, person.email, STRONG_PASSWORD)) == ["INVALID_CREDENTIALS"]
    assert sessions.hash_token(token) not in {s.token_hash for s in await StaffSession.all()}


async def test_one_code_in_two_concurrent_sessions_logs_in_once(
    app: Any, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as one,
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as two,
    ):
        consoles = [GraphQLClient(c, "/console/graphql") for c in (one, two)]
        for c in consoles:
            assert (await _login(c, member.email))["errors"] == []
        code = totp_code()
        results = await asyncio.gather(*(_second(c, code) for c in consoles))
    outcomes = sorted(tuple(_codes(r)) for r in results)
    assert outcomes == [(), ("INVALID_SECOND_FACTOR",)]


async def test_cross_site_and_form_posts_are_refused(client: httpx.AsyncClient) -> None:
    body = {"query": LOGIN, "variables": {"input": {"email": "a@b.example", "password": "x"}}}
    cross = await client.post(
        "/console/graphql", json=body, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    form = await client.post("/console/graphql", data={"query": LOGIN})
    assert form.status_code == 415
    assert await AuditEvent.all().count() == 0


# --- the security review: lockout without logout, no e-mail oracle, a fixed 5 minutes -----


async def _answers(console: GraphQLClient, email: str, n: int) -> list[tuple[str, Any]]:
    answers = []
    for i in range(n):
        payload = await _login(console, email, f"wrong-password-{i}")
        error = payload["errors"][0]
        answers.append((error["code"], error["message"]))
    return answers


async def test_known_unknown_and_disabled_emails_answer_the_same_sequence(
    console: GraphQLClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = await make_staff(password=STAFF_PASSWORD, settings=settings)
    disabled = await make_staff(password=STAFF_PASSWORD, settings=settings, disabled_at=now())
    bcrypt_calls: list[str] = []
    real_verify, real_dummy = staff.verify_password, staff.dummy_verify

    async def counted_verify(*args: Any) -> Any:
        bcrypt_calls.append("verify")
        return await real_verify(*args)

    async def counted_dummy(*args: Any) -> None:
        bcrypt_calls.append("dummy")
        await real_dummy(*args)

    monkeypatch.setattr(staff, "verify_password", counted_verify)
    monkeypatch.setattr(staff, "dummy_verify", counted_dummy)
    sequences = {}
    for email in (known.email, "Nobody@Operator.example", disabled.email):
        bcrypt_calls.clear()
        sequences[email] = await _answers(console, email, 7)
        assert len(bcrypt_calls) == 7, email  # the same bcrypt work, locked answers included
    expected = [("INVALID_CREDENTIALS",)] * 4 + [("ACCOUNT_LOCKED",)] * 3
    assert [a[:1] for a in sequences[known.email]] == expected
    assert sequences["Nobody@Operator.example"] == sequences[known.email]
    assert sequences[disabled.email] == sequences[known.email]
    # The same e-mail written otherwise is the same counter; after 15 minutes both start again.
    assert _codes(await _login(console, "nobody@operator.example", "x")) == ["ACCOUNT_LOCKED"]
    clock.advance(minutes=15)
    after_known = await _answers(console, known.email, 1)
    after_unknown = await _answers(console, "nobody@operator.example", 1)
    assert after_known == after_unknown == [after_known[0]]
    assert after_known[0][0] == "INVALID_CREDENTIALS"


async def test_concurrent_wrong_passwords_for_an_unknown_email_lock_it_too(app: Any) -> None:
    transport = httpx.ASGITransport(app=app)

    async def attempt(n: int) -> str:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            payload = await _login(GraphQLClient(c, "/console/graphql"), "ghost@operator.example")
            return str(payload["errors"][0]["code"])

    results = await asyncio.gather(*(attempt(n) for n in range(12)))
    assert results.count("INVALID_CREDENTIALS") <= 4
    assert set(results) <= {"INVALID_CREDENTIALS", "ACCOUNT_LOCKED"}
    assert "ACCOUNT_LOCKED" in results


async def test_a_cleanup_gives_an_unknown_email_no_more_guesses(
    console: GraphQLClient, settings: Settings
) -> None:
    """``icok cleanup`` keeps the failures counted for an e-mail of no member."""
    for _ in range(4):
        answer = await _login(console, "ghost@operator.example", "guess")
        assert _codes(answer) == ["INVALID_CREDENTIALS"]
    await housekeeping.cleanup(settings)
    assert _codes(await _login(console, "ghost@operator.example", "guess")) == ["ACCOUNT_LOCKED"]


async def test_a_lockout_keeps_the_members_verified_session(
    app: Any, console: GraphQLClient, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    await _login(console, member.email)
    assert (await _second(console, totp_code()))["errors"] == []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        attacker = GraphQLClient(c, "/console/graphql")
        answers = [_codes(await _login(attacker, member.email, "guess")) for _ in range(5)]
    assert answers[-1] == ["ACCOUNT_LOCKED"]
    assert (await StaffMember.get(id=member.id)).locked_until is not None
    assert (await console(ME))["me"]["stage"] == "DONE"
    assert await StaffSession.filter(staff_id=member.id, revoked_at__isnull=True).count() == 1


async def test_the_second_factor_window_does_not_slide(
    console: GraphQLClient, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    login = await _login(console, member.email)
    started = login["session"]["expiresAt"]
    wrong = "000000" if totp_code() != "000000" else "111111"
    clock.advance(minutes=4)
    assert _codes(await _second(console, wrong)) == ["INVALID_SECOND_FACTOR"]
    assert (await console(ME))["me"]["expiresAt"] == started
    clock.advance(seconds=61)
    assert (await console(ME))["me"] is None
    assert _codes(await _second(console, totp_code())) == ["NOT_AUTHENTICATED"]


# --- initial passwords: replaced at the first login, void after 72 hours -------------------

NEW_PASSWORD = """mutation($input: StaffChangeInitialPasswordInput!) {
  staffChangeInitialPassword(input: $input) {
    session { stage staff { email } } enrolment { secret } errors { field code message } } }"""


async def _new_password(console: GraphQLClient, password: str) -> dict[str, Any]:
    data = await console(NEW_PASSWORD, {"input": {"newPassword": password}})
    return data["staffChangeInitialPassword"]


async def _created(settings: Settings) -> tuple[StaffMember, str]:
    member, initial = await staff.create_staff(
        "nowa@operator.example", "Nowa Agentka", StaffRole.AGENT, make_meta(), settings=settings
    )
    assert initial is not None
    return member, initial


async def test_an_initial_password_is_replaced_before_the_enrolment(
    console: GraphQLClient, app: Any, settings: Settings
) -> None:
    member, initial = await _created(settings)
    assert member.initial_password_expires_at == now() + staff.INITIAL_PASSWORD_VALID
    other_token, _ = await make_staff_session(member)  # e.g. someone who saw the password
    login = await _login(console, member.email, initial)
    assert login["errors"] == []
    assert login["session"]["stage"] == "NEW_PASSWORD"
    assert login["enrolment"] is None  # no TOTP secret before the member's own password
    assert _codes(await _second(console, "123456")) == ["PASSWORD_CHANGE_REQUIRED"]
    refused = await console(STAFF_LIST, expect_errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "SECOND_FACTOR_REQUIRED"
    same = await _new_password(console, initial)
    assert [(e["field"], e["code"]) for e in same["errors"]] == [
        ("newPassword", "PASSWORD_UNCHANGED")
    ]
    weak = await _new_password(console, "nowa12345")
    assert weak["errors"] and weak["errors"][0]["field"] == "newPassword"
    empty = await _new_password(console, "")
    assert [(e["field"], e["code"]) for e in empty["errors"]] == [("newPassword", "REQUIRED")]
    changed = await _new_password(console, STRONG_PASSWORD)
    assert changed["errors"] == []
    assert changed["session"]["stage"] == "ENROL"
    secret = changed["enrolment"]["secret"]
    assert await staff.resolve_session(other_token) is None  # other sessions ended
    again = await _new_password(console, STRONG_PASSWORD + "x")
    assert _codes(again) == ["NOT_AUTHENTICATED"]
    done = await _second(console, pyotp.TOTP(secret).now())
    assert done["errors"] == [] and done["session"]["stage"] == "DONE"
    row = await StaffMember.get(id=member.id)
    assert row.initial_password_expires_at is None
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        fresh = GraphQLClient(c, "/console/graphql")
        assert _codes(await _login(fresh, member.email, initial)) == ["INVALID_CREDENTIALS"]
        ok = await _login(fresh, member.email, STRONG_PASSWORD)
        assert ok["errors"] == [] and ok["session"]["stage"] == "SECOND_FACTOR"


async def test_an_initial_password_stops_working_after_72_hours(
    console: GraphQLClient, settings: Settings
) -> None:
    member, initial = await _created(settings)
    clock.advance(hours=71, minutes=59)
    assert (await _login(console, member.email, initial))["session"]["stage"] == "NEW_PASSWORD"
    clock.advance(minutes=1)
    expired = await _login(console, member.email, initial)
    wrong = await _login(console, member.email, "not-the-password")
    assert expired["errors"] == wrong["errors"]
    assert _codes(expired) == ["INVALID_CREDENTIALS"]
    reasons = [
        e.details.get("reason")
        for e in await AuditEvent.filter(kind=AuditKind.STAFF_LOGIN_FAILED).order_by("id")
    ]
    assert reasons == ["initial_password_expired", None]


async def test_the_new_password_must_come_within_the_five_minutes(
    console: GraphQLClient, settings: Settings
) -> None:
    member, initial = await _created(settings)
    await _login(console, member.email, initial)
    clock.advance(minutes=5)
    assert _codes(await _new_password(console, STRONG_PASSWORD)) == ["NOT_AUTHENTICATED"]
    row = await StaffMember.get(id=member.id)
    assert row.initial_password_expires_at is not None
