"""A mobile app's device login (made through the API, as the app would) is listed on the
Security screen with the browser's session, and logging it out there ends its refresh token."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from playwright.sync_api import expect

from backend.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.api.account_helpers import captcha_fields
from tests.e2e.spa import check_accessibility, log_in, open_section

PHONE_APP = "ICOK/2.1 (Android 14; Pixel 8)"
LOGIN = """mutation($input: LoginInput!) {
  login(input: $input) { token refreshToken errors { code } } }"""
REFRESH = """mutation($t: String!) {
  refreshSession(input: {refreshToken: $t}) { refreshToken errors { code } } }"""


def _app_call(base: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The app's request: no cookie, its own User-Agent."""
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json", "User-Agent": PHONE_APP},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body: dict[str, Any] = json.load(response)
    assert "errors" not in body, body
    return body["data"]


def _device_login(base: str, device_name: str) -> str:
    captcha = _app_call(base, "{ captcha { id question proofChallenge } }")["captcha"]
    payload = _app_call(
        base,
        LOGIN,
        {
            "input": {
                "login": DEMO_EMAIL,
                "password": DEMO_PASSWORD,
                **captcha_fields(captcha),
                "bearer": True,
                "deviceName": device_name,
            }
        },
    )["login"]
    assert payload["errors"] == [] and payload["refreshToken"], payload
    token: str = payload["refreshToken"]
    return token


def test_security_lists_and_logs_out_a_device_login(live_server: Any, new_page: Any) -> None:
    base = live_server().url
    refresh_token = _device_login(base, "Telefon Anny")
    page = new_page()
    log_in(page, base)
    open_section(page, "/security", "pl", phone=False)

    device = page.locator("#sessions [data-testid=device-login]")
    expect(device).to_have_count(1)
    expect(device).to_contain_text("Telefon Anny")
    expect(device).to_contain_text("aplikacja mobilna")
    expect(device).to_contain_text("ICOK, Android")
    expect(device).to_contain_text("logowanie ważne do")
    expect(page.locator("#sessions .list-row")).to_have_count(2)  # the browser and the phone
    check_accessibility(page)

    page.get_by_role("button", name="Wyloguj Telefon Anny").click()
    expect(device).to_have_count(0)
    expect(page.locator("#sessions .list-row")).to_have_count(1)

    # The app's refresh token no longer works: it must log in again.
    refused = _app_call(base, REFRESH, {"t": refresh_token})["refreshSession"]
    assert refused == {"refreshToken": None, "errors": [{"code": "REFRESH_TOKEN_INVALID"}]}
    assert page.js_errors == [], page.js_errors
