"""Start lists the first 5 unpaid invoices (the one due first on top) and says how many more
there are, linking to Payments (issue 17 item 4: the list is bounded), in Polish and English."""

from __future__ import annotations

import sqlite3
from typing import Any

from playwright.sync_api import expect

from backend.demo import DEMO_EMAIL
from tests.e2e.console import switch_language
from tests.e2e.spa import log_in, wait_loaded


def test_start_shows_five_unpaid_invoices_and_how_many_more(
    live_server: Any, new_page: Any
) -> None:
    server = live_server()
    with sqlite3.connect(server.data_dir / "icok.sqlite3") as db:
        reopened = db.execute(
            "UPDATE invoice SET status = 'unpaid', paid_at = NULL WHERE customer_id = ("
            " SELECT id FROM customer WHERE email = ?)",
            (DEMO_EMAIL,),
        ).rowcount
    assert reopened > 5
    page = new_page()
    log_in(page, server.url)
    wait_loaded(page)
    card = page.locator("#home-payments")
    expect(card.locator(".list-row")).to_have_count(5)
    more = card.locator("#home-more-invoices a")
    expect(more).to_have_text(f"i jeszcze {reopened - 5} w Płatnościach →")
    switch_language(page, "en")
    expect(more).to_have_text(f"and {reopened - 5} more in Payments →")
    more.click()
    page.wait_for_url(server.url + "/payments")
    wait_loaded(page)
