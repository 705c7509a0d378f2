"""Mobile apps' device logins: ``login(bearer, deviceName)`` returns a refresh token,
``refreshSession`` rotates it, reuse of a spent one ends the whole family (OAuth 2.1 §4.3.1),
and the device logins are listed and revocable in Security."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from backend.clock import clock, now
from backend.models import Account, AuditEvent, RefreshToken, RefreshTokenFamily, Session
from backend.models.enums import AuditKind, TokenPurpose
from backend.services import housekeeping, password_reset
from tests.api.account_helpers import VIEWER, codes, solve_captcha
from tests.factories import STRONG_PASSWORD, make_meta, make_token, make_user

PHONE_APP = "ICOK/2.1 (Android 14; Pixel 8)"
LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) {
    token expiresAt refreshToken refreshTokenExpiresAt
    errors { field code message }
  }
}"""
REFRESH = """
mutation($token: String!) {
  refreshSession(input: {refreshToken: $token}) {
    token expiresAt refreshToken refreshTokenExpiresAt errors { field code message }
  }
}"""
DEVICE_LOGINS = """{ viewer {
  deviceLogins { id deviceName device ip createdAt lastUsedAt expiresAt current }
  sessions { id kind } } }"""
REVOKE_DEVICE = """
mutation($id: ID!) {
  revokeDeviceLogin(input: {deviceLoginId: $id}) { ok errors { field code } }
}"""
LOGOUT = "mutation { logout { ok errors { code } } }"
LOGOUT_OTHERS = "mutation { logoutOtherSessions { revokedCount errors { code } } }"
CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) { ok errors { field code } }
}"""
NEW_PASSWORD = "Zielony-Kangur-Skacze-2026!"


async def _device_login(gql: Any, email: str, device: str | None = "Pixel 8") -> dict[str, Any]:
    data = {
        "login": email,
        "password": STRONG_PASSWORD,
        "bearer": True,
        "deviceName": device,
        **await solve_captcha(gql),
    }
    payload = (await gql(LOGIN, {"input": data}, headers={"User-Agent": PHONE_APP}))["login"]
    assert payload["errors"] == [], payload
    return payload


async def _refresh(gql: Any, token: str) -> dict[str, Any]:
    return (await gql(REFRESH, {"token": token}, headers={"User-Agent": PHONE_APP}))[
        "refreshSession"
    ]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _logged_in(gql: Any, token: str) -> bool:
    return (await gql(VIEWER, headers=_bearer(token)))["viewer"] is not None


async def test_login_with_a_device_name_returns_a_refresh_token(gql, settings) -> None:
    person = await make_user(settings)
    payload = await _device_login(gql, person.email, "  Telefon   Ani ")
    assert payload["token"] and payload["refreshToken"]
    assert payload["refreshToken"] != payload["token"]
    expires = datetime.fromisoformat(payload["refreshTokenExpiresAt"])
    assert expires == now() + timedelta(days=90)
    family = await RefreshTokenFamily.get(account__customer_id=person.customer.id)
    assert family.device_name == "Telefon Ani" and family.user_agent == PHONE_APP
    session = await Session.get(account__customer_id=person.customer.id)
    assert session.family_id == family.id
    # only hashes are stored
    assert not await RefreshToken.exists(token_hash=payload["refreshToken"])
    login_event = await AuditEvent.get(kind=AuditKind.LOGIN, customer_id=person.customer.id)
    assert login_event.details["device"] == "Telefon Ani"


async def test_bearer_login_without_a_device_name_gets_no_refresh_token(gql, settings) -> None:
    person = await make_user(settings)
    payload = await _device_login(gql, person.email, None)
    assert payload["token"] and payload["refreshToken"] is None
    assert payload["refreshTokenExpiresAt"] is None
    assert not await RefreshTokenFamily.exists()


@pytest.mark.parametrize(
    ("device", "bearer", "code"),
    [
        ("   ", True, "REQUIRED"),
        ("x" * 101, True, "TOO_LONG"),
        ("Pixel\x1b[31m", True, "FORBIDDEN_CHARACTER"),
        ("Pixel 8", False, "INVALID"),
    ],
)
async def test_a_bad_device_name_is_refused(gql, settings, device, bearer, code) -> None:
    person = await make_user(settings)
    data = {
        "login": person.email,
        "password": STRONG_PASSWORD,
        "bearer": bearer,
        "deviceName": device,
        **await solve_captcha(gql),
    }
    payload = (await gql(LOGIN, {"input": data}))["login"]
    assert codes(payload) == {"deviceName": code}
    assert payload["token"] is None and not await Session.exists()


async def test_refresh_rotates_the_pair(gql, settings) -> None:
    person = await make_user(settings)
    first = await _device_login(gql, person.email)
    clock.advance(minutes=30)  # the access token has gone idle; the device is still logged in
    assert not await _logged_in(gql, first["token"])
    second = await _refresh(gql, first["refreshToken"])
    assert second["errors"] == []
    assert second["refreshToken"] not in (first["refreshToken"], None)
    assert second["refreshTokenExpiresAt"] == first["refreshTokenExpiresAt"]
    assert await _logged_in(gql, second["token"])
    assert datetime.fromisoformat(second["expiresAt"]) == now() + timedelta(
        seconds=settings.session_idle_seconds
    )
    third = await _refresh(gql, second["refreshToken"])
    assert third["errors"] == []
    # a family has one live access session: the previous one ended with the swap
    assert not await _logged_in(gql, second["token"])
    assert await _logged_in(gql, third["token"])
    family = await RefreshTokenFamily.get()
    assert family.last_used_at == now() and family.revoked_at is None


async def test_reusing_a_spent_token_ends_the_family(gql, settings) -> None:
    person = await make_user(settings)
    first = await _device_login(gql, person.email)
    second = await _refresh(gql, first["refreshToken"])
    assert await _logged_in(gql, second["token"])
    replay = await _refresh(gql, first["refreshToken"])
    assert codes(replay) == {"refreshToken": "REFRESH_TOKEN_INVALID"}
    assert replay["token"] is None and replay["refreshToken"] is None
    # the thief's replay ends everything the family issued: the live access token...
    assert not await _logged_in(gql, second["token"])
    # ...and the latest refresh token
    assert codes(await _refresh(gql, second["refreshToken"])) == {
        "refreshToken": "REFRESH_TOKEN_INVALID"
    }
    family = await RefreshTokenFamily.get()
    assert family.revoked_at is not None and family.revoked_reason == "reuse"
    event = await AuditEvent.get(kind=AuditKind.SESSION_REVOKED, customer_id=person.customer.id)
    assert event.details == {"reason": "refresh_token_reuse", "device": "Pixel 8"}


async def test_concurrent_double_refresh_at_most_one_wins_and_the_family_ends(
    gql, settings
) -> None:
    person = await make_user(settings)
    first = await _device_login(gql, person.email)
    results = await asyncio.gather(*(_refresh(gql, first["refreshToken"]) for _ in range(2)))
    winners = [r for r in results if r["errors"] == []]
    losers = [r for r in results if r["errors"]]
    # exactly one spends the token; the loser is reuse and ends the family, possibly before the
    # spender has its pair (PostgreSQL): then both are refused
    assert len(winners) <= 1 and len(losers) >= 1
    for loser in losers:
        assert codes(loser) == {"refreshToken": "REFRESH_TOKEN_INVALID"}
    family = await RefreshTokenFamily.get()
    assert family.revoked_reason == "reuse"
    # a pair the winner got is ended too: nothing of the family remains usable
    assert not await Session.filter(family_id=family.id, revoked_at__isnull=True).exists()
    for winner in winners:
        assert not await _logged_in(gql, winner["token"])
        assert codes(await _refresh(gql, winner["refreshToken"])) == {
            "refreshToken": "REFRESH_TOKEN_INVALID"
        }
    assert not await _logged_in(gql, first["token"])
    assert await RefreshToken.filter(family_id=family.id, spent_at__isnull=True).count() <= 1


@pytest.mark.parametrize(
    "token", ["", "nope", "x" * 129, "\x00", "a" * 43], ids=["empty", "short", "long", "nul", "43"]
)
async def test_unknown_tokens_get_the_same_answer(gql, settings, token) -> None:
    payload = await _refresh(gql, token)
    assert codes(payload) == {"refreshToken": "REFRESH_TOKEN_INVALID"}
    assert payload["errors"][0]["message"]


async def test_the_device_login_expires_after_90_days(gql, settings) -> None:
    person = await make_user(settings)
    pair = await _device_login(gql, person.email)
    for _ in range(8):  # in use all along: the login still ends 90 days after it began
        clock.advance(days=11)
        pair = await _refresh(gql, pair["refreshToken"])
        assert pair["errors"] == []
    clock.advance(days=2, seconds=-1)
    pair = await _refresh(gql, pair["refreshToken"])
    assert pair["errors"] == []
    clock.advance(seconds=1)  # 90 days after the login
    expired = await _refresh(gql, pair["refreshToken"])
    assert codes(expired) == {"refreshToken": "REFRESH_TOKEN_INVALID"}
    # an expired family is not reuse: nothing revoked, it just ended
    assert (await RefreshTokenFamily.get()).revoked_at is None
    # housekeeping removes it a day after it ended
    clock.advance(days=1)
    assert (await housekeeping.cleanup(settings)).device_logins == 1
    assert not await RefreshToken.exists() and not await Session.exists()


async def test_device_logins_are_listed_and_revocable_in_security(gql, settings) -> None:
    person = await make_user(settings)
    phone = await _device_login(gql, person.email, "Pixel 8")
    await _device_login(gql, person.email, "iPad")
    browser = await make_user(settings)  # another customer's device login is never listed
    await _device_login(gql, browser.email, "Obcy")
    clock.advance(minutes=5)
    phone = await _refresh(gql, phone["refreshToken"])
    viewer = (await gql(DEVICE_LOGINS, headers=_bearer(phone["token"])))["viewer"]
    listed = viewer["deviceLogins"]
    assert [d["deviceName"] for d in listed] == ["Pixel 8", "iPad"]  # most recently used first
    assert [d["current"] for d in listed] == [True, False]
    assert listed[0]["device"] == "ICOK, Android" and listed[0]["ip"] == "127.0.0.1"
    assert listed[0]["expiresAt"] == phone["refreshTokenExpiresAt"]
    assert datetime.fromisoformat(listed[0]["lastUsedAt"]) == now()
    # the device logins' access sessions are not listed a second time
    assert viewer["sessions"] == []

    ipad = listed[1]["id"]
    ipad_tokens = await RefreshTokenFamily.get(device_name="iPad")
    result = await gql(REVOKE_DEVICE, {"id": ipad}, headers=_bearer(phone["token"]))
    assert result["revokeDeviceLogin"] == {"ok": True, "errors": []}
    assert (await RefreshTokenFamily.get(id=ipad_tokens.id)).revoked_reason == "customer"
    assert not await Session.filter(family_id=ipad_tokens.id, revoked_at__isnull=True).exists()
    again = await gql(REVOKE_DEVICE, {"id": ipad}, headers=_bearer(phone["token"]))
    assert codes(again["revokeDeviceLogin"]) == {"deviceLoginId": "NOT_FOUND"}
    names = [
        d["deviceName"]
        for d in (await gql(DEVICE_LOGINS, headers=_bearer(phone["token"])))["viewer"][
            "deviceLogins"
        ]
    ]
    assert names == ["Pixel 8"]
    assert await AuditEvent.exists(
        kind=AuditKind.SESSION_REVOKED, customer_id=person.customer.id, details={"device": "iPad"}
    )


async def test_another_customers_device_login_is_not_found(gql, settings) -> None:
    alice = await make_user(settings)
    bob = await make_user(settings)
    alice_phone = await _device_login(gql, alice.email)
    bob_phone = await _device_login(gql, bob.email)
    bob_id = (await gql(DEVICE_LOGINS, headers=_bearer(bob_phone["token"])))["viewer"][
        "deviceLogins"
    ][0]["id"]
    for bad in (bob_id, "RGV2aWNlTG9naW46OTk5OTk5OTk5OTk=", "garbage"):
        result = await gql(REVOKE_DEVICE, {"id": bad}, headers=_bearer(alice_phone["token"]))
        assert codes(result["revokeDeviceLogin"]) == {"deviceLoginId": "NOT_FOUND"}
    assert await _logged_in(gql, bob_phone["token"])


async def test_logout_with_the_access_token_ends_the_device_login(gql, settings) -> None:
    person = await make_user(settings)
    pair = await _device_login(gql, person.email)
    assert (await gql(LOGOUT, headers=_bearer(pair["token"])))["logout"]["ok"] is True
    assert codes(await _refresh(gql, pair["refreshToken"])) == {
        "refreshToken": "REFRESH_TOKEN_INVALID"
    }
    assert (await RefreshTokenFamily.get()).revoked_reason == "logout"


async def test_a_password_change_ends_the_other_device_logins(gql, settings) -> None:
    person = await make_user(settings)
    phone = await _device_login(gql, person.email, "Pixel 8")
    tablet = await _device_login(gql, person.email, "iPad")
    changed = await gql(
        CHANGE_PASSWORD,
        {"input": {"currentPassword": STRONG_PASSWORD, "newPassword": NEW_PASSWORD}},
        headers=_bearer(phone["token"]),
    )
    assert changed["changePassword"] == {"ok": True, "errors": []}
    # the device that changed it stays logged in, the other one must log in again
    assert (await _refresh(gql, phone["refreshToken"]))["errors"] == []
    assert codes(await _refresh(gql, tablet["refreshToken"])) == {
        "refreshToken": "REFRESH_TOKEN_INVALID"
    }
    assert not await _logged_in(gql, tablet["token"])


async def test_logout_other_sessions_ends_device_logins(gql, settings) -> None:
    person = await make_user(settings)
    phone = await _device_login(gql, person.email, "Pixel 8")
    tablet = await _device_login(gql, person.email, "iPad")
    result = await gql(LOGOUT_OTHERS, headers=_bearer(phone["token"]))
    assert result["logoutOtherSessions"] == {"revokedCount": 1, "errors": []}
    assert codes(await _refresh(gql, tablet["refreshToken"])) == {
        "refreshToken": "REFRESH_TOKEN_INVALID"
    }
    assert (await _refresh(gql, phone["refreshToken"]))["errors"] == []


async def test_a_password_reset_ends_every_device_login(gql, settings) -> None:
    person = await make_user(settings)
    phone = await _device_login(gql, person.email)
    account = await Account.get(customer_id=person.customer.id)
    link = await make_token(account, TokenPurpose.RESET_PASSWORD)
    await password_reset.reset_password(link, NEW_PASSWORD, settings, make_meta())
    assert codes(await _refresh(gql, phone["refreshToken"])) == {
        "refreshToken": "REFRESH_TOKEN_INVALID"
    }
    assert not await _logged_in(gql, phone["token"])
    assert (await RefreshTokenFamily.get()).revoked_reason == "others"


async def test_logging_in_again_from_the_app_ends_its_previous_device_login(gql, settings) -> None:
    person = await make_user(settings)
    old = await _device_login(gql, person.email)
    data = {
        "login": person.email,
        "password": STRONG_PASSWORD,
        "bearer": True,
        "deviceName": "Pixel 8",
        **await solve_captcha(gql),
    }
    new = (await gql(LOGIN, {"input": data}, headers=_bearer(old["token"])))["login"]
    assert new["errors"] == [] and new["refreshToken"]
    assert codes(await _refresh(gql, old["refreshToken"])) == {
        "refreshToken": "REFRESH_TOKEN_INVALID"
    }
    assert (await _refresh(gql, new["refreshToken"]))["errors"] == []
    assert await RefreshTokenFamily.filter(revoked_at__isnull=True).count() == 1


async def test_cleanup_keeps_live_device_logins_and_recently_ended_ones(gql, settings) -> None:
    person = await make_user(settings)
    live = await _device_login(gql, person.email, "Pixel 8")
    ended = await _device_login(gql, person.email, "iPad")
    await gql(LOGOUT, headers=_bearer(ended["token"]))
    clock.advance(hours=23)
    assert (await housekeeping.cleanup(settings)).device_logins == 0
    clock.advance(hours=2)
    assert (await housekeeping.cleanup(settings)).device_logins == 1
    assert await RefreshTokenFamily.all().values_list("device_name", flat=True) == ["Pixel 8"]
    # the live one's spent tokens stay: presenting one again is still reuse
    assert (await _refresh(gql, live["refreshToken"]))["errors"] == []
    assert await RefreshToken.all().count() == 2
