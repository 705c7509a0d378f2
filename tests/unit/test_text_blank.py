"""``check_text``'s REQUIRED: a text of only whitespace and format characters is empty."""

from __future__ import annotations

import pytest

from backend.services.errors import Collector
from backend.services.text import blank, check_text

INVISIBLE = ["\u200b", "\u00a0", "\u3000", "\ufeff", "\u2028", "\u00a0\u200b \ufeff\u3000"]


@pytest.mark.parametrize("value", INVISIBLE)
@pytest.mark.parametrize("multiline", [False, True])
def test_invisible_text_is_required(value: str, multiline: bool) -> None:
    errors = Collector()
    check_text(errors, f" {value}\n", "body", 100, multiline=multiline, required=True)
    assert [(e.field, e.code.value) for e in errors.errors] == [("body", "REQUIRED")]


def test_visible_text_is_kept_trimmed() -> None:
    errors = Collector()
    assert check_text(errors, "  \u200bok\n", "body", 100, multiline=True, required=True) == (
        "\u200bok"
    )
    assert check_text(errors, " a \u00a0 b ", "name", 100, required=True) == "a b"
    assert not errors.errors
    assert blank("") and blank("\u200b\u00a0") and not blank("\u200ba")


def test_optional_invisible_text_is_no_error() -> None:
    errors = Collector()
    check_text(errors, "\u200b", "note", 100)
    assert not errors.errors
