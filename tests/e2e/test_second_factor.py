"""Two-step verification in the browser: turned on in Security (QR code, secret, first code,
recovery codes shown once; each step takes the focus), then a logout and a login that asks for
the code, and one with a recovery code typed into the app-code field."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import unquote

import pyotp
from playwright.sync_api import expect

from backend.demo import DEMO_EMAIL
from tests.e2e.spa import check_accessibility, fill_login, log_in, open_section, wait_loaded


def _log_out_and_in_to_the_code_step(page: Any) -> Any:
    """Logs out, sends the login form: the code step's app-code field, which has the focus."""
    page.locator(".topbar").get_by_role("button", name="Wyloguj").click()
    page.wait_for_url(re.compile(r"/login"))
    wait_loaded(page)
    fill_login(page)
    page.locator("form button[type=submit]").click()
    code = page.get_by_label("Kod z aplikacji")
    expect(code).to_be_focused()
    return code


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
    # Each new step takes the focus (the button that had it is gone), not <body>: the scan
    # instruction, one Tab from the code field.
    expect(card.locator("[data-testid=second-factor-scan]")).to_be_focused()
    page.keyboard.press("Tab")
    expect(card.get_by_label("Kod z aplikacji")).to_be_focused()
    secret = card.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    card.get_by_label("Kod z aplikacji").fill(totp.now())
    card.get_by_role("button", name="Potwierdź i włącz").click()
    codes = card.locator("[data-testid=recovery-codes] li")
    expect(codes).to_have_count(10)
    expect(card.locator("[data-testid=second-factor-on]")).to_be_focused()
    assert re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", codes.first.inner_text())
    recovery = [c.strip() for c in codes.all_inner_texts()]
    # The downloaded file says whose codes they are, where, when, and that each works once.
    href = card.get_by_role("link", name="Pobierz (.txt)").get_attribute("href") or ""
    lines = unquote(href.split(",", 1)[1]).splitlines()
    assert lines[0] == f"Kody odzyskiwania do ICOK ({base})"
    assert lines[1] == f"Konto: {DEMO_EMAIL}"
    assert lines[2].startswith("Utworzone: ") and re.search(r"\d{2}:\d{2}", lines[2])
    assert "Każdy kod działa tylko raz" in lines[3]
    assert lines[5:] == recovery
    check_accessibility(page)
    card.get_by_role("button", name="Zapisałem kody").click()
    expect(card.get_by_text("Włączona")).to_be_visible()
    expect(card.locator("[data-testid=second-factor-state]")).to_be_focused()
    expect(card.get_by_text("Niewykorzystane kody odzyskiwania: 10.")).to_be_visible()

    code = _log_out_and_in_to_the_code_step(page)
    assert code.get_attribute("autocomplete") == "one-time-code"
    assert code.get_attribute("inputmode") == "numeric"
    expect(page.get_by_role("button", name="Użyj kodu odzyskiwania")).to_be_visible()
    check_accessibility(page)
    # The first code used the current time step: the next step's code (accepted ±1 step).
    code.fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Potwierdź").click()
    page.wait_for_url(base + "/")
    wait_loaded(page)

    # A recovery code typed into the app-code field is taken whole, and works; a wrong code's
    # message points to the recovery codes.
    code = _log_out_and_in_to_the_code_step(page)
    code.fill("zzzzz-zzzzz")
    page.get_by_role("button", name="Potwierdź").click()
    expect(page.locator("[data-testid=second-factor-step] .field-error")).to_contain_text(
        "kodów odzyskiwania"
    )
    code.fill(recovery[0])
    assert code.input_value() == recovery[0]
    page.get_by_role("button", name="Potwierdź").click()
    page.wait_for_url(base + "/")
    wait_loaded(page)
    assert page.js_errors == [], page.js_errors
