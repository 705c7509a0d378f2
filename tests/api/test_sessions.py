"""Sessions after a real login: idle and absolute limits, background requests, logout, the list
of sessions with revoke, and ending the other sessions."""

from __future__ import annotations

from datetime import datetime

import pytest

from backend.clock import clock
from backend.models import AuditEvent, Session
from backend.models.enums import AuditKind
from backend.schema.context import SESSION_COOKIE
from backend.schema.relay import to_global_id
from tests.api.account_helpers import VIEWER, login
from tests.factories import STRONG_PASSWORD, make_user
from tests.statements import count_statements

SESSION = "{ viewer { session { expiresAt lastActivityAt absoluteExpiresAt } } }"
SESSIONS = """{ viewer { sessions {
  id device userAgent ip kind createdAt lastActivityAt expiresAt current } } }"""
LOGOUT = "mutation { logout { ok errors { code } } }"
LOGOUT_OTHERS = "mutation { logoutOtherSessions { revokedCount errors { code } } }"
REVOKE = """
mutation($id: ID!) { revokeSession(input: {sessionId: $id}) { ok errors { field code } } }"""
BACKGROUND = {"X-Icok-Background": "1"}
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
PHONE_APP = "ICOK/2.1 (Android 14; Pixel 8)"


@pytest.fixture
def settings(settings, request):
    idle = request.node.get_closest_marker("idle_seconds")
    return settings.with_overrides(
        session_idle_seconds=idle.args[0] if idle else 600, session_max_seconds=1800
    )


async def _bearer(gql, person, user_agent: str = PHONE_APP) -> dict[str, str]:
    payload = await login(
        gql, person.email, STRONG_PASSWORD, bearer=True, headers={"User-Agent": user_agent}
    )
    return {"Authorization": f"Bearer {payload['token']}"}


async def test_idle_timeout_after_real_login(gql, settings) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    clock.advance(seconds=599)
    assert (await gql(VIEWER))["viewer"] is not None  # activity restarts the timer
    clock.advance(seconds=599)
    assert (await gql(VIEWER))["viewer"] is not None
    clock.advance(seconds=601)
    assert (await gql(VIEWER))["viewer"] is None


async def test_absolute_lifetime_after_real_login(gql, settings) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    for _ in range(3):
        clock.advance(seconds=550)
        assert (await gql(VIEWER))["viewer"] is not None
    expires = datetime.fromisoformat((await gql(SESSION))["viewer"]["session"]["expiresAt"])
    absolute = (await gql(SESSION))["viewer"]["session"]["absoluteExpiresAt"]
    assert expires == datetime.fromisoformat(absolute)  # the countdown shows the nearer limit
    clock.advance(seconds=151)
    assert (await gql(VIEWER))["viewer"] is None


async def test_background_requests_do_not_extend(gql, settings) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    first = (await gql(SESSION))["viewer"]["session"]
    clock.advance(seconds=300)
    polled = (await gql(SESSION, headers=BACKGROUND))["viewer"]["session"]
    assert polled["expiresAt"] == first["expiresAt"]
    assert polled["lastActivityAt"] == first["lastActivityAt"]
    for _ in range(3):
        clock.advance(seconds=99)
        assert (await gql(VIEWER, headers=BACKGROUND))["viewer"] is not None
    clock.advance(seconds=4)  # 601 s after the last user request
    assert (await gql(VIEWER, headers=BACKGROUND))["viewer"] is None
    assert (await gql(VIEWER))["viewer"] is None


async def test_logout_revokes_server_side(client, gql, settings) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    cookie = client.cookies[SESSION_COOKIE]
    response = await client.post("/graphql", json={"query": LOGOUT})
    assert response.json()["data"]["logout"] == {"ok": True, "errors": []}
    assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"]
    assert "max-age=0" in response.headers["set-cookie"].lower()
    # the old cookie, replayed, no longer works
    replay = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
    client.cookies.clear()
    assert (await gql(VIEWER, headers=replay))["viewer"] is None
    session = await Session.get()
    assert session.revoked_at is not None
    assert await AuditEvent.exists(kind=AuditKind.LOGOUT, customer_id=person.customer.id)
    # logging out again (or while logged out) is harmless
    assert (await gql(LOGOUT))["logout"] == {"ok": True, "errors": []}


async def test_bearer_logout(gql, settings) -> None:
    person = await make_user(settings)
    auth = await _bearer(gql, person)
    assert (await gql(LOGOUT, headers=auth))["logout"]["ok"] is True
    assert (await gql(VIEWER, headers=auth))["viewer"] is None


async def test_list_of_sessions(gql, settings) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD, headers={"User-Agent": FIREFOX})
    await _bearer(gql, person)
    clock.advance(seconds=31)  # activity is recorded to 30 s (sessions.ACTIVITY_RESOLUTION)
    sessions = (await gql(SESSIONS, headers={"User-Agent": FIREFOX}))["viewer"]["sessions"]
    assert [s["current"] for s in sessions] == [True, False]  # most recently used first
    browser, phone = sessions
    assert browser["device"] == "Firefox, Linux" and browser["kind"] == "cookie"
    assert phone["device"] == "ICOK, Android" and phone["kind"] == "bearer"
    assert phone["userAgent"] == PHONE_APP and phone["ip"] == "127.0.0.1"
    assert datetime.fromisoformat(browser["lastActivityAt"]) > datetime.fromisoformat(
        phone["lastActivityAt"]
    )


async def test_a_user_agent_is_stored_without_control_characters(gql, settings) -> None:
    """The header is the client's text too: a tab and bytes 0x80-0x9F (C1 controls, e.g. the
    escape sequence introducer 0x9B) pass HTTP parsing; they are shown as U+FFFD."""
    person = await make_user(settings)
    raw = b"ICOK/2.1\t(Android 14; \x9b2J\xe2\x80\xaePixel 8)"  # the last: UTF-8 of U+202E
    await login(gql, person.email, STRONG_PASSWORD, bearer=True, headers={"User-Agent": raw})
    stored = await Session.get(account__customer_id=person.customer.id)
    # Starlette decodes headers as Latin-1, so U+202E's UTF-8 bytes arrive as "\xe2\x80\xae"
    assert stored.user_agent == "ICOK/2.1\ufffd(Android 14; \ufffd2J\xe2\ufffd\xaePixel 8)"


async def test_sessions_list_hides_ended_ones(gql, settings) -> None:
    person = await make_user(settings)
    await _bearer(gql, person)
    clock.advance(seconds=601)  # the phone session is idle now
    await login(gql, person.email, STRONG_PASSWORD)
    sessions = (await gql(SESSIONS))["viewer"]["sessions"]
    assert len(sessions) == 1 and sessions[0]["current"]


async def test_revoke_own_session(gql, settings) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    phone = await _bearer(gql, person)
    sessions = (await gql(SESSIONS))["viewer"]["sessions"]
    other = next(s for s in sessions if not s["current"])
    assert (await gql(REVOKE, {"id": other["id"]}))["revokeSession"] == {"ok": True, "errors": []}
    assert (await gql(VIEWER, headers=phone))["viewer"] is None
    assert (await gql(VIEWER))["viewer"] is not None
    again = (await gql(REVOKE, {"id": other["id"]}))["revokeSession"]
    assert again["errors"] == [{"field": "sessionId", "code": "NOT_FOUND"}]
    assert await AuditEvent.exists(kind=AuditKind.SESSION_REVOKED)


async def test_cannot_revoke_another_customers_session(gql, settings) -> None:
    alice = await make_user(settings)
    bob = await make_user(settings)
    bob_auth = await _bearer(gql, bob)
    bob_session = await Session.get()
    await login(gql, alice.email, STRONG_PASSWORD)
    for bad in [
        to_global_id("AccountSession", bob_session.id),
        to_global_id("AccountSession", 0),
        to_global_id("AccountSession", 2**40),
        to_global_id("Invoice", bob_session.id),
        str(bob_session.id),
        "-1",
        "abc",
        "9" * 30,
        "",
    ]:
        payload = (await gql(REVOKE, {"id": bad}))["revokeSession"]
        assert payload["errors"] == [{"field": "sessionId", "code": "NOT_FOUND"}], bad
    assert (await gql(VIEWER, headers=bob_auth))["viewer"] is not None


async def test_revoke_current_session_clears_cookie(client, gql, settings) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    [current] = (await gql(SESSIONS))["viewer"]["sessions"]
    response = await client.post(
        "/graphql", json={"query": REVOKE, "variables": {"id": current["id"]}}
    )
    assert response.json()["data"]["revokeSession"]["ok"] is True
    assert "max-age=0" in response.headers["set-cookie"].lower()
    assert (await gql(VIEWER))["viewer"] is None


async def test_logout_other_sessions(gql, settings) -> None:
    person = await make_user(settings)
    phones = [await _bearer(gql, person) for _ in range(2)]
    await login(gql, person.email, STRONG_PASSWORD)
    payload = (await gql(LOGOUT_OTHERS))["logoutOtherSessions"]
    assert payload == {"revokedCount": 2, "errors": []}
    for phone in phones:
        assert (await gql(VIEWER, headers=phone))["viewer"] is None
    assert (await gql(VIEWER))["viewer"] is not None
    assert (await gql(LOGOUT_OTHERS))["logoutOtherSessions"]["revokedCount"] == 0


async def test_session_mutations_need_a_login(gql) -> None:
    for query, variables in [(LOGOUT_OTHERS, {}), (REVOKE, {"id": "1"})]:
        body = await gql(query, variables, expect_errors=True)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


async def test_an_oversized_user_agent_is_cut_once_for_the_session_and_the_audit(
    gql, settings
) -> None:
    person = await make_user(settings)
    huge = "Mozilla/5.0 " + "x" * 5000
    await _bearer(gql, person, user_agent=huge)
    session = await Session.get(account__customer_id=person.customer.id)
    assert session.user_agent == huge[:300]
    event = await AuditEvent.filter(kind=AuditKind.LOGIN).first()
    assert event is not None and event.user_agent == huge[:300]


def _session_writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("UPDATE") and "session" in s]


async def _stored_activity(person) -> datetime:
    return (await Session.get(account__customer_id=person.customer.id)).last_activity_at


async def test_activity_is_written_at_most_every_30_seconds(gql, settings) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    logged_in = await _stored_activity(person)
    clock.advance(seconds=29)
    with count_statements() as seen:
        assert (await gql(VIEWER))["viewer"] is not None
    assert _session_writes(seen) == []  # 29 s: the stored activity is fresh enough
    assert await _stored_activity(person) == logged_in
    clock.advance(seconds=2)  # 31 s after the login
    with count_statements() as seen:
        assert (await gql(VIEWER))["viewer"] is not None
    assert len(_session_writes(seen)) == 1
    assert await _stored_activity(person) == clock.now()


async def test_idle_timeout_holds_to_the_30_second_resolution(gql, settings) -> None:
    """The session ends 600 s after its stored activity: between 570 and 600 s after the last
    user request, never later."""
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    clock.advance(seconds=29)
    assert (await gql(VIEWER))["viewer"] is not None  # not recorded (29 s < 30 s)
    expires = datetime.fromisoformat((await gql(SESSION))["viewer"]["session"]["expiresAt"])
    clock.advance(seconds=570)  # 599 s after the login, 570 s after the last request
    assert (await gql(VIEWER, headers=BACKGROUND))["viewer"] is not None
    clock.advance(seconds=1)  # 600 s after the recorded activity: the countdown said so
    assert clock.now() == expires
    assert (await gql(VIEWER, headers=BACKGROUND))["viewer"] is None
    assert (await gql(VIEWER))["viewer"] is None

    await login(gql, person.email, STRONG_PASSWORD)
    clock.advance(seconds=30)
    assert (await gql(VIEWER))["viewer"] is not None  # 30 s: recorded
    clock.advance(seconds=599)  # 629 s after the login, 599 s after the last request
    assert (await gql(VIEWER, headers=BACKGROUND))["viewer"] is not None
    clock.advance(seconds=1)
    assert (await gql(VIEWER))["viewer"] is None


async def test_background_requests_never_write_the_activity(gql, settings) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    logged_in = await _stored_activity(person)
    for _ in range(5):
        clock.advance(seconds=100)
        with count_statements() as seen:
            assert (await gql(VIEWER, headers=BACKGROUND))["viewer"] is not None
        assert _session_writes(seen) == []
    assert await _stored_activity(person) == logged_in


@pytest.mark.idle_seconds(30)  # development's quick check (README)
async def test_a_short_idle_time_records_activity_to_a_tenth_of_it(gql, settings) -> None:
    person = await make_user(settings)
    await login(gql, person.email, STRONG_PASSWORD)
    clock.advance(seconds=20)
    assert (await gql(VIEWER))["viewer"] is not None  # 20 s ≥ 3 s: recorded
    clock.advance(seconds=20)  # 40 s after the login, 20 s after the last request
    assert (await gql(VIEWER))["viewer"] is not None
    clock.advance(seconds=30)
    assert (await gql(VIEWER))["viewer"] is None
