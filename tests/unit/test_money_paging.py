"""Money text and keyset cursors (pure functions)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime

import pytest

from backend.models.enums import Language
from backend.services.errors import DomainError, ErrorCode
from backend.services.money import decimal_string, format_money
from backend.services.paging import MAX_PAGE_SIZE, Keyset, page_size


@pytest.mark.parametrize(
    ("minor", "decimal", "pl", "en"),
    [
        (4999, "49.99", "49,99\u00a0zł", "PLN\u00a049.99"),
        (0, "0.00", "0,00\u00a0zł", "PLN\u00a00.00"),
        (5, "0.05", "0,05\u00a0zł", "PLN\u00a00.05"),
        (-500, "-5.00", "-5,00\u00a0zł", "-PLN\u00a05.00"),
        (123456789, "1234567.89", "1\u00a0234\u00a0567,89\u00a0zł", "PLN\u00a01,234,567.89"),
    ],
)
def test_money_text(minor: int, decimal: str, pl: str, en: str) -> None:
    assert decimal_string(minor) == decimal
    assert format_money(minor, "PLN", Language.PL) == pl
    assert format_money(minor, "PLN", Language.EN) == en


def test_other_currency_has_its_own_symbol() -> None:
    assert format_money(1000, "EUR", Language.PL) == "10,00\u00a0€"


class _Row:
    def __init__(self, **values: object) -> None:
        self.__dict__.update(values)


KEYSET = Keyset("things", (("urgent", "bool"), ("at", "datetime"), ("day", "date"), ("id", "int")))


def test_cursor_round_trip() -> None:
    at = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)
    row = _Row(urgent=True, at=at, day=date(2026, 1, 2), id=7)
    assert KEYSET.parse(KEYSET.cursor(row)) == [True, at, date(2026, 1, 2), 7]


@pytest.mark.parametrize(
    "payload",
    [
        ["other", True, "2026-11-23T12:30:00+00:00", "2026-01-02", 7],  # another list's cursor
        ["things", 1, "2026-11-23T12:30:00+00:00", "2026-01-02", 7],  # int for bool
        ["things", True, "2026-11-23T12:30:00", "2026-01-02", 7],  # naive datetime
        ["things", True, "2026-11-23T12:30:00+00:00", "2026-02-30", 7],  # no such date
        ["things", True, "2026-11-23T12:30:00+00:00", "2026-01-02", True],  # bool for int
        ["things", True, "2026-11-23T12:30:00+00:00", "2026-01-02"],  # too short
        {"things": 1},
        [],
    ],
)
def test_tampered_cursor(payload: object) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    with pytest.raises(DomainError) as caught:
        KEYSET.parse(cursor)
    assert caught.value.code is ErrorCode.INVALID_CURSOR


def test_page_size() -> None:
    assert page_size(None) == 20
    assert page_size(0) == 0
    assert page_size(MAX_PAGE_SIZE) == MAX_PAGE_SIZE
    with pytest.raises(DomainError) as caught:
        page_size(MAX_PAGE_SIZE + 1)
    assert caught.value.code is ErrorCode.PAGE_SIZE_TOO_LARGE
    assert caught.value.params == {"max": MAX_PAGE_SIZE}
    with pytest.raises(DomainError):
        page_size(-1)
