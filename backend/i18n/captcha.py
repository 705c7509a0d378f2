"""The captcha question in words, for screen readers ("Ile to jest siedem plus pięć?").

Keys: ``captcha.question`` (``{a}``, ``{op}``, ``{b}``), ``captcha.number.<0..10>``,
``captcha.op.plus``, ``captcha.op.minus``.
"""

from __future__ import annotations

from backend.models.enums import Language

_NUMBERS = {
    Language.PL: [
        "zero",
        "jeden",
        "dwa",
        "trzy",
        "cztery",
        "pięć",
        "sześć",
        "siedem",
        "osiem",
        "dziewięć",
        "dziesięć",
    ],
    Language.EN: [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
    ],
}

TEXTS: dict[Language, dict[str, str]] = {
    Language.PL: {
        "captcha.question": "Ile to jest {a} {op} {b}? Wpisz wynik cyframi.",
        "captcha.op.plus": "plus",
        "captcha.op.minus": "minus",
        **{f"captcha.number.{n}": word for n, word in enumerate(_NUMBERS[Language.PL])},
    },
    Language.EN: {
        "captcha.question": "What is {a} {op} {b}? Type the result in digits.",
        "captcha.op.plus": "plus",
        "captcha.op.minus": "minus",
        **{f"captcha.number.{n}": word for n, word in enumerate(_NUMBERS[Language.EN])},
    },
}
