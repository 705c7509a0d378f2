"""Two-step verification in the browser: turned on in Security (QR code, secret, first code,
recovery codes shown once), then a logout and a login that asks for the code."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
from playwright.sync_api import expect

from tests.e2e.spa import check_accessibility, fill_login, log_in, open_section, wait_loaded


def test_turn_on_two_step_verification_and_log_in_with_a_code(
    live_server: Any, new_page: Any
) -> None:
    base = live_server().url
    page = new_page()
    log_in(page, base)
    open_section(page, "/security", "pl", phone=False)
    card = page.locator("#second-factor")
    card.get_by_role("button", name="Włącz weryfikację dwuetapową").click()
    expect(card.locator("img.qr-code")).to_be_visible()
    secret = card.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    card.get_by_label("Kod z aplikacji").fill(totp.now())
    card.get_by_role("button", name="Potwierdź i włącz").click()
    codes = card.locator("[data-testid=recovery-codes] li")
    expect(codes).to_have_count(10)
    assert re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", codes.first.inner_text())
    check_accessibility(page)
    card.get_by_role("button", name="Zapisałem kody").click()
    expect(card.get_by_text("Włączona")).to_be_visible()
    expect(card.get_by_text("Niewykorzystane kody odzyskiwania: 10.")).to_be_visible()

    page.locator(".topbar").get_by_role("button", name="Wyloguj").click()
    page.wait_for_url(re.compile(r"/login"))
    wait_loaded(page)
    fill_login(page)
    page.locator("form button[type=submit]").click()
    code = page.get_by_label("Kod z aplikacji")
    expect(code).to_be_focused()
    assert code.get_attribute("autocomplete") == "one-time-code"
    assert code.get_attribute("inputmode") == "numeric"
    expect(page.get_by_role("button", name="Użyj kodu odzyskiwania")).to_be_visible()
    check_accessibility(page)
    # The first code used the current time step: the next step's code (accepted ±1 step).
    code.fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Potwierdź").click()
    page.wait_for_url(base + "/")
    wait_loaded(page)
    assert page.js_errors == [], page.js_errors
