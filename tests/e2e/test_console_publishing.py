"""Publishing from the console in Chromium: a supervisor made with ``icok staff create`` logs in
(password, TOTP enrolment), opens Publishing, is refused an unknown customer number on its
field, publishes an urgent message and an offer to the demo customer (the preview shows the
banner first), sees them in the recent lists under their own name; the demo customer then logs
in to the portal and sees the urgent banner on the start screen and the offer. axe-core finds
nothing, in Polish at 1280 px and in English at 768 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from backend.demo import CUSTOMERS, DEMO_EMAIL
from tests.e2e.console import log_in_enrolled, wait_console
from tests.e2e.spa import check_screen, log_in, wait_loaded

DEMO_NUMBER = next(c.number for c in CUSTOMERS if c.email == DEMO_EMAIL)
TEXTS = {
    "pl": {
        "nav": "Publikacje",
        "urgent": "Pilna",
        "published": "została opublikowana",
        "offers": "Oferta dla Ciebie",
        "noPackage": "Nie ma pakietu o tym kodzie.",
    },
    "en": {
        "nav": "Publishing",
        "urgent": "Urgent",
        "published": "has been published",
        "offers": "Offer for you",
        "noPackage": "No package with this code.",
    },
}


@pytest.mark.parametrize(("language", "width"), [("pl", 1280), ("en", 768)])
def test_a_supervisor_publishes_an_urgent_message_the_customer_sees_as_a_banner(
    live_server: Callable[..., Any], new_page: Callable[..., Any], language: str, width: int
) -> None:
    server = live_server()
    base = server.url
    texts = TEXTS[language]
    page = new_page(width=width)
    email = f"ewa.{language}@operator.example"
    log_in_enrolled(page, server, email, "Ewa Lis", "supervisor", language=language)

    if width <= 800:
        page.locator(".menu-toggle").click()
    page.locator("#main-nav").get_by_role("link", name=texts["nav"]).click()
    page.wait_for_url(base + "/console/publishing")
    wait_console(page)
    assert page.locator("main h1").first.inner_text() == texts["nav"]
    page.locator("#recent-messages").wait_for()
    check_screen(page, f"console-publishing-{language}-{width}")

    # An unknown customer number: the error is on that field, nothing is published.
    form = page.locator("[data-testid=message-form]")
    subject = f"Przerwa serwisowa {language}"
    form.locator("#console-message-customerNumber").fill("K00000000")
    form.locator("#console-message-subject").fill(subject)
    form.locator("#console-message-body").fill("W nocy z soboty na niedzielę\nkrótka przerwa.")
    form.locator("#console-message-urgent").check()
    preview = form.locator(".preview")
    assert subject in preview.locator(".notice-warning").inner_text()  # the banner, as shown
    form.locator("button[type=submit]").click()
    form.locator("#console-message-customerNumber[aria-invalid=true]").wait_for()
    assert form.locator("#console-message-customerNumber-error").inner_text()
    check_screen(page, f"console-publishing-error-{language}-{width}")

    form.locator("#console-message-customerNumber").fill(DEMO_NUMBER)
    form.locator("button[type=submit]").click()
    assert texts["published"] in form.locator(".notice-success").inner_text()
    recent = page.locator("[data-testid=published-messages]")
    recent.get_by_text(subject).wait_for()
    row = recent.locator("tr", has_text=subject)
    assert DEMO_NUMBER in row.inner_text() and "Ewa Lis" in row.inner_text()

    # An offer for the demo customer, price in złoty.
    offer = page.locator("[data-testid=offer-form]")
    title = f"Sport taniej {language}"
    # The audience is a choice (one customer by default): no number is not "everyone".
    assert offer.locator("#console-offer-audience-customer").is_checked()
    offer.locator("#console-offer-title").fill(title)
    offer.locator("#console-offer-monthlyPrice").fill("19,99" if language == "pl" else "19.99")
    offer.locator("#console-offer-promoMonths").fill("3")
    offer.locator("button[type=submit]").click()
    offer.locator("#console-offer-customerNumber[aria-invalid=true]").wait_for()
    # An unknown package code says so on its field (not just "not found").
    offer.locator("#console-offer-customerNumber").fill(DEMO_NUMBER)
    offer.locator("#console-offer-packageCode").fill("NIEMA")
    offer.locator("button[type=submit]").click()
    offer.locator("#console-offer-packageCode[aria-invalid=true]").wait_for()
    assert texts["noPackage"] in offer.locator("#console-offer-packageCode-error").inner_text()
    offer.locator("#console-offer-packageCode").fill("")
    offer.locator("button[type=submit]").click()
    assert texts["published"] in offer.locator(".notice-success").inner_text()
    page.locator("[data-testid=published-offers]").get_by_text(title).wait_for()
    check_screen(page, f"console-publishing-done-{language}-{width}")
    assert page.js_errors == []

    # The demo customer sees the urgent banner on the start screen, and the offer.
    customer = new_page(width=width)
    log_in(customer, base)
    banner = customer.locator(".notice-warning", has_text=subject)
    banner.wait_for()
    customer.goto(base + "/offers")
    wait_loaded(customer)
    customer.get_by_text(title).wait_for()
    assert re.search(r"19[,.]99", customer.locator(".offer", has_text=title).inner_text())
    assert customer.js_errors == []
