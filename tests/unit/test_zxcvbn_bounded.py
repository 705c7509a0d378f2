"""zxcvbn with a bounded worst case (``backend.services.zxcvbn_bounded``): the same verdicts as
the library for ordinary passwords, and a bounded amount of work for any input (issue 15,
item 3; ``bench/hostile_requests.py`` prints the CPU figures)."""

from __future__ import annotations

from typing import Any

import pytest
import zxcvbn as library
import zxcvbn_pl

from backend.services import passwords, zxcvbn_bounded
from backend.services.zxcvbn_bounded import MAX_L33T_CHARS, MAX_L33T_SUBS

L = passwords.SCORED_PREFIX
WORST = {
    # The attacker's: every l33t character, 736 substitution tables in the library (8.6 s).
    "l33t": ("4@8({[<3690!|1$5+7%2" * 5)[:L],
    # The ambiguous ones (1, | and ! are i or l, 7 is l or t) between the letters they stand for.
    "ambiguous": ("1|7il!" * 20)[:L],
    "found by search": (
        "1|7il!1|7il!1|7il!1|7i1r1|7i@@177iz!1|7il!1|7il!y47il!1g7i%!1|7il!1|7il!1|7iz 1|7i7!1|"
        "ril!1|7il 4|7i"
    ),
    "brackets": ("({[<1|" * 20)[:L],
    "l33t and letters": ("(a{e[i<1o|" * 10)[:L],
    "repeated": "a" * L,
    "alternating": "ab" * (L // 2),
    "keyboard": ("qwertyuiopasdfghjklzxcvbnm" * 4)[:L],
    "keypad": ("7894561230" * 10)[:L],
    "dates": ("12.05.1985" * 10)[:L],
    "words": ("passwordkrakowwarszawaanna" * 4)[:L],
    "mixed": ("P@ssw0rd1985qwerty!" * 6)[:L],
}
ORDINARY = [
    "haslo123",
    "p@ssw0rd",
    "P@$$w0rd!",
    "l3tm31n!",
    "Tr0ub4dor&3",
    "$uper$ecret",
    "kr0l0w4-m1ch4l",
    "dr4g0n!2020",
    "zaq12wsx",
    "Katarzyna1985!",
    "Ł0dź#miasto",
    "correct horse battery staple",
    "12.05.1985",
    "abcabcabc",
]


@pytest.mark.parametrize("password", ORDINARY)
def test_ordinary_passwords_score_as_the_library_scores_them(password: str) -> None:
    zxcvbn_pl.register()
    inputs = ["anna", "kowalska", "600100200"]
    expected = library.zxcvbn(password, user_inputs=inputs, max_length=L)
    found = zxcvbn_bounded.zxcvbn(password, user_inputs=inputs)
    assert (found["guesses"], found["score"], found["feedback"]) == (
        expected["guesses"],
        expected["score"],
        expected["feedback"],
    )


@pytest.mark.parametrize("name", list(WORST))
def test_the_work_of_one_scoring_is_bounded(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """At most MAX_L33T_CHARS l33t characters and MAX_L33T_SUBS tables, so at most
    2 + MAX_L33T_SUBS dictionary passes over the scored prefix (and as many over a repeated
    base, which is shorter); the library made 738 passes of O(n²) for the "l33t" input."""
    password = WORST[name]
    assert len(password) <= L
    subtable = zxcvbn_bounded.l33t_subtable(password)
    assert len({ch for subs in subtable.values() for ch in subs}) <= MAX_L33T_CHARS
    assert len(zxcvbn_bounded.l33t_subs(password)) <= MAX_L33T_SUBS
    passes: list[int] = []
    real = zxcvbn_bounded.dictionary_match

    def counted(text: str, dictionaries: Any) -> Any:
        passes.append(len(text))
        return real(text, dictionaries)

    monkeypatch.setattr(zxcvbn_bounded, "dictionary_match", counted)
    passwords.strength(password * 10)  # 1000 characters: only the prefix is scored
    assert max(passes) <= L
    assert sum(passes) <= 2 * (2 + MAX_L33T_SUBS) * L


def test_the_attackers_password_is_still_judged() -> None:
    verdict = passwords.strength(WORST["l33t"])
    assert verdict.acceptable  # 100 characters: no dictionary word explains them
    assert not passwords.strength("P@$$w0rd!").acceptable
