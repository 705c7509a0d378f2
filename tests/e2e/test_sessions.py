"""Two browsers, one customer: the Security screen lists both sessions and logs the other one
out; the other browser notices at its next request and sends the customer to the login screen
saying the session ended."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.spa import log_in, open_section


def test_logging_out_the_other_sessions(live_server: Any, new_page: Any) -> None:
    base = live_server().url
    laptop = new_page()
    phone = new_page(width=390, height=844, user_agent="Mozilla/5.0 (iPhone) Safari/605.1")
    log_in(laptop, base)
    log_in(phone, base)

    open_section(laptop, "/security", "pl", phone=False)
    sessions = laptop.locator("#sessions .list-row")
    expect(sessions).to_have_count(2)
    laptop.locator("#sessions").get_by_role("button", name="Wyloguj pozostałe").click()
    expect(sessions).to_have_count(1)

    # The activity history pages through the connection.
    events = laptop.locator("[data-testid=activity] > li")
    expect(events).to_have_count(10)
    laptop.get_by_role("button", name="Pokaż więcej").click()
    expect(events).not_to_have_count(10)
    assert events.count() > 10

    # The phone's next screen needs the server: it learns the session is gone.
    phone.locator(".menu-toggle").click()
    phone.locator("#main-nav").get_by_role("link", name="Płatności").click()
    phone.wait_for_url(re.compile(r"/login\?reason=ended"))
    phone.locator(".notice-warning").wait_for()
    # ... and after logging in again it is back where it was going.
    log_in(phone, base, open_form=False, lands_on="/payments")
    assert laptop.js_errors == [] and phone.js_errors == [], (laptop.js_errors, phone.js_errors)
