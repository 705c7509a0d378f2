"""What the customer sees of a payment before and after the provider's page: the pay bar's total
follows the ticked invoices, the top-up button names the amount, a declined payment offers "try
again" (a new payment for the same invoices), the history names the invoices, and the settled
payment's receipt arrives by e-mail."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from backend.demo import DEMO_EMAIL
from tests.e2e.spa import check_screen, log_in, wait_loaded
from tests.smtp import Mailbox


def _reopen_newest_invoices(data_dir: Path, email: str, count: int = 2) -> None:
    """Setup: the demo customer pays soon after each invoice, so on most days nothing is open;
    make their ``count`` newest invoices unpaid again in the server's database."""
    with sqlite3.connect(data_dir / "icok.sqlite3") as db:
        db.execute(
            "UPDATE invoice SET status = 'unpaid', paid_at = NULL WHERE id IN ("
            " SELECT invoice.id FROM invoice JOIN customer ON customer.id = invoice.customer_id"
            " WHERE customer.email = ? ORDER BY invoice.issued_on DESC LIMIT ?)",
            (email, count),
        )


def _grosze(formatted: str) -> int:
    """ "1 234,56 zł" or "PLN 1,234.56" → 123456 (amounts always show two decimals)."""
    return int(re.sub(r"\D", "", formatted))


def _ticked(page: Any) -> list[tuple[str, int]]:
    """(number, grosze) of the invoices ticked for paying."""
    rows = page.locator(".invoices-table tbody tr").filter(has=page.locator("input:checked"))
    return [
        (row.locator(".c-number").inner_text(), _grosze(row.locator(".c-amount").inner_text()))
        for row in rows.all()
    ]


def _total_is(page: Any, grosze: int) -> None:
    """The pay bar settles on ``grosze`` (it asks the server after each change)."""
    total = page.locator("[data-testid=pay-total]")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        text = total.inner_text()
        busy = total.get_attribute("aria-busy") == "true"
        if not busy and re.search(r"\d", text) and _grosze(text) == grosze:
            return
        time.sleep(0.1)
    raise AssertionError(f"the pay bar shows {total.inner_text()!r}, expected {grosze} grosze")


def _result(page: Any) -> str:
    page.wait_for_url(re.compile(r"/payments/return\?payment="))
    page.locator("[data-testid=payment-result]").wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=payment-result]').dataset.status !== 'pending'"
    )
    return str(page.locator("[data-testid=payment-result]").get_attribute("data-status"))


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_pay_bar_total_try_again_and_receipt(
    viewport: str, live_server: Any, new_page: Any, mailbox: Mailbox
) -> None:
    server = live_server()
    base = server.url
    _reopen_newest_invoices(server.data_dir, DEMO_EMAIL)
    size = {"width": 390, "height": 844} if viewport == "phone" else {}
    page = new_page(locale="pl-PL", **size)
    log_in(page, base)
    page.goto(base + "/payments")
    wait_loaded(page)

    # The total of what is ticked (every unpaid invoice at first), then of what is left ticked.
    ticked = _ticked(page)
    assert len(ticked) >= 2, ticked
    _total_is(page, sum(g for _, g in ticked))
    page.locator(".invoices-table tbody input:checked").first.uncheck()
    assert len(_ticked(page)) == len(ticked) - 1
    ticked = _ticked(page)
    _total_is(page, sum(g for _, g in ticked))
    # The top-up button says how much it is about to charge.
    page.fill("#top-up-amount", "20")
    assert page.locator("#wallet form button[type=submit]").inner_text() == "Doładuj o 20 zł"
    check_screen(page, f"{viewport}-pay-bar-total")

    # Declined on the provider's page: the return page offers "try again".
    page.locator("#invoices form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/sandbox-pay/"))
    page.locator("button.decline").click()
    assert _result(page) == "failed"
    declined = page.url
    numbers = [n for n, _ in ticked]
    title = page.locator("[data-testid=payment-title]").inner_text()
    assert all(n in title for n in numbers), (title, numbers)
    assert page.locator("[data-testid=retry-payment]").inner_text() == "Spróbuj ponownie"
    check_screen(page, f"{viewport}-payment-declined-try-again")

    # The payments list names the invoices and offers "try again" for the declined payment too.
    page.goto(base + "/payments")
    wait_loaded(page)
    row = page.locator("[data-testid=payment-history] tbody tr").first
    assert all(n in row.locator(".h-purpose").inner_text() for n in numbers)
    retry = row.locator("[data-testid=retry-payment]")
    assert retry.inner_text() == "Spróbuj ponownie"
    check_screen(page, f"{viewport}-payments-try-again")

    # Trying again starts a new payment for the same invoices, which this time goes through.
    retry.click()
    page.wait_for_url(re.compile(r"/sandbox-pay/"))
    page.locator("button.approve").click()
    assert _result(page) == "paid"
    assert (
        page.url.split("payment=")[1].split("&")[0] != declined.split("payment=")[1].split("&")[0]
    )
    assert page.locator("[data-testid=retry-payment]").count() == 0

    # The history names the invoices; the declined payment has nothing left to retry.
    page.goto(base + "/payments")
    wait_loaded(page)
    rows = page.locator("[data-testid=payment-history] tbody tr")
    assert all(n in rows.nth(0).locator(".h-purpose").inner_text() for n in numbers)
    assert rows.nth(0).locator(".h-status").inner_text().strip().lower().startswith("opłacona")
    assert rows.nth(1).locator("[data-testid=retry-payment]").count() == 0

    # One receipt, in Polish, naming the invoices.
    deadline = time.monotonic() + 20
    while not mailbox.messages(DEMO_EMAIL) and time.monotonic() < deadline:
        time.sleep(0.1)
    [receipt] = mailbox.messages(DEMO_EMAIL)
    assert receipt["Subject"].startswith("ICOK: potwierdzenie płatności")
    assert all(n in Mailbox.text(receipt) for n in numbers)
    assert page.js_errors == [], page.js_errors
