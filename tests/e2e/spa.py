"""Helpers that drive the SPA the way a customer does (labels, buttons, the menu)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from backend.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.smtp import Mailbox

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

SECTIONS = {
    "pl": {
        "/": "Start",
        "/your-data": "Twoje dane",
        "/services": "Usługi",
        "/equipment": "Dane sprzętu",
        "/payments": "Płatności",
        "/offers": "Oferta dla Ciebie",
        "/contact": "Kontakt",
        "/security": "Bezpieczeństwo",
    },
    "en": {
        "/": "Start",
        "/your-data": "Your data",
        "/services": "Services",
        "/equipment": "Equipment",
        "/payments": "Payments",
        "/offers": "Offer for you",
        "/contact": "Contact",
        "/security": "Security",
    },
}


def solve_captcha(page: Any, form_id: str) -> None:
    """Reads the arithmetic task like a person would and types the result."""
    question = (
        page.locator(f"#{form_id}-captchaAnswer")
        .locator("xpath=..")
        .locator("[data-testid=captcha-question]")
    )
    deadline = time.monotonic() + 10
    text = question.inner_text()
    while "…" in text and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        text = question.inner_text()
    match = re.match(r"\s*(\d+)\s*([+\-−])\s*(\d+)", text)
    assert match, f"unexpected captcha {text!r}"
    a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
    page.fill(f"#{form_id}-captchaAnswer", str(a + b if op == "+" else a - b))


def fill_login(page: Any, login: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> None:
    """Types the login and the password into the login form shown and solves its captcha
    (the form is not sent)."""
    page.fill("#login-login", login)
    page.fill("#login-password", password)
    solve_captcha(page, "login")


def log_in(
    page: Any,
    base: str,
    login: str = DEMO_EMAIL,
    password: str = DEMO_PASSWORD,
    *,
    open_form: bool = True,
    lands_on: str = "/",
) -> None:
    """Logs in through the login form like a person: opens /login (unless ``open_form`` is
    False: the form is already shown, e.g. after a logout), fills it, sends it, and waits for
    the screen at ``lands_on`` to load. The one way the browser tests log in."""
    if open_form:
        page.goto(base + "/login")
        wait_loaded(page)
    fill_login(page, login, password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(base + lands_on)
    wait_loaded(page)


def wait_loaded(page: Any) -> None:
    """The screen's heading is shown and no loading state is left."""
    page.locator("main h1").first.wait_for()
    page.wait_for_function("() => !document.querySelector('.state-loading, .boot')")


def open_section(page: Any, path: str, language: str, *, phone: bool) -> None:
    """Uses the menu (the compact one on phones) to reach a section."""
    if phone:
        page.locator(".menu-toggle").click()
    # The Contact link's name also carries the unread badge ("Contact, 2 unread").
    name = re.compile("^" + re.escape(SECTIONS[language][path]) + r"\b")
    page.locator("#main-nav").get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(re.escape(path) + r"$"))
    wait_loaded(page)
    assert page.locator("main h1").first.inner_text() == SECTIONS[language][path]


SESSION_QUERY = """async (background) => {
    const headers = { 'Content-Type': 'application/json' };
    if (background) headers['X-Icok-Background'] = '1';
    const response = await fetch('/graphql', {
        method: 'POST', headers, credentials: 'same-origin',
        body: JSON.stringify({ query: '{ viewer { session { expiresAt } } }' }),
    });
    const body = await response.json();
    return body.data.viewer && body.data.viewer.session.expiresAt;
}"""


def session_expires_at(page: Any, *, background: bool = True) -> str | None:
    """The server's idle deadline of this page's session (None: no session). A background
    request does not extend it."""
    result: str | None = page.evaluate(SESSION_QUERY, background)
    return result


def vod_tile_to_buy(page: Any) -> tuple[Any, str]:
    """On Payments: the first VOD title (not PPV) that can still be bought, and its name."""
    tile = (
        page.locator("#vod .tile", has=page.locator(".tile-kind", has_text="VOD"))
        .filter(has=page.locator("button"))
        .first
    )
    title = tile.locator(".tile-title").inner_text()
    # Located by its name from now on: it stays the same tile once it shows the purchase.
    return page.locator("#vod .tile", has=page.locator(".tile-title", has_text=title)), title


def check_accessibility(page: Any) -> None:
    """Runs axe-core in the page (evaluated over the DevTools protocol, so the app's CSP stays
    on) and fails with the list of violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text() + "\n;true")
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ['violations'] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
            }));
        }"""
    )
    assert violations == [], f"axe-core violations on {page.url}: {violations}"


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")  # keeps the sticky top bar at the top
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def check_no_horizontal_overflow(page: Any) -> None:
    """Nothing sticks out sideways (a phone would scroll the whole page horizontally); wide
    tables scroll inside their own region instead."""
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return null;
            const wide = [...document.querySelectorAll('main *')]
                .filter((el) => el.getBoundingClientRect().right > width + 0.5
                    && !el.closest('.table-wrap'))
                .slice(0, 3).map((el) => el.outerHTML.slice(0, 100));
            return { scrollWidth: document.documentElement.scrollWidth, width, wide };
        }"""
    )
    assert overflow is None, f"horizontal overflow on {page.url}: {overflow}"


def check_target_sizes(page: Any) -> None:
    """Every button and every link that stands alone (in a table cell, a list row, a card's
    head; not a link inside running text) is at least 24×24 CSS px (WCAG 2.2, 2.5.8), also on a
    phone. axe-core's target-size rule lets small targets pass when nothing is near them."""
    small = page.evaluate(
        """() => [...document.querySelectorAll('main button, main .btn, main a[download], main td a')]
            .filter((el) => {
                const box = el.getBoundingClientRect();
                return box.width && box.height && (box.width < 24 || box.height < 24);
            })
            .slice(0, 5)
            .map((el) => {
                const box = el.getBoundingClientRect();
                return `${el.outerHTML.slice(0, 80)} ${Math.round(box.width)}x${Math.round(box.height)}`;
            })"""
    )
    assert small == [], f"targets smaller than 24×24 px on {page.url}: {small}"


def add_first_package(card: Any, summary: str) -> str:
    """On a service's card of the services page: opens "add a package" (its ``summary`` text),
    picks the first package, waits for its quote, adds it and waits for the success message;
    returns the package's name."""
    card.locator("summary", has_text=summary).click()
    option = card.locator(".package-option").first
    name: str = option.locator(".package-name").inner_text()
    option.click()
    card.locator("[data-testid=package-quote]").wait_for()
    card.locator("form button[type=submit]").click()
    card.locator(".notice-success").wait_for()
    return name


def check_screen(page: Any, name: str) -> None:
    wait_loaded(page)
    check_accessibility(page)
    check_target_sizes(page)
    check_no_horizontal_overflow(page)
    screenshot(page, name)


def read_link(mailbox: Mailbox, to: str, path: str, *, within: float = 20) -> str:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        messages = mailbox.messages(to)
        if messages:
            return Mailbox.link(messages[-1], path)
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {to} within {within} s")
