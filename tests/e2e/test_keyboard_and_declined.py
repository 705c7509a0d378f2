"""Keyboard only: the skip link comes first, the login form is filled and sent without a mouse,
and the skip link jumps past the menu. A declined payment on the provider's page comes back as
declined and changes nothing."""

from __future__ import annotations

import re
from typing import Any

from backend.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.e2e.spa import check_screen, solve_captcha, wait_loaded


def _active(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement.id || document.activeElement.className"))


def test_keyboard_only_login_and_a_declined_payment(live_server: Any, new_page: Any) -> None:
    base = live_server().url
    page = new_page()
    page.goto(base + "/login")
    wait_loaded(page)

    page.keyboard.press("Tab")
    assert _active(page) == "skip-link"
    for _ in range(10):
        if _active(page) == "login-login":
            break
        page.keyboard.press("Tab")
    assert _active(page) == "login-login"
    page.keyboard.type(DEMO_EMAIL)
    page.keyboard.press("Tab")
    assert _active(page) == "login-password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    assert _active(page) == "login-captchaAnswer"
    solve_captcha(page, "login")  # reads the task and types the result into that field
    assert _active(page) == "login-captchaAnswer"
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")
    wait_loaded(page)
    # After a screen change the focus is on the new screen's heading (screen readers read it).
    assert page.evaluate("() => document.activeElement.tagName") == "H1"

    page.reload()  # a fresh page: the skip link is the first stop again
    wait_loaded(page)
    page.keyboard.press("Tab")
    assert _active(page) == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside_main = page.evaluate("() => !!document.activeElement.closest('main')")
    assert inside_main, _active(page)

    # A top-up declined on the sandbox page: the result says so, the balance stays.
    page.goto(base + "/payments")
    wait_loaded(page)
    balance = page.locator("[data-testid=wallet-balance]").inner_text()
    page.fill("#top-up-amount", "20")
    page.select_option("#top-up-method", "CARD")
    page.locator("#wallet form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/sandbox-pay/"))
    page.locator("button.decline").click()
    page.wait_for_url(re.compile(r"/payments/return\?payment="))
    result = page.locator("[data-testid=payment-result]")
    result.wait_for()
    assert result.get_attribute("data-status") in ("failed", "cancelled")
    check_screen(page, "payment-declined")
    page.goto(base + "/payments")
    wait_loaded(page)
    assert page.locator("[data-testid=wallet-balance]").inner_text() == balance
    assert page.js_errors == [], page.js_errors
