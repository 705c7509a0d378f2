"""The registration checkbox links the terms and the personal-data clause; both open as pages of
the app in Polish and English with the operator's details, the footer links them (also when
logged in), and a file in the data directory replaces a text."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.spa import check_screen, log_in, wait_loaded

OPERATOR = "Sat-Net Polska sp. z o.o."


def test_terms_and_privacy_pages(live_server: Any, new_page: Any) -> None:
    server = live_server(ICOK_OPERATOR_NAME=OPERATOR, ICOK_DPO_CONTACT="iod@satnet.example")
    base = server.url
    page = new_page()
    page.goto(base + "/register")
    wait_loaded(page)
    terms_link = page.locator("label[for=register-acceptTerms] a")
    expect(terms_link).to_have_attribute("href", "/terms")
    with page.expect_popup() as popup:  # a new tab: the form and its draft stay
        terms_link.click()
    terms = popup.value
    terms.wait_for_load_state()
    wait_loaded(terms)
    expect(terms.locator("h1")).to_have_text("Regulamin")
    expect(terms.locator(".legal-text")).to_contain_text(OPERATOR)
    check_screen(terms, "terms")
    # the terms' own link to the clause routes inside the app
    terms.locator(".legal-text a[href='/privacy']").click()
    terms.wait_for_url(base + "/privacy")
    wait_loaded(terms)
    expect(terms.locator("h1")).to_have_text("Informacja o przetwarzaniu danych osobowych")
    text = terms.locator(".legal-text")
    expect(text).to_contain_text("iod@satnet.example")
    expect(text).to_contain_text("Prezesa Urzędu Ochrony Danych Osobowych")
    check_screen(terms, "privacy")
    terms.locator(".lang-switch").click()
    expect(terms.locator("h1")).to_have_text("Personal data information")
    expect(text).to_contain_text("The controller of your personal data is " + OPERATOR)
    expect(text).to_have_attribute("lang", "en")
    check_screen(terms, "privacy-en")

    # the registration form names the clause as well; the footer links both
    expect(page.locator("form a[href='/privacy']")).to_have_count(1)
    page.locator(".public-foot a[href='/terms']").click()
    page.wait_for_url(base + "/terms")
    wait_loaded(page)

    # the operator's own text, from the data directory, without a restart
    own = server.data_dir / "legal"
    own.mkdir()
    for language in ("pl", "en"):  # the language chosen in the other tab is shared
        (own / f"terms.{language}.html").write_text("<h2>Own</h2><p>${operator_name}</p>", "utf-8")
    page.reload()
    wait_loaded(page)
    expect(page.locator(".legal-text h2")).to_have_text("Own")
    expect(page.locator(".legal-text p")).to_have_text(OPERATOR)

    log_in(page, base)
    page.locator(".shell-foot a[href='/privacy']").click()
    page.wait_for_url(base + "/privacy")
    wait_loaded(page)
    assert page.js_errors == [], page.js_errors

    # on a phone: the long text and the footer fit the width
    phone = new_page(width=390, height=844)
    phone.goto(base + "/privacy")
    check_screen(phone, "privacy-phone")
    log_in(phone, base)
    check_screen(phone, "home-phone-footer")
    expect(phone.locator(".shell-foot a[href='/terms']")).to_be_visible()
    assert phone.js_errors == [], phone.js_errors
