"""The console's customer search and customer screen in real Chromium against ``icok serve
--demo``: an agent (made with ``icok staff create``, logged in with password and TOTP) finds a
demo customer by card number and by PESEL, opens them and sees their demo data; the PESEL
never appears on the page or in the address; axe-core finds nothing at 1280 and 768 px, in
Polish and English."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from backend.demo import CUSTOMERS, pesel_of
from tests.e2e.conftest import LiveServer
from tests.e2e.console import (
    create_staff,
    read_secret,
    submit_code,
    submit_password,
    switch_language,
    totp_now,
    wait_console,
)
from tests.e2e.spa import check_accessibility, check_no_horizontal_overflow

DEMO = CUSTOMERS[0]  # Tomasz Wiśniewski, satellite TV only
CARD = DEMO.services[0].identifier


def _log_in_agent(page: Any, server: LiveServer) -> None:
    """A new agent's first login: password, enrolment (the secret typed as shown), the recovery
    codes confirmed; ends on the search screen."""
    password = create_staff(server, "agentka@operator.example", "Ewa Agentka")
    submit_password(page, server.url, "agentka@operator.example", password)
    submit_code(page, totp_now(read_secret(page)))
    page.locator("[data-testid=recovery-codes]").wait_for()
    page.locator("input[type=checkbox]").check()
    page.locator("form button[type=submit]").click()
    page.locator("#console-search-query").wait_for()


def _search(page: Any, text: str) -> Any:
    page.fill("#console-search-query", text)
    page.locator("form[role=search] button[type=submit]").click()
    results = page.locator("[data-testid=search-results]")
    results.wait_for()
    return results


def test_an_agent_finds_a_demo_customer_by_card_and_by_pesel(
    live_server: Any, new_page: Any
) -> None:
    server = live_server(ICOK_TRUSTED_DOCUMENTS="on")  # (registered documents only)
    page = new_page()
    _log_in_agent(page, server)
    switch_language(page, "pl")
    wait_console(page)
    check_accessibility(page)

    results = _search(page, f"{CARD[:4]} {CARD[4:8]} {CARD[8:]}")
    assert results.locator("tbody tr").count() == 1
    row = results.locator("tbody tr").first
    assert DEMO.number in row.inner_text() and CARD in row.inner_text()
    check_accessibility(page)

    # A new search that is refused does not leave the last results standing under its error.
    page.fill("#console-search-query", "a")
    page.locator("form[role=search] button[type=submit]").click()
    page.locator("#console-search-query[aria-invalid=true]").wait_for()
    expect(page.locator("[data-testid=search-results]")).to_have_count(0)

    pesel = pesel_of(DEMO)
    results = _search(page, pesel)
    assert results.locator("tbody tr").count() == 1
    assert pesel not in page.content()
    results.get_by_role("link", name=f"{DEMO.first_name} {DEMO.last_name}").click()

    profile = page.locator("[data-testid=customer-profile]")
    profile.wait_for()
    wait_console(page)
    assert DEMO.number in profile.inner_text()
    assert "*********" + pesel[-2:] in profile.inner_text()
    assert pesel not in page.content() and pesel not in page.url
    assert CARD in page.locator("#c-services").inner_text()
    assert "EVB-HD-7745120" in page.locator("#c-devices").inner_text()
    assert page.locator("[data-testid=customer-invoices] tbody tr").count() >= 1
    check_accessibility(page)

    # A long unbroken value (an e-mail address) wraps inside its box at 1280 px, never over
    # its neighbour.
    assert page.evaluate(
        """() => { const dd = document.querySelector('[data-testid=customer-profile] dd');
          dd.textContent = 'bardzo.dlugi.adres.poczty.elektronicznej.klienta@przyklad-operatora.pl';
          const facts = dd.closest('.facts');
          const boxes = [...facts.children].map((c) => c.getBoundingClientRect());
          const apart = boxes.every((a, i) => boxes.slice(i + 1).every((b) =>
            a.right <= b.left + 1 || b.right <= a.left + 1 || a.bottom <= b.top + 1 || b.bottom <= a.top + 1));
          return apart && dd.scrollWidth <= dd.clientWidth + 1 && facts.scrollWidth <= facts.clientWidth + 1; }"""
    )

    switch_language(page, "en")
    page.get_by_role("heading", name="Contracts and services").wait_for()
    wait_console(page)
    check_accessibility(page)
    # Language names are in the UI's language.
    expect(profile).to_contain_text("Polish")

    page.set_viewport_size({"width": 768, "height": 1024})
    check_no_horizontal_overflow(page)
    check_accessibility(page)
    page.go_back()
    page.locator("[data-testid=search-results]").wait_for()  # the last results came back
    check_no_horizontal_overflow(page)
    check_accessibility(page)
    assert page.js_errors == []


def test_a_crafted_customer_address_shows_not_found(live_server: Any, new_page: Any) -> None:
    server = live_server()
    page = new_page()
    _log_in_agent(page, server)
    switch_language(page, "en")
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(server.url + "/console/customers/SW52b2ljZTox")  # "Invoice:1"
    page.get_by_role("heading", name="No such customer").wait_for()
    check_accessibility(page)
