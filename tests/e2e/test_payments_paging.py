"""The Payments screen pages through long lists: the demo customer has 12 monthly invoices and
more than 10 payments, the screen asks for 6 invoices and 10 payments at a time, and "show
more" (used from the keyboard) appends the next page and moves the focus to its first row. The
invoice status filter asks the API (``invoices(status:)``) and shows only that status, with an
empty state when nothing matches. Both viewports, axe-core clean, screenshots saved."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.spa import check_screen, log_in, open_section


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_invoices_and_payments_page_with_show_more(
    phone: bool, live_server: Any, new_page: Any
) -> None:
    base = live_server().url
    page = new_page(width=390, height=844) if phone else new_page()
    log_in(page, base)
    open_section(page, "/payments", "pl", phone=phone)

    invoices = page.locator("#invoices tbody tr")
    expect(invoices).to_have_count(6)
    numbers = invoices.locator(".c-number").all_inner_texts()
    status = page.locator("#invoices [role=status]", has_text="Widoczne")
    expect(status).to_have_text("Widoczne: 6 z 12")

    # "Show more" from the keyboard: the next page is appended, the focus goes to its first row.
    more = page.get_by_role("button", name="Pokaż starsze faktury")
    more.focus()
    page.keyboard.press("Enter")
    expect(invoices).to_have_count(12)
    expect(status).to_have_text("Widoczne: 12 z 12")
    expect(more).to_have_count(0)  # the last page: no button left
    first_new = page.locator("#invoices tbody tr[data-page-start]")
    expect(first_new).to_be_focused()  # waits: the focus moves after the rows render
    focused = first_new.locator(".c-number").inner_text()
    all_numbers = invoices.locator(".c-number").all_inner_texts()
    assert all_numbers[:6] == numbers
    assert focused == all_numbers[6]
    assert len(set(all_numbers)) == 12  # no page repeated
    # Newest first, across the page boundary too (FV/YYYY/MM/...).
    periods = [re.findall(r"FV/(\d{4})/(\d\d)/", n) for n in all_numbers]
    assert all(len(p) == 1 for p in periods), all_numbers
    assert periods == sorted(periods, reverse=True)

    # Payment history: 10 first, then the rest. A failed "show more" says so and keeps what is
    # shown; pressing it again once the network is back works.
    history = page.locator("[data-testid=payment-history] tbody tr")
    expect(history).to_have_count(10)

    def offline(route: Any) -> None:
        if "query MorePayments" in (route.request.post_data or ""):
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/graphql", offline)
    more_payments = page.get_by_role("button", name="Pokaż starsze płatności")
    more_payments.click()
    expect(page.locator("#history [role=alert]")).to_contain_text("połączenia")
    expect(history).to_have_count(10)
    page.unroute("**/graphql")
    more_payments.click()
    expect(page.locator("#history [role=alert]")).to_have_count(0)
    expect(history).not_to_have_count(10)
    assert history.count() > 10
    check_screen(page, "phone-payments-paged" if phone else "desktop-payments-paged")

    # The status filter asks the API for one status only, and pages within it. The demo
    # customer's newest invoice is unpaid for the first days of each month (until their usual
    # payment day), every other one is paid: count what the full list showed, then check each
    # filter against it.
    all_badges = [b.strip() for b in invoices.locator(".c-status").all_inner_texts()]
    unpaid = sum(1 for b in all_badges if b in ("do zapłaty", "po terminie"))
    paid = sum(1 for b in all_badges if b == "opłacona")
    assert unpaid + paid == 12, all_badges
    page.select_option("#invoice-filter", "UNPAID")
    if unpaid == 0:
        expect(page.locator("#invoices .state-empty")).to_have_text("Brak faktur z tym statusem.")
        expect(page.locator("#invoices form button[type=submit]")).to_have_count(0)
    else:
        expect(invoices).to_have_count(unpaid)
        shown = [b.strip() for b in invoices.locator(".c-status").all_inner_texts()]
        assert all(b in ("do zapłaty", "po terminie") for b in shown), shown
    check_screen(
        page, "phone-invoices-filter-unpaid" if phone else "desktop-invoices-filter-unpaid"
    )
    page.select_option("#invoice-filter", "PAID")
    expect(invoices).to_have_count(6)
    expect(status).to_have_text(f"Widoczne: 6 z {paid}")
    page.get_by_role("button", name="Pokaż starsze faktury").click()
    expect(invoices).to_have_count(paid)
    badges = invoices.locator(".c-status").all_inner_texts()
    assert all(b.strip() == "opłacona" for b in badges), badges
    page.select_option("#invoice-filter", "")
    expect(invoices).to_have_count(6)  # back to the first page of all invoices
    assert page.js_errors == [], page.js_errors
