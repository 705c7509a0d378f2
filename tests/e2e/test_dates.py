"""The SPA shows the server's calendar days as they are, and instants in Warsaw time, whatever
time zone the browser is in (issue 11, item 2): a due date "2026-12-01" is 1 December in
Honolulu (UTC-10) and on Kiritimati (UTC+14) too, and a payment made at 2026-11-30T23:30Z was
made on 1 December at 00:30 (Warsaw). The Payments screen's due dates are the API's."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.spa import log_in, open_section, wait_loaded

FORMAT = """async () => {
  const i18n = await import('/js/i18n.js');
  return {
    date: i18n.formatDate('2026-12-01'),
    short: i18n.formatShortDate('2026-12-01'),
    newYear: i18n.formatShortDate('2027-01-01'),
    instantDay: i18n.formatShortDate('2026-11-30T23:30:00+00:00'),
    summerDay: i18n.formatShortDate('2026-06-30T22:30:00+00:00'),
    dateTime: i18n.formatDateTime('2026-11-30T23:30:00+00:00'),
    month: i18n.formatPeriod('2026-11-01', '2026-11-30'),
    february: i18n.formatPeriod('2028-02-01', '2028-02-29'),
    part: i18n.formatPeriod('2026-11-15', '2026-11-30'),
  };
}"""


@pytest.mark.parametrize("zone", ["Pacific/Honolulu", "Pacific/Kiritimati", "Europe/Warsaw"])
def test_dates_do_not_move_with_the_browser_zone(
    zone: str, live_server: Any, new_page: Any
) -> None:
    base = live_server().url
    page = new_page(timezone_id=zone)
    page.goto(base + "/login")
    wait_loaded(page)
    assert page.evaluate(FORMAT) == {
        "date": "1 grudnia 2026",
        "short": "01.12.2026",
        "newYear": "01.01.2027",
        "instantDay": "01.12.2026",
        "summerDay": "01.07.2026",
        "dateTime": "1 gru 2026, 00:30",
        "month": "listopad 2026",
        "february": "luty 2028",
        "part": "15.11.2026 – 30.11.2026",
    }
    assert page.js_errors == []


def test_payments_show_the_api_due_dates_in_a_far_zone(live_server: Any, new_page: Any) -> None:
    base = live_server().url
    page = new_page(timezone_id="Pacific/Honolulu")
    log_in(page, base)
    open_section(page, "/payments", "pl", phone=False)
    rows = page.locator("#invoices tbody tr")
    expect(rows.first).to_be_visible()
    answer = page.request.post(
        base + "/graphql",
        data={"query": "{ viewer { invoices(first: 6) { nodes { number dueOn } } } }"},
        headers={"Content-Type": "application/json"},
    ).json()
    expected = [
        [n["number"], f"{date.fromisoformat(n['dueOn']):%d.%m.%Y}"]
        for n in answer["data"]["viewer"]["invoices"]["nodes"]
    ]
    shown = [
        [row.locator(".c-number").inner_text(), row.locator(".c-due").inner_text()]
        for row in rows.all()
    ]
    assert shown == expected
    assert page.js_errors == []
