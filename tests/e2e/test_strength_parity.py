"""The strength meter the customer sees and the server's verdict come from the same algorithm:
the SPA's own ``score()`` (vendored zxcvbn.js, in Chromium) gives the score the server's
``backend.services.passwords.strength`` (Python zxcvbn) gives, for the same personal words."""

from __future__ import annotations

from typing import Any

from backend.services.passwords import strength

CASES = [
    ("password", "", ""),
    ("qwerty123", "", ""),
    ("Kowalski1980", "jan.kowalski@example.com", ""),
    ("jan.kowalski!", "jan.kowalski@example.com", ""),
    ("dekoder301874526013", "", "301874526013"),
    ("Tr0ub4dor&3", "", ""),
    ("correct horse battery staple", "", ""),
    ("Zielony-Dekoder-Na-Balkonie-77", "piotr@example.com", "303746150928"),
    ("aaaaaaaaaaaa", "", ""),
    ("1234567890", "", ""),
    ("Warszawa2024!", "", ""),
    ("zażółć gęślą jaźń", "", ""),
    ("600100200abc", "", "+48 600 100 200"),
    ("Antena-Na-Dachu-I-Kawa-2027", "anna.kowalska@example.com", ""),
    ("x" * 90 + "Ab1!" + "y" * 40, "", ""),  # only the first 100 characters are scored
    ("summer2025", "summer@example.com", ""),
    ("P@ssw0rd", "", ""),
    ("telewizja satelitarna", "", ""),
]


def test_spa_meter_scores_like_the_server(live_server: Any, new_page: Any) -> None:
    page = new_page()
    page.goto(live_server().url + "/register")
    page.locator("#register-password").wait_for()
    scores = page.evaluate(
        """async (cases) => {
            const meter = await import('/js/strength.js');
            await meter.loadZxcvbn();
            return cases.map(([password, email, identifier]) =>
                meter.score(password, { email, identifiers: identifier ? [identifier] : [] }).score);
        }""",
        [list(c) for c in CASES],
    )
    expected = [
        strength(p, email=e or None, identifiers=[i] if i else []).score for p, e, i in CASES
    ]
    assert scores == expected
    assert len(set(expected)) >= 4  # the cases really span the scale
