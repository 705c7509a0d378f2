"""Keyboard only, on every screen: Tab reaches every visible interactive control of the page
(links, buttons, fields, disclosure summaries, scrollable table regions) and each one shows a
focus ring (an outline of at least 2 px) when it has the focus. On a phone, the compact menu
opens from its button, its links come next in the Tab order, and Escape closes it and gives
the focus back to the button."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.spa import log_in, wait_loaded

SCREENS = [
    "/",
    "/your-data",
    "/services",
    "/equipment",
    "/payments",
    "/offers",
    "/contact",
    "/security",
]

# Marks every visible interactive element; a radio group is one Tab stop (its name stands for it).
MARK_TARGETS = """() => {
    const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]),'
        + ' select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    const targets = [];
    document.querySelectorAll(selector).forEach((el, i) => {
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        if (!box.width || !box.height || style.visibility === 'hidden') return;
        if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY') return;
        if (el.classList.contains('skip-link')) return;  // shown only while it has the focus
        const key = el.type === 'radio' ? 'radio:' + el.name : 'el' + i;
        el.dataset.kbKey = key;
        targets.push(key);
    });
    return [...new Set(targets)];
}"""

# Called after each Tab: what has the focus, and does it show a ring?
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const name = (el.getAttribute('aria-label') || el.innerText || el.id || el.name || el.tagName)
        .trim().slice(0, 40);
    return { key: el.dataset.kbKey || null, ring, name, tag: el.tagName };
}"""


def _sweep(page: Any) -> tuple[set[str], list[str]]:
    """Tabs from the top of the page until the focus comes round again; returns the keys
    reached and the controls that had the focus without a visible ring."""
    targets = set(page.evaluate(MARK_TARGETS))
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    reached: set[str] = set()
    no_ring: list[str] = []
    first_key = None
    for _ in range(len(targets) + 40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not focused:
            continue
        if focused["key"] is not None and focused["key"] == first_key:
            break  # round the page once
        if first_key is None:
            first_key = focused["key"]
        if focused["key"]:
            reached.add(focused["key"])
        if not focused["ring"]:
            no_ring.append(f"{focused['tag']} {focused['name']!r}")
    return targets - reached, no_ring


def test_every_control_is_reachable_with_a_focus_ring(live_server: Any, new_page: Any) -> None:
    base = live_server().url
    page = new_page()
    log_in(page, base)
    problems: dict[str, Any] = {}
    for path in SCREENS:
        page.goto(base + path)
        wait_loaded(page)
        missed, no_ring = _sweep(page)
        if missed:
            problems[f"not reachable by Tab on {path}"] = page.evaluate(
                '(keys) => keys.map((k) => { const el = document.querySelector(`[data-kb-key="${k}"]`);'
                " return el ? el.outerHTML.slice(0, 120) : k; })",
                sorted(missed),
            )
        if no_ring:
            problems[f"focus without a visible ring on {path}"] = no_ring
    assert problems == {}
    assert page.js_errors == [], page.js_errors


def test_phone_menu_by_keyboard(live_server: Any, new_page: Any) -> None:
    base = live_server().url
    page = new_page(width=390, height=844)
    log_in(page, base)
    # The new screen puts the focus on its heading first; start from there, not before it.
    expect(page.locator("main h1")).to_be_focused()
    toggle = page.locator(".menu-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(page.locator("#main-nav a").first).to_be_focused()  # the menu comes next
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#main-nav")).to_be_hidden()
    expect(toggle).to_be_focused()
    # And a link chosen with the keyboard navigates and closes the menu.
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.locator("#main-nav").get_by_role("link", name="Płatności").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/payments")
    wait_loaded(page)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert page.js_errors == [], page.js_errors
