"""A wallet top-up through PayU in a real browser: the SPA sends the customer to the provider's
page on another origin (the PayU emulator, ``tests/payu_emulator.py``, served from a thread), the
emulator notifies the server (a subprocess) with a signed notification and sends the customer
back through ``continueUrl`` to the SPA's result page."""

from __future__ import annotations

import re
from typing import Any

from tests.checkout import free_port
from tests.e2e.spa import log_in, wait_loaded
from tests.payu_emulator import PayUEmulator
from tests.serving import serve_in_thread


def test_top_up_through_payu(live_server: Any, new_page: Any) -> None:
    emulator = PayUEmulator()
    with serve_in_thread(emulator.app(), free_port()) as url:
        emulator.url = url
        server = live_server(
            ICOK_PAYMENT_PROVIDER="payu",
            ICOK_PAYU_POS_ID=emulator.pos_id,
            ICOK_PAYU_CLIENT_ID=emulator.client_id,
            ICOK_PAYU_CLIENT_SECRET=emulator.client_secret,
            ICOK_PAYU_SECOND_KEY=emulator.second_key,
            ICOK_PAYU_API_URL=url,
        )
        page = new_page(locale="pl-PL")
        log_in(page, server.url)
        page.goto(server.url + "/payments")
        wait_loaded(page)
        balance = page.locator("[data-testid=wallet-balance]").inner_text()
        page.fill("#top-up-amount", "20")
        page.select_option("#top-up-method", "BLIK")
        page.locator("#wallet form button[type=submit]").click()
        # the SPA follows the redirect to the provider's own origin
        page.wait_for_url(re.compile(re.escape(url) + r"/pay/\?orderId="))
        [order] = emulator.orders.values()
        assert order.request["totalAmount"] == "2000"
        assert order.request["payMethods"] == {"payMethod": {"type": "PBL", "value": "blik"}}
        page.get_by_role("button", name="Pay").click()
        page.wait_for_url(re.compile(re.escape(server.url) + r"/payments/return\?payment="))
        result = page.locator("[data-testid=payment-result]")
        result.wait_for()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=payment-result]').dataset.status === 'paid'"
        )
        assert [answer.status_code for answer in order.notifications] == [200, 200]
        page.goto(server.url + "/payments")
        wait_loaded(page)
        assert page.locator("[data-testid=wallet-balance]").inner_text() != balance
        assert page.js_errors == [], page.js_errors
