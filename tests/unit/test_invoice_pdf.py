"""Pure parts of the invoice: amounts in Polish words and the IBAN of the payment account."""

from __future__ import annotations

import pytest

from backend.config import Settings
from backend.documents.polish_words import amount_in_words, number_in_words
from backend.services.billing import payment_account


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (1, "jeden"),
        (12, "dwanaście"),
        (22, "dwadzieścia dwa"),
        (115, "sto piętnaście"),
        (1000, "tysiąc"),
        (2000, "dwa tysiące"),
        (5000, "pięć tysięcy"),
        (12_000, "dwanaście tysięcy"),
        (22_000, "dwadzieścia dwa tysiące"),
        (1_000_000, "milion"),
        (2_345_678, "dwa miliony trzysta czterdzieści pięć tysięcy sześćset siedemdziesiąt osiem"),
    ],
)
def test_number_in_words(n: int, words: str) -> None:
    assert number_in_words(n) == words


def test_amount_in_words_plurals() -> None:
    assert amount_in_words(100) == "jeden złoty 00/100"
    assert amount_in_words(4999) == "czterdzieści dziewięć złotych 99/100"
    assert amount_in_words(2205) == "dwadzieścia dwa złote 05/100"
    assert amount_in_words(1305) == "trzynaście złotych 05/100"
    with pytest.raises(ValueError):
        number_in_words(10**9)


@pytest.mark.parametrize("customer_id", [1, 42, 987654])
def test_payment_account_is_a_valid_iban(customer_id: int) -> None:
    iban = payment_account(Settings(bank_routing="11402004"), customer_id)
    assert iban.startswith("PL") and len(iban) == 28 and " " not in iban
    assert iban[4:12] == "11402004"
    rearranged = iban[4:] + iban[:4]
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    assert int(numeric) % 97 == 1
    assert iban.endswith(f"{customer_id:016d}")


def test_a_fixed_account_is_everyones() -> None:
    settings = Settings(bank_account="PL61109010140000071219812874")
    assert payment_account(settings, 1) == payment_account(settings, 2) == settings.bank_account
