"""The captcha's proof of work in a real browser: the vendored ALTCHA solver runs in Web Workers
loaded from this server under the strict CSP, while the customer types; a submit made before it is
done waits, showing "checking..." in a status region, then logs in."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Route, expect

from tests.e2e.spa import fill_login, log_in, wait_loaded

SOLVER = "**/vendor/altcha/altcha-lib.min.js"


def test_the_browser_solves_the_proof_in_workers(live_server: Any, new_page: Any) -> None:
    base = live_server(ICOK_CAPTCHA_PROOF_MAX_NUMBER="20000").url
    page = new_page()
    workers: list[str] = []
    page.on("worker", lambda worker: workers.append(worker.url))
    # The solver arrives late (a slow connection): held until the submit below has been made.
    held: list[Route] = []
    page.route(SOLVER, lambda route: held.append(route))
    page.goto(base + "/login")
    wait_loaded(page)
    fill_login(page)
    checking = page.get_by_test_id("captcha-checking")
    expect(checking).to_have_attribute("role", "status")
    page.locator("form button[type=submit]").click()
    expect(checking).to_have_text("Sprawdzamy przeglądarkę…")
    expect(page.locator("form button[type=submit]")).to_have_attribute("aria-busy", "true")
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_url(base + "/")
    wait_loaded(page)
    assert workers and all(url.endswith("/vendor/altcha/sha-worker.js") for url in workers), workers
    assert page.js_errors == [], page.js_errors


def test_a_successful_login_fetches_no_new_captcha_and_loads_versioned_files(
    live_server: Any, new_page: Any
) -> None:
    base = live_server().url
    page = new_page()
    captchas: list[str] = []
    files: list[str] = []

    def seen(request: Any) -> None:
        if request.method == "POST" and "query Captcha" in (request.post_data or ""):
            captchas.append(page.url)
        elif request.resource_type in ("script", "stylesheet"):
            files.append(request.url.removeprefix(base))

    page.on("request", seen)
    log_in(page, base)
    assert len(captchas) == 1, captchas  # the login form's, none after it
    assert files and all(f.startswith("/assets/") for f in files), files
    assert page.js_errors == [], page.js_errors
