"""When the network fails, a screen says so and offers to try again; trying again works once the
connection is back. (The browser aborts the request: the server is not involved.)"""

from __future__ import annotations

from typing import Any

from tests.e2e.spa import check_accessibility, log_in, screenshot


def test_network_error_then_retry(live_server: Any, new_page: Any) -> None:
    base = live_server().url
    page = new_page()
    log_in(page, base)

    def offline(route: Any) -> None:
        if "query Payments" in (route.request.post_data or ""):
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/graphql", offline)
    page.locator("#main-nav").get_by_role("link", name="Płatności").click()
    error = page.locator(".state-error")
    error.wait_for()
    assert "połączenia" in error.inner_text()
    check_accessibility(page)
    screenshot(page, "error-state")

    page.unroute("**/graphql")
    error.get_by_role("button", name="Spróbuj ponownie").click()
    page.locator("#invoices").wait_for()
    assert page.locator(".state-error").count() == 0
