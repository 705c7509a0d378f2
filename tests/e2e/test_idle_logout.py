"""The idle logout in a real browser, with a short configured timeout (20 s, so the warning comes
10 s before the end): the warning shows, "stay signed in" extends the session, background polling
does not, the logout happens, the login screen says why, and after logging in again the customer
is back on the same screen; the unsent form input is gone (issue 11 item 1: drafts are wiped at
an idle logout, the next person at the computer must not find them)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.spa import check_screen, log_in, open_section, session_expires_at

IDLE_SECONDS = 20


def _seconds(countdown: str) -> int:
    minutes, seconds = countdown.split(":")
    return int(minutes) * 60 + int(seconds)


def test_idle_logout_keeps_the_screen_and_the_input(live_server: Any, new_page: Any) -> None:
    server = live_server(ICOK_SESSION_IDLE_SECONDS=str(IDLE_SECONDS))
    base = server.url
    page = new_page()
    log_in(page, base)

    # Half-written contact form: nothing sent yet.
    open_section(page, "/contact", "pl", phone=False)
    page.select_option("#contact-form-topic", "BILLING")
    page.fill("#contact-form-subject", "Pytanie o fakturę za listopad")
    page.fill("#contact-form-body", "Dzień dobry, na fakturze widzę opłatę, której nie rozumiem.")

    # Background requests read the session without extending it.
    first = session_expires_at(page)
    page.wait_for_timeout(1100)
    assert session_expires_at(page) == first

    # The warning comes; "stay signed in" extends the session on the server.
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for(timeout=IDLE_SECONDS * 1000)
    check_screen(page, "idle-warning")
    # Keyboard: the dialog takes the focus to its button, Tab cannot leave it, Enter operates it.
    stay = dialog.get_by_role("button")
    expect(stay).to_be_focused()
    page.keyboard.press("Tab")
    expect(stay).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(stay).to_be_focused()
    assert (
        page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    )  # a visible focus ring
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert (
        _seconds(page.locator("[data-testid=session-countdown]").inner_text()) > IDLE_SECONDS // 2
    )
    later = session_expires_at(page)
    assert first is not None and later is not None and later > first

    # Then nothing: the warning again, and the logout.
    dialog.wait_for(timeout=IDLE_SECONDS * 1000)
    page.wait_for_url(re.compile(r"/login\?reason=idle"), timeout=IDLE_SECONDS * 1000)
    notice = page.locator("[data-testid=idle-logout-notice]")
    notice.wait_for()
    check_screen(page, "idle-logged-out")
    assert session_expires_at(page, background=False) is None  # the server ended it too

    # Log in again: back on the contact screen, the unsent input wiped.
    log_in(page, base, open_form=False, lands_on="/contact")
    expect(page.locator("#contact-form-subject")).to_have_value("")
    expect(page.locator("#contact-form-body")).to_have_value("")
    expect(page.locator("#contact-form-topic")).to_have_value("OTHER")
    assert page.js_errors == [], page.js_errors
