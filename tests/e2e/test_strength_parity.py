"""The strength meter the customer sees is the server's verdict: the SPA asks
``passwordStrength`` while the customer types (with the identifier, PESEL and e-mail typed in the
registration form), so the meter says what ``backend.services.passwords.strength`` says, Polish
words and personal data included, and what the submit would refuse."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from backend.i18n import translate
from backend.models.enums import Language
from backend.services.passwords import refusal, strength

EMAIL = "jan.kowalski@example.com"
IDENTIFIER = "301874526013"
PESEL = "85010112345"
LABELS = ["bardzo słabe", "słabe", "dostateczne", "dobre", "bardzo dobre"]
CASES = [
    "haslo123",  # Polish: weak on both sides (the browser had only English lists before)
    "password",
    "Kowalski1980",
    f"Kowalski{PESEL}",  # the surname and the PESEL typed above
    f"dekoder{IDENTIFIER}",
    "Warszawa2024!",
    "zażółć gęślą jaźń",
    "Zielony-Dekoder-Na-Balkonie-77",
    "correct horse battery staple",
]


def test_the_meter_shows_the_servers_verdict(live_server: Any, new_page: Any) -> None:
    page = new_page()
    page.goto(live_server().url + "/register")
    page.locator("#register-password").wait_for()
    page.fill("#register-identifier", IDENTIFIER)
    page.fill("#register-pesel", PESEL)
    page.fill("#register-email", EMAIL)
    meter = page.locator("[data-testid=password-strength]")
    seen = set()
    for password in CASES:
        verdict = strength(password, email=EMAIL, identifiers=[IDENTIFIER, PESEL])
        seen.add(verdict.score)
        page.fill("#register-password", password)
        expect(meter.locator("strong")).to_have_text(LABELS[verdict.score])
        error = refusal(verdict, Language.PL)
        if error is None:
            expect(meter).to_have_text(f"Siła hasła: {LABELS[verdict.score]}")
        else:
            expect(meter).to_contain_text(translate(error.code, Language.PL, **error.params))
    assert len(seen) >= 3  # the cases really span the scale
    assert not strength("haslo123").acceptable
