"""A new customer's whole journey in a real browser against a live server.

register with a demo identifier + PESEL → the confirmation link from the real SMTP server →
confirm → log in → every section (axe-core clean, screenshot each) → add a package → pay an
invoice on the sandbox provider's page → top up the wallet → buy a VOD title → reset the decoder
PIN and watch the command complete → send the contact form → log out.

Run twice, each on its own fresh server: desktop in Polish (registering with the decoder card)
and a 390×844 phone in English (registering with the internet number), the latter with
``ICOK_TRUSTED_DOCUMENTS=on``: every request the SPA sends is a registered document. Both use demo customer C,
whose satellite TV is suspended for debt: paying the overdue invoices brings it back, so the
package and PIN steps also show that the payment really settled.
"""

from __future__ import annotations

import re
import time
from typing import Any, TypedDict
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests.e2e.spa import (
    SECTIONS,
    add_first_package,
    check_screen,
    fill_login,
    open_section,
    read_link,
    screenshot,
    solve_captcha,
    vod_tile_to_buy,
    wait_loaded,
)

PASSWORD = "Zielony-Dekoder-Na-Balkonie-77"
TV_CARD = "303746150928"  # customer C's satellite service (suspended for debt in the demo)


class Run(TypedDict):
    language: str
    phone: bool
    viewport: tuple[int, int]
    identifier: str
    pesel: str
    email: str
    trusted: bool
    """The server runs only registered GraphQL documents (``ICOK_TRUSTED_DOCUMENTS=on``)."""


RUNS: dict[str, Run] = {
    "desktop-pl": {
        "language": "pl",
        "phone": False,
        "viewport": (1280, 860),
        "identifier": "303746150928",
        "pesel": "91110523914",
        "email": "piotr.zielinski.web@example.com",
        "trusted": False,
    },
    "phone-en": {
        "language": "en",
        "phone": True,
        "viewport": (390, 844),
        "identifier": "731 502 648",
        "pesel": "91110523914",
        "email": "piotr.z.mobile@example.com",
        "trusted": True,
    },
}

TEXT = {
    "pl": {
        "register": "Załóż konto",
        "login": "Zaloguj się",
        "notFound": "Nie ma takiej strony",
        "addPackage": "Dodaj pakiet",
        "resetPin": "Resetuj PIN",
        "buy": "Kup z portmonetki",
        "confirmBuy": "Potwierdź zakup",
        "logout": "Wyloguj",
        "weak": "bardzo słabe",
        "ending": "kończy się",
        "strong": "bardzo dobre",
    },
    "en": {
        "register": "Create an account",
        "login": "Log in",
        "notFound": "Page not found",
        "addPackage": "Add a package",
        "resetPin": "Reset the PIN",
        "buy": "Buy from wallet",
        "confirmBuy": "Confirm purchase",
        "logout": "Log out",
        "weak": "very weak",
        "ending": "ending",
        "strong": "very good",
    },
}


def _amount(formatted: str) -> float:
    """ "60,01 zł" or "PLN 60.01" → 60.01 (amounts here stay below 1000)."""
    return float(re.sub(r"[^\d,.]", "", formatted).replace(",", "."))


def _pay_on_sandbox(page: Any, base: str, *, blik: str | None = None) -> None:
    page.wait_for_url(re.compile(r"/sandbox-pay/"))
    if blik:
        page.fill("#blik", blik)
    page.locator("button.approve").click()
    page.wait_for_url(re.compile(re.escape(base) + r"/payments/return\?payment="))
    result = page.locator("[data-testid=payment-result]")
    result.wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=payment-result]').dataset.status !== 'pending'"
    )
    assert result.get_attribute("data-status") == "paid", result.inner_text()


@pytest.mark.parametrize("run", list(RUNS), ids=list(RUNS))
def test_new_customer_journey(run: str, live_server: Any, mailbox: Any, new_page: Any) -> None:
    cfg = RUNS[run]
    lang, phone, email = cfg["language"], cfg["phone"], cfg["email"]
    text = TEXT[lang]
    server = live_server(ICOK_TRUSTED_DOCUMENTS="on" if cfg["trusted"] else "off")
    base = server.url
    width, height = cfg["viewport"]
    page = new_page(width=width, height=height)
    shot = lambda name: f"{run}-{name}"  # noqa: E731

    # --- registration: bad input first, errors beside the fields --------------------------
    page.goto(base + "/register")
    wait_loaded(page)
    if lang == "en":
        page.locator(".lang-switch").click()
    assert page.locator("main h1").inner_text() == text["register"]
    page.fill("#register-identifier", cfg["identifier"])
    page.fill("#register-pesel", cfg["pesel"])
    page.fill("#register-email", email)
    page.fill("#register-emailConfirmation", "someone.else@example.com")
    page.fill("#register-password", "password")
    expect(page.locator("[data-testid=password-strength]")).to_contain_text(text["weak"])
    solve_captcha(page, "register")
    page.locator("form button[type=submit]").click()
    page.locator("#register-emailConfirmation-error").wait_for()
    assert page.locator("#register-emailConfirmation").get_attribute("aria-invalid") == "true"
    assert page.locator("#register-password-error").is_visible()
    check_screen(page, shot("register-errors"))

    page.fill("#register-emailConfirmation", email)
    page.fill("#register-password", PASSWORD)
    expect(page.locator("[data-testid=password-strength]")).to_contain_text(text["strong"])
    page.locator("#register-acceptTerms").check()
    solve_captcha(page, "register")
    page.locator("form button[type=submit]").click()
    page.locator(".notice-success").wait_for()
    assert email in page.locator(".notice-success").inner_text()
    check_screen(page, shot("register-done"))

    # --- logging in before confirming says so and offers to resend the link -----------------
    read_link(mailbox, email, "/confirm-email")
    page.goto(base + "/login")
    wait_loaded(page)
    fill_login(page, email, PASSWORD)
    page.locator("form button[type=submit]").click()
    resend = page.locator("form.resend")
    resend.wait_for()
    expect(page.locator("#resend-email")).to_have_value(email)
    solve_captcha(page, "resend")  # a task of its own: the login's is spent
    resend.locator("button[type=submit]").click()
    page.locator(".notice-success").wait_for()
    check_screen(page, shot("login-not-confirmed"))

    # --- the (latest) link from the real SMTP server ---------------------------------------
    deadline = time.monotonic() + 20
    while len(mailbox.messages(email)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mailbox.messages(email)) == 2
    token = read_link(mailbox, email, "/confirm-email")
    page.goto(f"{base}/confirm-email?token={token}")
    page.locator(".notice-success").wait_for()
    check_screen(page, shot("confirm-email"))

    # --- log in with the decoder card number -----------------------------------------------
    page.goto(base + "/login")
    wait_loaded(page)
    fill_login(page, cfg["identifier"], PASSWORD)
    check_screen(page, shot("login"))
    page.locator("form button[type=submit]").click()
    page.wait_for_url(base + "/")
    check_screen(page, shot("home"))
    # The urgent banner about the TV suspended for debt (gone once the debt is paid, below).
    suspended_banner = page.locator("main .notice-warning", has_text="zawieszona")
    expect(suspended_banner).to_have_count(1)
    countdown = page.locator("[data-testid=session-countdown]").inner_text()
    assert re.fullmatch(r"\d+:\d\d", countdown), countdown

    # --- every section through the menu; back button; deep link; 404 ------------------------
    for path in SECTIONS[lang]:
        if path == "/":
            continue
        open_section(page, path, lang, phone=phone)
        check_screen(page, shot(path.strip("/")))
    page.go_back()
    page.wait_for_url(base + "/contact")
    wait_loaded(page)
    assert page.locator("main h1").inner_text() == SECTIONS[lang]["/contact"]
    page.goto(base + "/no-such-screen")
    wait_loaded(page)
    assert page.locator("main h1").inner_text() == text["notFound"]
    check_screen(page, shot("not-found"))

    # --- pay the overdue invoices through the sandbox provider -----------------------------
    open_section(page, "/services", lang, phone=phone)
    tv = page.locator(".card", has=page.locator("h2", has_text=TV_CARD))
    assert tv.locator(".notice-error").count() == 1  # suspended for debt, and it says why
    open_section(page, "/payments", lang, phone=phone)
    pay_button = page.locator("#invoices form button[type=submit]")
    assert pay_button.count() == 1, "the demo customer should have an unpaid invoice"
    page.select_option("#pay-invoices-method", "CARD")
    pay_button.click()
    _pay_on_sandbox(page, base)
    check_screen(page, shot("payment-return"))
    page.goto(base + "/")
    wait_loaded(page)
    expect(suspended_banner).to_have_count(0)
    page.goto(base + "/payments")
    wait_loaded(page)
    assert page.locator("#invoices form button[type=submit]").count() == 0  # nothing left to pay
    pdf_url = page.locator("#invoices a[download]").first.get_attribute("href")
    pdf = page.request.get(
        urljoin(base + "/", pdf_url)
    )  # the browser's cookies: only the owner gets it
    assert pdf.status == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body().startswith(b"%PDF")

    # --- add a package, with its price and effective date -----------------------------------
    open_section(page, "/services", lang, phone=phone)
    card = page.locator(".card", has=page.locator("h2", has_text=TV_CARD))
    assert card.locator(".notice-error").count() == 0  # the payment lifted the suspension
    package_name = add_first_package(card, text["addPackage"])
    assert package_name in card.locator(".notice-success").inner_text()
    expect(card.locator(".list").first).to_contain_text(package_name)  # the list reloads
    screenshot(page, shot("package-added"))

    # --- cancel an add-on: it runs to the end of the period -----------------------------------
    row = card.locator(".list-row").filter(has=page.locator(".cancel-addon button")).first
    addon = row.inner_text().split()[0]
    row = card.locator(".list-row", has_text=addon)  # stays the same row once it changes
    row.locator(".cancel-addon button").click()
    row.locator(".cancel-addon button.btn-secondary").click()  # the confirmation
    ending = row.locator(".badge").first  # the state's; the card's entitlement has one too
    expect(ending).to_have_text(text["ending"])

    # --- reset the decoder PIN and watch the command complete -------------------------------
    card.get_by_role("button", name=re.compile(text["resetPin"])).click()
    status = card.locator("[data-testid=command-status]")
    status.wait_for()
    page.wait_for_function(
        "() => ['done', 'failed'].includes(document.querySelector('[data-testid=command-status]').dataset.status)",
        timeout=20000,
    )
    assert status.get_attribute("data-status") == "done"
    check_screen(page, shot("pin-reset"))

    # --- top up the wallet (BLIK) -----------------------------------------------------------
    open_section(page, "/payments", lang, phone=phone)
    balance_before = page.locator("[data-testid=wallet-balance]").inner_text()
    page.fill("#top-up-amount", "50")
    page.select_option("#top-up-method", "BLIK")
    page.locator("#wallet form button[type=submit]").click()
    _pay_on_sandbox(page, base, blik="123456")
    page.goto(base + "/payments")
    wait_loaded(page)
    balance_after = page.locator("[data-testid=wallet-balance]").inner_text()
    assert _amount(balance_after) - _amount(balance_before) == pytest.approx(50.0)

    # --- buy a VOD title from the wallet ----------------------------------------------------
    tile, title = vod_tile_to_buy(page)
    buy = tile.get_by_role("button", name=re.compile(re.escape(title)))
    assert buy.inner_text() == text["buy"]
    buy.click()  # asks first: the purchase is made by Confirm
    tile.get_by_role("button", name=text["confirmBuy"], exact=True).click()
    tile.locator(".notice-success").wait_for()
    page.wait_for_function(
        "(before) => document.querySelector('[data-testid=wallet-balance]').innerText !== before",
        arg=balance_after,
    )
    # The wallet ledger names the purchase in the UI language (not the stored Polish text).
    purchase = "Zakup" if lang == "pl" else "Purchase"
    expect(page.locator("[data-testid=wallet-transactions] li").first).to_contain_text(
        f"{purchase}: {title}"
    )
    check_screen(page, shot("payments-after"))

    # --- the contact form -------------------------------------------------------------------
    open_section(page, "/contact", lang, phone=phone)
    unread = page.locator("[data-testid=unread-count]")
    count = int(re.sub(r"\D", "", unread.inner_text()))
    assert count > 0
    # The subject without its "(unread)" screen-reader note, which goes once the click below
    # marks the message read: the locator must keep matching whenever the list reloads.
    message_subject = page.locator(".message-unread .message-subject").first.evaluate(
        "(el) => [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)"
        ".map((n) => n.textContent).join('').trim()"
    )
    message = page.locator(".message", has_text=message_subject).first
    message.locator(".message-head").click()
    expect(message.locator(".message-body")).to_be_visible()
    expect(unread).to_contain_text(str(count - 1))  # read on the server, the list reloaded
    subject = "Pytanie o dekoder" if lang == "pl" else "A question about my decoder"
    page.select_option("#contact-form-topic", "TECHNICAL")
    page.fill("#contact-form-subject", subject)
    page.fill("#contact-form-body", "Czy mogę przenieść dekoder do innego pokoju? " * 2)
    page.locator("#contact-form form button[type=submit]").click()
    page.locator("#contact-form .notice-success").wait_for()
    page.locator("#contact-history", has_text=subject).wait_for()
    check_screen(page, shot("contact-sent"))

    # --- log out: the server session ends, private screens need a login again --------------
    if phone:
        page.locator(".menu-toggle").click()
        page.locator(".nav-extra").get_by_role("button", name=text["logout"]).click()
    else:
        page.locator(".topbar").get_by_role("button", name=text["logout"]).click()
    page.wait_for_url(re.compile(r"/login\?reason=logout"))
    page.goto(base + "/payments")
    page.wait_for_url(re.compile(r"/login\?next="))
    assert page.locator("main h1").inner_text() == text["login"]
    assert page.js_errors == [], page.js_errors
    # With the switch on, what the SPA sent ran because it is registered: a document of
    # another text is refused (the switch really was on).
    codes = page.evaluate(UNREGISTERED_QUERY)
    assert codes == (["DOCUMENT_NOT_TRUSTED"] if cfg["trusted"] else []), codes


UNREGISTERED_QUERY = """async () => {
    const response = await fetch('/graphql', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: '{ apiVersion }' }),
    });
    return ((await response.json()).errors || []).map((e) => e.extensions.code);
}"""
