"""A wallet top-up in a real browser: the sandbox's hosted page (strict CSP, no scripts), BLIK
with a 6-digit code, the signed webhook, and the return to the SPA with the payment's status."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from backend.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.api.account_helpers import captcha_fields
from tests.e2e.spa import check_accessibility

CAPTCHA = "{ captcha { id question proofChallenge } }"
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { errors { code } } }"""
TOP_UP = """mutation($input: TopUpWalletInput!) {
  topUpWallet(input: $input) { payment { id } redirectUrl errors { code } } }"""
PAYMENT = "query($id: ID!) { payment(id: $id) { status method } }"
BALANCE = "{ viewer { wallet { balance { amount } } } }"


def _gql(page: Any, base: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = page.request.post(
        f"{base}/graphql",
        data={"query": query, "variables": variables or {}},
        headers={"Content-Type": "application/json", "Origin": base},
    )
    assert response.ok, response.text()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _log_in_through_the_api(page: Any, base: str) -> None:
    """The page's cookie session, started by the login mutation (this test is about the payment
    pages, not the login form, which ``spa.log_in`` covers)."""
    captcha = _gql(page, base, CAPTCHA)["captcha"]
    data = _gql(
        page,
        base,
        LOGIN,
        {
            "input": {
                "login": DEMO_EMAIL,
                "password": DEMO_PASSWORD,
                **captcha_fields(captcha),
            }
        },
    )
    assert data["login"]["errors"] == []


def test_top_up_with_blik_in_the_sandbox(live_server: Any, new_page: Any) -> None:
    server = live_server()
    page = new_page(locale="pl-PL")
    _log_in_through_the_api(page, server.url)
    before = _gql(page, server.url, BALANCE)["viewer"]["wallet"]["balance"]["amount"]
    started = _gql(
        page,
        server.url,
        TOP_UP,
        {"input": {"amount": "20.00", "method": "BLIK", "idempotencyKey": "e2e-blik-0001"}},
    )["topUpWallet"]
    assert started["errors"] == []
    page.goto(started["redirectUrl"])
    assert page.get_by_text("SANDBOX").is_visible()
    assert page.locator("script").count() == 0
    check_accessibility(page)
    page.get_by_label("BLIK", exact=True).check()
    page.get_by_label(re.compile("Kod BLIK")).fill("12345")  # too short: the browser stops it
    page.get_by_role("button", name="Zapłać").click()
    assert page.locator("#blik:invalid").count() == 1
    assert "/sandbox-pay/" in page.url
    page.get_by_label(re.compile("Kod BLIK")).fill("777123")
    page.get_by_role("button", name="Zapłać").click()
    page.wait_for_url(re.compile(r"/payments/return\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"payment": [started["payment"]["id"]], "status": ["paid"]}
    shown = _gql(page, server.url, PAYMENT, {"id": started["payment"]["id"]})["payment"]
    assert shown == {"status": "PAID", "method": "BLIK"}
    after = _gql(page, server.url, BALANCE)["viewer"]["wallet"]["balance"]["amount"]
    assert round(float(after) - float(before), 2) == 20.00
    assert not [e for e in page.js_errors if "Content Security Policy" in e or "Refused" in e]
