"""A customer the operator's system creates through the operator API registers and logs in
through the SPA: an API key made with ``icok operator-key create`` on the server's database,
the customer, contract and decoder card sent over HTTP to ``/operator/graphql``, then the
registration form, the confirmation link from the real SMTP server, and the portal showing the
name, card, customer number and city the operator sent."""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.sync_api import expect

from backend.services.identifiers import make_pesel
from tests.e2e.operator_api import operator_call, operator_key
from tests.e2e.spa import fill_login, read_link, solve_captcha, wait_loaded

PASSWORD = "Operator-Karta-Zielona-2026"
CARD = "405060708091"
PESEL = make_pesel(date(1988, 4, 12), 731, True)
EMAIL = "barbara.fed@example.com"
FEED = """
mutation ($customers: UpsertCustomersInput!, $contracts: UpsertContractsInput!,
          $services: UpsertServicesInput!) {
  upsertCustomers(input: $customers) { created results { status errors { code field } } }
  upsertContracts(input: $contracts) { created results { status errors { code field } } }
  upsertServices(input: $services) { created results { status errors { code field } } }
}"""


def _feed(url: str, key: str) -> dict[str, Any]:
    variables = {
        "customers": {
            "items": [
                {
                    "number": "BSS-000731",
                    "firstName": "Barbara",
                    "lastName": "Operatorska",
                    "pesel": PESEL,
                    "email": EMAIL,
                    "city": "Gdańsk",
                }
            ]
        },
        "contracts": {
            "items": [
                {
                    "number": "UM/BSS/731",
                    "customerNumber": "BSS-000731",
                    "signedOn": "2026-01-10",
                    "status": "ACTIVE",
                }
            ]
        },
        "services": {
            "items": [
                {
                    "identifier": CARD,
                    "contractNumber": "UM/BSS/731",
                    "kind": "SATELLITE_TV",
                    "name": "Telewizja w salonie",
                    "activatedOn": "2026-01-10",
                }
            ]
        },
    }
    return operator_call(url, key, FEED, variables)


def test_a_customer_fed_by_the_operator_registers_and_logs_in(
    live_server: Any, mailbox: Any, new_page: Any
) -> None:
    server = live_server()
    key = operator_key(server.env, "bss", "customers:write")
    body = _feed(server.url, key)
    assert "errors" not in body, body
    for field in ("upsertCustomers", "upsertContracts", "upsertServices"):
        assert body["data"][field]["created"] == 1, body

    page = new_page()
    page.goto(server.url + "/register")
    wait_loaded(page)
    page.fill("#register-identifier", CARD)
    page.fill("#register-pesel", PESEL)
    page.fill("#register-email", EMAIL)
    page.fill("#register-emailConfirmation", EMAIL)
    page.fill("#register-password", PASSWORD)
    page.locator("#register-acceptTerms").check()
    solve_captcha(page, "register")
    page.locator("form button[type=submit]").click()
    page.locator(".notice-success").wait_for()

    token = read_link(mailbox, EMAIL, "/confirm-email")
    page.goto(f"{server.url}/confirm-email?token={token}")
    page.locator(".notice-success").wait_for()

    page.goto(server.url + "/login")
    wait_loaded(page)
    fill_login(page, CARD, PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(server.url + "/")
    expect(page.locator("main")).to_contain_text("Barbara")
    page.goto(server.url + "/services")
    wait_loaded(page)
    expect(page.locator("main")).to_contain_text(f"Telewizja satelitarna {CARD}aktywna")
    page.goto(server.url + "/your-data")
    wait_loaded(page)
    expect(page.locator("main")).to_contain_text("BSS-000731")
    expect(page.locator("main")).to_contain_text("Umowa UM/BSS/731")
    expect(page.get_by_label("Miejscowość (opcjonalnie)")).to_have_value("Gdańsk")
