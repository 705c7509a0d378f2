"""Forgotten password → the link from the real SMTP server → a new password; then Your data:
a wrong postal code is refused beside the field, a new contact e-mail waits for the link sent to
it and takes effect on the confirmation landing."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from backend.demo import DEMO_EMAIL
from tests.e2e.spa import (
    check_screen,
    log_in,
    open_section,
    read_link,
    solve_captcha,
    wait_loaded,
)

NEW_PASSWORD = "Antena-Na-Dachu-I-Kawa-2027"
NEW_EMAIL = "anna.nowy.adres@example.com"


def test_password_reset_and_contact_data(live_server: Any, mailbox: Any, new_page: Any) -> None:
    base = live_server().url
    page = new_page()

    page.goto(base + "/login")
    wait_loaded(page)
    page.get_by_role("link", name="Nie pamiętasz hasła?").click()
    page.wait_for_url(base + "/forgot-password")
    wait_loaded(page)
    page.fill("#forgot-email", DEMO_EMAIL)
    solve_captcha(page, "forgot")
    page.locator("form button[type=submit]").click()
    page.locator(".notice-success").wait_for()
    check_screen(page, "forgot-password")

    token = read_link(mailbox, DEMO_EMAIL, "/reset-password")
    page.goto(f"{base}/reset-password?token={token}")
    wait_loaded(page)
    page.fill("#reset-newPassword", "qwerty123")
    page.locator("form button[type=submit]").click()
    page.locator("#reset-newPassword-error").wait_for()  # too weak, said beside the field
    page.fill("#reset-newPassword", NEW_PASSWORD)
    check_screen(page, "reset-password")
    page.locator("form button[type=submit]").click()
    page.locator(".notice-success").wait_for()

    log_in(page, base, DEMO_EMAIL, NEW_PASSWORD)

    open_section(page, "/your-data", "pl", phone=False)
    page.fill("#contact-data-postalCode", "0-0514")
    page.locator("#contact-data form button[type=submit]").click()
    page.locator("#contact-data-postalCode-error").wait_for()
    expect(page.locator("#contact-data-postalCode")).to_be_focused()
    page.fill("#contact-data-postalCode", "00-514")
    page.fill("#contact-data-email", NEW_EMAIL)
    page.locator("#contact-data form button[type=submit]").click()
    page.locator("#contact-data .notice-success", has_text=NEW_EMAIL).wait_for()

    token = read_link(mailbox, NEW_EMAIL, "/confirm-contact-email")
    page.goto(f"{base}/confirm-contact-email?token={token}")
    page.locator(".notice-success").wait_for()
    check_screen(page, "confirm-contact-email")
    page.goto(base + "/your-data")
    wait_loaded(page)
    expect(page.locator("#contact-data-email")).to_have_value(NEW_EMAIL)
    assert re.search(r"\d", page.locator("[data-testid=days-remaining]").first.inner_text())

    # An offer leads to the package's form in Services, preselected, with its price.
    open_section(page, "/offers", "pl", phone=False)
    offer = page.locator(".card.offer").first
    offer.get_by_role("link", name="Dodaj w usługach").click()
    page.wait_for_url(re.compile(r"/services\?add="))
    wait_loaded(page)
    form = page.locator("details.add-package[open]")
    expect(form).to_have_count(1)
    expect(form.locator("input[type=radio]:checked")).to_have_count(1)
    form.locator("[data-testid=package-quote]").wait_for()
    assert page.js_errors == [], page.js_errors
