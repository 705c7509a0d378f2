"""What a customer meets on the screens (issue 11, items 1, 11, 12 and 14), in a real browser.

- Drafts belong to one customer: B types a contact message and a new phone number and logs out;
  A logs in in the same tab and sees empty forms (and A's own phone); the same after an idle
  logout. Nothing typed is kept in the browser's storage, never the PESEL or a password. The
  registration form keeps no draft: leaving /register (and coming back) shows it empty.
- A wrong or empty captcha answer shows its message, and the new task does not wipe it (login,
  registration and the forgotten password).
- Typing in a form is activity: a customer who types for longer than the idle timeout, with no
  other request, stays logged in.
- After adding a package the success message has the focus and is on screen; "Wypożycz film"
  lands on the VOD card (#vod), its heading below the sticky top bar (phone and desktop); the
  phone menu closes when tapping the current page; the PIN reset ends with what the PIN now is;
  a VOD purchase asks first (title, price, until when; Cancel and Escape buy nothing, Confirm
  buys once) and then confirms until when it can be watched.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from backend.demo import DEMO_EMAIL
from tests.e2e.spa import (
    SECTIONS,
    check_screen,
    log_in,
    open_section,
    read_link,
    session_expires_at,
    solve_captcha,
    vod_tile_to_buy,
    wait_loaded,
)

# Demo customer C (ready to register): the other customer in the same tab.
C_CARD = "303746150928"
C_PESEL = "91110523914"
C_EMAIL = "piotr.drafts@example.com"
C_PASSWORD = "Zielony-Dekoder-Na-Balkonie-77"

B_PHONE = "600 111 222"
B_SUBJECT = "Prywatna sprawa klientki B"
B_BODY = "Treść, której nikt inny nie powinien zobaczyć."

STORAGE = """() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage })"""


def _fill_registration(page: Any, base: str) -> None:
    """Opens the registration form and types demo customer C's data (nothing sent)."""
    page.goto(base + "/register")
    wait_loaded(page)
    page.fill("#register-identifier", C_CARD)
    page.fill("#register-pesel", C_PESEL)
    page.fill("#register-email", C_EMAIL)
    page.fill("#register-emailConfirmation", C_EMAIL)
    page.fill("#register-password", C_PASSWORD)


def _register_and_confirm(page: Any, base: str, mailbox: Any) -> None:
    """Registers demo customer C through the form and follows the e-mailed link."""
    _fill_registration(page, base)
    # The registration form keeps no draft, in memory or in storage: away to the login screen
    # and back, it is empty (nothing typed is left for the next person in the tab).
    page.locator("main").get_by_role("link", name="Zaloguj się").click()
    page.wait_for_url(re.compile(r"/login$"))
    page.go_back()
    page.wait_for_url(re.compile(r"/register$"))
    wait_loaded(page)
    for field in ("identifier", "pesel", "email", "password"):
        expect(page.locator(f"#register-{field}")).to_have_value("")
    stored = page.evaluate(STORAGE)
    assert C_PESEL not in stored and C_PASSWORD not in stored and C_EMAIL not in stored, stored

    _fill_registration(page, base)
    page.locator("#register-acceptTerms").check()
    solve_captcha(page, "register")
    page.locator("form button[type=submit]").click()
    page.locator(".notice-success").wait_for()
    token = read_link(mailbox, C_EMAIL, "/confirm-email")
    page.goto(f"{base}/confirm-email?token={token}")
    page.locator(".notice-success").wait_for()


def _log_out(page: Any) -> None:
    page.locator(".topbar").get_by_role("button", name="Wyloguj").click()
    page.wait_for_url(re.compile(r"/login\?reason=logout"))
    wait_loaded(page)


def test_drafts_belong_to_one_customer(live_server: Any, new_page: Any, mailbox: Any) -> None:
    base = live_server(ICOK_SESSION_IDLE_SECONDS="20").url
    page = new_page()
    _register_and_confirm(page, base, mailbox)

    # Customer B types without sending.
    log_in(page, base)
    open_section(page, "/contact", "pl", phone=False)
    page.fill("#contact-form-subject", B_SUBJECT)
    page.fill("#contact-form-body", B_BODY)
    open_section(page, "/your-data", "pl", phone=False)
    page.fill("#contact-data-phone", B_PHONE)
    # Between screens the drafts stay (for B) ...
    open_section(page, "/contact", "pl", phone=False)
    expect(page.locator("#contact-form-subject")).to_have_value(B_SUBJECT)
    # ... but never in the browser's storage.
    stored = page.evaluate(STORAGE)
    assert B_SUBJECT not in stored and "600" not in stored, stored
    _log_out(page)

    # Customer A in the same tab: empty forms, A's own data.
    log_in(page, base, C_CARD, C_PASSWORD, open_form=False)
    open_section(page, "/contact", "pl", phone=False)
    expect(page.locator("#contact-form-subject")).to_have_value("")
    expect(page.locator("#contact-form-body")).to_have_value("")
    open_section(page, "/your-data", "pl", phone=False)
    phone = page.locator("#contact-data-phone")
    expect(phone).not_to_have_value(B_PHONE)
    expect(phone).not_to_have_value("")  # C's own number from the server
    expect(page.locator("#contact-data-email")).not_to_have_value(DEMO_EMAIL)

    # The same after an idle logout: A's draft is not shown to B.
    open_section(page, "/contact", "pl", phone=False)
    page.fill("#contact-form-subject", "Sprawa klienta A")
    # (idle, or ended when a background request meets the server's end first: this test is
    # about the draft; test_idle_logout checks the reason)
    page.wait_for_url(re.compile(r"/login\?reason=(idle|ended)"), timeout=40000)
    wait_loaded(page)
    log_in(page, base, open_form=False, lands_on="/contact")
    expect(page.locator("#contact-form-subject")).to_have_value("")
    assert page.js_errors == [], page.js_errors


def test_registration_draft_goes_when_leaving_the_form(live_server: Any, new_page: Any) -> None:
    base = live_server().url
    page = new_page()
    _fill_registration(page, base)
    # To the login form and back through the links: the next person sees an empty form.
    page.locator("main").get_by_role("link", name="Zaloguj się").click()
    page.wait_for_url(base + "/login")
    wait_loaded(page)
    page.locator("main").get_by_role("link", name="Załóż konto").click()
    page.wait_for_url(base + "/register")
    wait_loaded(page)
    for field in ("identifier", "pesel", "email", "emailConfirmation", "password"):
        expect(page.locator(f"#register-{field}")).to_have_value("")
    assert C_EMAIL not in page.evaluate(STORAGE)
    assert page.js_errors == [], page.js_errors


def _captcha_id(page: Any, form_id: str) -> str:
    """The task's id (two tasks in a row may ask the same sum, so the text cannot tell them apart)."""
    field = page.locator(f"#{form_id}-captchaAnswer")
    question = field.locator("xpath=..").locator("[data-testid=captcha-question]")
    return question.get_attribute("data-captcha-id") or ""


def _check_captcha_message(page: Any, form_id: str, answer: str) -> None:
    """Sends the form with ``answer`` to the task; the message stays after the new task."""
    before = _captcha_id(page, form_id)
    page.fill(f"#{form_id}-captchaAnswer", answer)
    page.locator("main form button[type=submit]").click()
    error = page.locator(f"#{form_id}-captchaAnswer-error")
    expect(error).to_be_visible()
    # The new task arrives (single use) and the message is still there, tied to the field.
    page.wait_for_function(
        """([id, before]) => {
            const q = document.getElementById(`${id}-captchaAnswer`).parentElement
                .querySelector('[data-testid=captcha-question]');
            return q.dataset.captchaId && q.dataset.captchaId !== before;
        }""",
        arg=[form_id, before],
    )
    # (the new task is rendered in the same update that would have wiped the message)
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    field = page.locator(f"#{form_id}-captchaAnswer")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert f"{form_id}-captchaAnswer-error" in (field.get_attribute("aria-describedby") or "")
    expect(field).to_have_value("")


def test_captcha_messages_stay_after_the_new_task(live_server: Any, new_page: Any) -> None:
    base = live_server().url
    page = new_page()
    page.goto(base + "/login")
    wait_loaded(page)
    page.fill("#login-login", DEMO_EMAIL)
    page.fill("#login-password", "wrong-password-anyway")
    solve_captcha(page, "login")
    wrong = str(int(page.input_value("#login-captchaAnswer")) + 1)
    _check_captcha_message(page, "login", wrong)
    expect(page.locator("#login-captchaAnswer-error")).to_contain_text("Nieprawidłowy wynik")
    _check_captcha_message(page, "login", "")
    check_screen(page, "captcha-wrong-login")

    _fill_registration(page, base)
    page.locator("#register-acceptTerms").check()
    solve_captcha(page, "register")
    wrong = str(int(page.input_value("#register-captchaAnswer")) + 1)
    _check_captcha_message(page, "register", wrong)
    _check_captcha_message(page, "register", "")
    check_screen(page, "captcha-wrong-register")

    page.goto(base + "/forgot-password")
    wait_loaded(page)
    page.fill("#forgot-email", DEMO_EMAIL)
    solve_captcha(page, "forgot")
    wrong = str(int(page.input_value("#forgot-captchaAnswer")) + 1)
    _check_captcha_message(page, "forgot", wrong)
    expect(page.locator(".notice-success")).to_have_count(0)  # nothing was sent
    assert page.js_errors == [], page.js_errors


IDLE_SECONDS = 20


def test_typing_keeps_the_customer_logged_in(live_server: Any, new_page: Any) -> None:
    server = live_server(ICOK_SESSION_IDLE_SECONDS=str(IDLE_SECONDS))
    base = server.url
    page = new_page()
    log_in(page, base)
    open_section(page, "/contact", "pl", phone=False)
    body = page.locator("#contact-form-body")
    body.click()
    dialog = page.get_by_role("alertdialog")
    started = time.monotonic()
    # Type for 1.5 idle timeouts, one key a second, sending nothing.
    while time.monotonic() - started < IDLE_SECONDS * 1.5:
        page.keyboard.type("a")
        page.wait_for_timeout(1000)
        assert not dialog.is_visible(), "the idle warning came while the customer was typing"
        assert page.url == base + "/contact", page.url
    expect(body).to_have_value(re.compile("^a{20,}$"))
    assert session_expires_at(page) is not None, "the server ended the session"
    assert page.js_errors == [], page.js_errors


def test_focus_anchors_menu_and_confirmations(live_server: Any, new_page: Any) -> None:
    base = live_server(ICOK_PROVISIONING_DELAY_SECONDS="0.3").url
    page = new_page(width=390, height=844)
    log_in(page, base)

    # "Wypożycz film" on the start screen lands on the VOD card of Payments.
    _follow_vod_link(page, base)

    # A VOD purchase asks first (what, for how much, until when); Cancel and Escape buy nothing.
    tile, name = vod_tile_to_buy(page)
    expect(tile).to_contain_text(re.compile(r"przez \d+ h od zakupu"))  # before buying
    ledger = page.locator("[data-testid=wallet-transactions] li", has_text=name)
    bought_before = ledger.count()
    purchases: list[str] = []  # the purchase mutations the page sends (clicks send at once)
    page.on(
        "request",
        lambda r: (
            purchases.append(r.post_data or "")
            if r.method == "POST"
            and "/graphql" in r.url
            and "mutation Purchase" in (r.post_data or "")
            else None
        ),
    )
    buy = tile.get_by_role("button", name=f"Kup z portmonetki: „{name}”")
    question = tile.get_by_role("group", name=re.compile("^Potwierdź zakup"))
    buy.click()
    expect(question).to_be_visible()
    expect(question.locator("p")).to_be_focused()
    price = tile.locator(".tile-price").inner_text().strip()
    expect(question).to_contain_text(
        re.compile(
            rf"Potwierdź zakup: „{re.escape(name)}” za {re.escape(price)}, "
            r"do obejrzenia do \d{1,2} \S+ \d{4}, \d\d:\d\d"
        )
    )
    check_screen(page, "phone-vod-confirm")
    page.keyboard.press("Tab")
    expect(question.get_by_role("button", name="Potwierdź zakup")).to_be_focused()
    page.keyboard.press("Escape")
    expect(question).to_have_count(0)
    expect(buy).to_be_focused()
    buy.click()
    question.get_by_role("button", name="Anuluj").click()
    expect(question).to_have_count(0)
    expect(buy).to_be_focused()
    assert purchases == []
    expect(ledger).to_have_count(bought_before)

    # Confirm buys once, and the confirmation says until when it can be watched.
    buy.click()
    question.get_by_role("button", name="Potwierdź zakup").click()
    confirmation = tile.locator("[data-testid=purchase-confirmation]")
    expect(confirmation).to_be_focused()
    expect(confirmation).to_contain_text(name)
    expect(confirmation).to_contain_text(re.compile(r"do \d{1,2} \S+ \d{4}, \d\d:\d\d"))
    check_screen(page, "phone-vod-bought")
    expect(ledger).to_have_count(bought_before + 1)
    assert len(purchases) == 1

    # The phone menu closes when tapping the page already shown.
    page.locator(".menu-toggle").click()
    nav = page.locator("#main-nav")
    expect(nav).to_have_class(re.compile(r"\bopen\b"))
    nav.get_by_role("link", name="Płatności").click()
    expect(nav).not_to_have_class(re.compile(r"\bopen\b"))
    expect(page.locator(".menu-toggle")).to_have_attribute("aria-expanded", "false")

    # Adding a package: the success message takes the focus and is on screen.
    open_section(page, "/services", "pl", phone=True)
    card = page.locator(".card").filter(has=page.locator("summary", has_text="Dodaj pakiet")).first
    card.locator("summary", has_text="Dodaj pakiet").click()
    card.locator(".package-option").first.click()
    card.locator("[data-testid=package-quote]").wait_for()
    card.locator("form button[type=submit]").click()
    success = card.locator(".notice-success")
    expect(success).to_be_focused()
    expect(success).to_be_in_viewport()

    # The PIN reset ends with what the PIN is now.
    decoder = (
        page.locator(".card")
        .filter(has=page.get_by_role("button", name=re.compile("Resetuj PIN")))
        .first
    )
    decoder.get_by_role("button", name=re.compile("Resetuj PIN")).first.click()
    outcome = decoder.locator("[data-testid=command-status] [data-testid=command-outcome]")
    expect(outcome).to_contain_text("fabryczn", timeout=20000)
    check_screen(page, "phone-pin-reset-outcome")

    # The VOD link at desktop width too: the heading is not under the sticky top bar.
    page.set_viewport_size({"width": 1280, "height": 860})
    open_section(page, "/", "pl", phone=False)
    _follow_vod_link(page, base)
    assert page.js_errors == [], page.js_errors


def _follow_vod_link(page: Any, base: str) -> None:
    """ "Wypożycz film" on the start screen lands on the VOD card of Payments, its heading in
    view below the sticky top bar (not hidden under it)."""
    page.get_by_role("link", name="Wypożycz film").click()
    page.wait_for_url(base + "/payments#vod")
    wait_loaded(page)
    vod = page.locator("#vod")
    expect(vod).to_be_focused()
    heading = vod.locator("h2")
    expect(heading).to_be_in_viewport()
    # the page scrolls to #vod and the heading ends below the bar (waits out any smooth scroll)
    page.wait_for_function(
        """() => {
            const bar = document.querySelector('.topbar').getBoundingClientRect();
            const heading = document.querySelector('#vod h2').getBoundingClientRect();
            return window.scrollY > 0 && heading.top >= bar.bottom;
        }"""
    )
    bar = page.locator(".topbar").bounding_box()
    box = heading.bounding_box()
    assert bar and box and box["y"] >= bar["y"] + bar["height"], (bar, box)


@pytest.mark.parametrize(
    ("language", "phone"), [("pl", False), ("en", True)], ids=["desktop-pl", "phone-en"]
)
def test_every_screen_of_the_demo_customer_passes_axe(
    language: str, phone: bool, live_server: Any, new_page: Any
) -> None:
    """The demo customer has something on every screen (offers, add-ons to cancel, PDF links,
    messages, sessions): axe-core with its default rules, 24×24 px targets and no overflow on
    each, also with the package form, the cancel question and a message opened."""
    base = live_server().url
    page = new_page(width=390, height=844) if phone else new_page()
    log_in(page, base)
    if language == "en":
        if phone:
            page.locator(".menu-toggle").click()
            page.locator(".nav-extra .lang-switch").click()
            page.keyboard.press("Escape")
        else:
            page.locator(".topbar .lang-switch").click()
        wait_loaded(page)
    shot = lambda name: f"axe-{language}-{'phone' if phone else 'desktop'}-{name}"  # noqa: E731
    check_screen(page, shot("home"))
    for path in SECTIONS[language]:
        if path == "/":
            continue
        open_section(page, path, language, phone=phone)
        check_screen(page, shot(path.strip("/")))

    open_section(page, "/services", language, phone=phone)
    for summary in page.locator("details.add-package summary").all():
        summary.click()
    page.locator(".package-option").first.click()
    page.locator("[data-testid=package-quote]").first.wait_for()
    page.locator(".cancel-addon button").first.click()
    check_screen(page, shot("services-open"))

    open_section(page, "/contact", language, phone=phone)
    page.locator(".message-head").first.click()
    page.locator(".message-body").first.wait_for()
    check_screen(page, shot("contact-open"))
    assert page.js_errors == [], page.js_errors
