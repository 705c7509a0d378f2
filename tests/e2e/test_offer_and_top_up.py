"""Money as the customer meets it (issue 11 items 4, 5 and 6): "Offer for you" → Services prices
and adds the package at the offer's price (and the offer is then gone), and the quote, the message
after adding and Start show one next invoice; a top-up outside the limits
the wallet shows is refused on the form, before any payment page."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.spa import log_in, wait_loaded

OFFER = "Canal+ Prestige: 3 miesiące za 1 zł"  # the demo customer's own offer


def test_an_offer_is_added_at_its_price(live_server: Any, new_page: Any) -> None:
    base = live_server().url
    page = new_page()
    log_in(page, base)
    page.goto(base + "/offers")
    wait_loaded(page)
    page.locator(".offer", has_text=OFFER).locator("a.btn").click()
    page.wait_for_url(re.compile(r"/services\?add=[^&]+&offer="))
    wait_loaded(page)
    quote = page.locator("[data-testid=package-quote]")
    quote.wait_for()
    text = quote.inner_text()
    assert "1,00\u00a0zł" in text, text  # this month's price: the offer's
    assert "49,99\u00a0zł" in text, text  # the list price after the offer
    # The customer's whole next invoice (issue 11.5): the same figure after adding and on Start.
    found = re.search(r"Najbliższa faktura \(([^)]+)\) za wszystkie usługi: ([\d\s,]+zł)", text)
    assert found, text
    invoice_on, next_total = found.groups()
    form = page.locator("details.add-package[open] form")
    form.locator("button[type=submit]").click()
    added = page.locator("main .add-package .notice-success, main .add-package .notice-error")
    added.first.wait_for(state="visible")  # the section stays open after the reload
    added = added.first
    assert "notice-success" in (added.get_attribute("class") or ""), added.text_content()
    assert "Canal+" in (added.text_content() or "")
    page.wait_for_load_state("networkidle")  # the reload after adding has come back
    assert added.is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('notice-success')")
    assert f"Najbliższa faktura za wszystkie usługi: {next_total}." in (added.text_content() or "")
    page.goto(base + "/")
    wait_loaded(page)
    payments = page.locator("#home-payments").inner_text()
    assert f"Najbliższa faktura ({invoice_on}) za wszystkie usługi: {next_total}," in payments
    page.goto(base + "/your-data")
    wait_loaded(page)
    assert page.get_by_text("Opłata miesięczna za tę umowę od kolejnego okresu").count() >= 1

    page.goto(base + "/services")
    wait_loaded(page)
    row = page.locator(".list-row", has_text="Canal+ Prestige").first
    assert "1,00\u00a0zł" in row.inner_text()
    assert "49,99\u00a0zł" in row.inner_text()  # the price after the offer, and from when
    page.goto(base + "/offers")
    wait_loaded(page)
    assert page.locator(".offer", has_text=OFFER).count() == 0  # used once


def test_top_up_limits_are_shown_and_kept_before_the_payment_page(
    live_server: Any, new_page: Any
) -> None:
    base = live_server().url
    page = new_page()
    log_in(page, base)
    page.goto(base + "/payments")
    wait_loaded(page)
    hint = page.locator("#wallet .hint").inner_text()
    assert hint == "Od 10,00\u00a0zł do 500,00\u00a0zł.", hint
    for amount in ("5", "501", "9,99"):
        page.fill("#top-up-amount", amount)
        page.locator("#wallet form button[type=submit]").click()
        error = page.locator("#wallet .field-error")
        error.wait_for()
        assert "od 10,00\u00a0zł do 500,00\u00a0zł" in error.inner_text(), amount
        assert page.url == base + "/payments", amount
    page.fill("#top-up-amount", "500")
    page.locator("#wallet form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/sandbox-pay/"))  # within the limits: on to the payment page
