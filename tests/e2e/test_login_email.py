"""Your data shows the login e-mail and changes it: a wrong password is said beside the field,
the right one sends the link (read from the real SMTP server) and the current address is told;
the confirmation landing makes the new address the login, in another browser as well."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from backend.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.e2e.spa import check_screen, log_in, open_section, read_link, wait_loaded

NEW_LOGIN = "anna.login@example.com"


def test_change_the_login_email(live_server: Any, mailbox: Any, new_page: Any) -> None:
    base = live_server().url
    page = new_page()
    log_in(page, base)
    open_section(page, "/your-data", "pl", phone=False)
    card = page.locator("#login-email")
    expect(card.get_by_test_id("login-email")).to_have_text(DEMO_EMAIL)

    page.fill("#login-email-email", NEW_LOGIN)
    page.fill("#login-email-currentPassword", "Nie-To-Haslo-2026")
    card.locator("button[type=submit]").click()
    page.locator("#login-email-currentPassword-error").wait_for()
    expect(page.locator("#login-email-currentPassword")).to_be_focused()
    page.fill("#login-email-currentPassword", DEMO_PASSWORD)
    card.locator("button[type=submit]").click()
    card.locator(".notice-success", has_text=NEW_LOGIN).wait_for()
    expect(card.get_by_test_id("login-pending")).to_have_text(NEW_LOGIN)
    expect(card.get_by_test_id("login-email")).to_have_text(DEMO_EMAIL)
    expect(page.locator("#login-email-currentPassword")).to_have_value("")  # never kept
    check_screen(page, "your-data-login-email")

    token = read_link(mailbox, NEW_LOGIN, "/confirm-login-email")
    page.goto(f"{base}/confirm-login-email?token={token}")
    page.locator(".notice-success").wait_for()
    check_screen(page, "confirm-login-email")
    page.goto(base + "/your-data")
    wait_loaded(page)
    expect(page.locator("#login-email").get_by_test_id("login-email")).to_have_text(NEW_LOGIN)
    expect(page.locator("#login-email").get_by_test_id("login-pending")).to_have_count(0)
    told = {m["Subject"] for m in mailbox.messages(DEMO_EMAIL)}
    assert "ICOK: prośba o zmianę adresu logowania" in told, told

    other = new_page()
    log_in(other, base, NEW_LOGIN, DEMO_PASSWORD)
    assert page.js_errors == [] and other.js_errors == [], (page.js_errors, other.js_errors)
