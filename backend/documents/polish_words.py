"""Amounts in Polish words, as printed on invoices ("słownie: sto dwadzieścia trzy złote 45/100").

Polish plurals: 1 złoty, 2-4 złote (but 12-14 złotych), 5+ złotych; the same for thousands
(tysiąc / tysiące / tysięcy) and millions."""

from __future__ import annotations

_UNITS = ["", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem", "dziewięć"]
_TEENS = ["dziesięć", "jedenaście", "dwanaście", "trzynaście", "czternaście", "piętnaście",
          "szesnaście", "siedemnaście", "osiemnaście", "dziewiętnaście"]  # fmt: skip
_TENS = ["", "", "dwadzieścia", "trzydzieści", "czterdzieści", "pięćdziesiąt", "sześćdziesiąt",
         "siedemdziesiąt", "osiemdziesiąt", "dziewięćdziesiąt"]  # fmt: skip
_HUNDREDS = ["", "sto", "dwieście", "trzysta", "czterysta", "pięćset", "sześćset", "siedemset",
             "osiemset", "dziewięćset"]  # fmt: skip
_GROUPS = [("", "", ""), ("tysiąc", "tysiące", "tysięcy"), ("milion", "miliony", "milionów")]


def plural(n: int, one: str, few: str, many: str) -> str:
    if n == 1:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


def _below_thousand(n: int) -> list[str]:
    words = [_HUNDREDS[n // 100]]
    rest = n % 100
    if 10 <= rest < 20:
        words.append(_TEENS[rest - 10])
    else:
        words += [_TENS[rest // 10], _UNITS[rest % 10]]
    return [w for w in words if w]


def number_in_words(n: int) -> str:
    """0 <= n < 10**9."""
    if n == 0:
        return "zero"
    if not 0 < n < 10**9:
        raise ValueError("out of range")
    words: list[str] = []
    for power in (2, 1, 0):
        group = n // 1000**power % 1000
        if group == 0:
            continue
        if power and group == 1:
            words.append(_GROUPS[power][0])
            continue
        words += _below_thousand(group)
        if power:
            words.append(plural(group, *_GROUPS[power]))
    return " ".join(words)


def amount_in_words(minor: int) -> str:
    """4999 -> "czterdzieści dziewięć złotych 99/100"."""
    zloty, grosze = divmod(abs(minor), 100)
    unit = plural(zloty, "złoty", "złote", "złotych")
    return f"{number_in_words(zloty)} {unit} {grosze:02d}/100"
