"""zxcvbn with a bounded worst case: the library's own matchers and scoring, except the
dictionary and l33t passes, whose cost grew without a useful bound.

zxcvbn 4.5's ``l33t_match`` runs one dictionary pass per *substitution table*, and the number
of tables is the product, over the letters, of the l33t characters present for that letter
(``enumerate_l33t_subs``): the 20 characters ``4@8({[<3690!|1$5+7%2`` give 736 tables. Its
``dictionary_match`` tries all n(n+1)/2 substrings of the password in every dictionary (5050
for 100 characters, x 10 dictionaries with the Polish ones). Together: ~3.7 s of CPU (8.6 s
with the Polish dictionaries) for one 100-character password an anonymous caller can send.

Here:

* :func:`dictionary_match` returns exactly the library's matches, but only tries substrings no
  longer than the dictionary's longest word (at most 34 characters) and asks the Polish
  marisa-trie indices for all words starting at a position in one ``prefixes`` call;
* :func:`l33t_match` considers only the first :data:`MAX_L33T_CHARS` distinct l33t characters
  of the password (in order of appearance) as substitutions and tries at most
  :data:`MAX_L33T_SUBS` tables. A password is matched exactly as by the library when it has
  at most :data:`MAX_L33T_CHARS` distinct l33t characters and they give at most
  :data:`MAX_L33T_SUBS` tables: every one with up to 4 ("p@$$w0rd", "l3tm31n!"); of the sets
  of 5 distinct l33t characters 5 of 15,504 give more tables (up to 23), of the sets of 6
  145 of 38,760 (up to 32). For those, and for passwords with more l33t characters, the
  tables not tried may leave a l33t word unmatched, so the score can come out higher than the
  library's (e.g. "$+1|571|771e": 4 here, 3 by the library); none was found crossing the
  acceptance threshold (score 2);
* the repeat matcher recurses into this module's matching, not the library's.

Spatial, sequence, regex and date matching, scoring, time estimates and feedback are the
library's (``zxcvbn.matching``, ``zxcvbn.scoring``, ``zxcvbn.time_estimates``,
``zxcvbn.feedback``). Source of the algorithm: Wheeler, "zxcvbn: Low-Budget Password Strength
Estimation", USENIX Security 2016; https://github.com/dwolner/zxcvbn-python.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import marisa_trie
import zxcvbn_pl
from zxcvbn import feedback, matching, scoring, time_estimates

MAX_L33T_CHARS = 6
"""Distinct l33t characters of a password considered as substitutions (the first to appear)."""
MAX_L33T_SUBS = 16
"""Substitution tables tried at most (each costs one dictionary pass)."""

_Match = dict[str, Any]


@dataclass(frozen=True)
class Dictionary:
    """A ranked dictionary (word -> rank, 1 the most common) and how to find its words."""

    name: str
    ranked: Mapping[str, int]
    trie: Any = None
    """A marisa-trie of the words (``prefixes(text)``: all words ``text`` starts with)."""
    longest: int = 0
    """The longest word's length (used when there is no trie)."""

    def words_from(self, lowered: str, i: int) -> Iterator[str]:
        """The words that ``lowered[i:]`` starts with."""
        if self.trie is not None:
            yield from self.trie.prefixes(lowered[i:])
            return
        for j in range(i, min(len(lowered), i + self.longest)):
            word = lowered[i : j + 1]
            if word in self.ranked:
                yield word


@lru_cache(maxsize=1)
def _dictionaries() -> tuple[Dictionary, ...]:
    """zxcvbn's ranked dictionaries with the Polish ones (``zxcvbn-pl``, already marisa-trie
    indices), each with a marisa-trie of its words (~0.3 s once), without the per-call
    ``user_inputs``."""
    zxcvbn_pl.register()
    found: list[Dictionary] = []
    for name, ranked in matching.RANKED_DICTIONARIES.items():
        if name == "user_inputs":
            continue
        trie = getattr(ranked, "_trie", None)  # zxcvbn_pl.MarisaRankedDictionary's index
        found.append(Dictionary(name, ranked, trie or marisa_trie.Trie(list(ranked))))
    return tuple(found)


def dictionary_match(password: str, dictionaries: tuple[Dictionary, ...]) -> list[_Match]:
    """``zxcvbn.matching.dictionary_match``'s matches (the same list, in the same order) in
    O(n x longest word) lookups per dictionary instead of O(n²)."""
    matches: list[_Match] = []
    lowered = password.lower()
    for dictionary in dictionaries:
        for i in range(len(password)):
            for word in dictionary.words_from(lowered, i):
                j = i + len(word) - 1
                matches.append(
                    {
                        "pattern": "dictionary",
                        "i": i,
                        "j": j,
                        "token": password[i : j + 1],
                        "matched_word": word,
                        "rank": dictionary.ranked[word],
                        "dictionary_name": dictionary.name,
                        "reversed": False,
                        "l33t": False,
                    }
                )
    return sorted(matches, key=lambda m: (m["i"], m["j"]))


def reverse_dictionary_match(password: str, dictionaries: tuple[Dictionary, ...]) -> list[_Match]:
    """``zxcvbn.matching.reverse_dictionary_match`` over :func:`dictionary_match`."""
    matches = dictionary_match(password[::-1], dictionaries)
    for match in matches:
        match["token"] = match["token"][::-1]
        match["reversed"] = True
        match["i"], match["j"] = len(password) - 1 - match["j"], len(password) - 1 - match["i"]
    return sorted(matches, key=lambda m: (m["i"], m["j"]))


def l33t_subtable(password: str) -> dict[str, list[str]]:
    """``zxcvbn.matching.relevant_l33t_subtable`` restricted to the first
    :data:`MAX_L33T_CHARS` distinct l33t characters of ``password``: letter -> its l33t
    characters present, e.g. ``{"a": ["@"], "s": ["$"]}`` for "p@$$word"."""
    known = {ch for subs in matching.L33T_TABLE.values() for ch in subs}
    kept = [ch for ch in dict.fromkeys(password) if ch in known][:MAX_L33T_CHARS]
    return matching.relevant_l33t_subtable("".join(kept), matching.L33T_TABLE)


def l33t_subs(password: str) -> list[dict[str, str]]:
    """The substitution tables (l33t character -> letter) tried on ``password``: at most
    :data:`MAX_L33T_SUBS`, in the library's order (``enumerate_l33t_subs``)."""
    return matching.enumerate_l33t_subs(l33t_subtable(password))[:MAX_L33T_SUBS]


def l33t_match(password: str, dictionaries: tuple[Dictionary, ...]) -> list[_Match]:
    """``zxcvbn.matching.l33t_match`` over the tables of :func:`l33t_subs`."""
    matches: list[_Match] = []
    for sub in l33t_subs(password):
        if not sub:
            break
        subbed = matching.translate(password, sub)
        for match in dictionary_match(subbed, dictionaries):
            token = password[match["i"] : match["j"] + 1]
            if token.lower() == match["matched_word"]:
                continue  # only matches that contain an actual substitution
            match_sub = {k: v for k, v in sub.items() if k in token}
            match["l33t"] = True
            match["token"] = token
            match["sub"] = match_sub
            match["sub_display"] = ", ".join(f"{k} -> {v}" for k, v in match_sub.items())
            matches.append(match)
    matches = [m for m in matches if len(m["token"]) > 1]
    return sorted(matches, key=lambda m: (m["i"], m["j"]))


_GREEDY = re.compile(r"(.+)\1+")
_LAZY = re.compile(r"(.+?)\1+")
_LAZY_ANCHORED = re.compile(r"^(.+?)\1+$")


def repeat_match(password: str, dictionaries: tuple[Dictionary, ...]) -> list[_Match]:
    """``zxcvbn.matching.repeat_match``, scoring the repeated base with :func:`omnimatch`."""
    matches: list[_Match] = []
    last_index = 0
    while last_index < len(password):
        greedy = _GREEDY.search(password, pos=last_index)
        lazy = _LAZY.search(password, pos=last_index)
        if not greedy or not lazy:
            break
        if len(greedy.group(0)) > len(lazy.group(0)):
            match = greedy
            anchored = _LAZY_ANCHORED.search(match.group(0))
            base_token = anchored.group(1) if anchored else match.group(1)
        else:
            match = lazy
            base_token = match.group(1)
        i, j = match.span()[0], match.span()[1] - 1
        base = scoring.most_guessable_match_sequence(
            base_token, omnimatch(base_token, dictionaries)
        )
        matches.append(
            {
                "pattern": "repeat",
                "i": i,
                "j": j,
                "token": match.group(0),
                "base_token": base_token,
                "base_guesses": base["guesses"],
                "base_matches": base["sequence"],
                "repeat_count": len(match.group(0)) / len(base_token),
            }
        )
        last_index = j + 1
    return matches


def omnimatch(password: str, dictionaries: tuple[Dictionary, ...]) -> list[_Match]:
    """``zxcvbn.matching.omnimatch`` with the bounded matchers above."""
    ranked = {d.name: d.ranked for d in dictionaries}
    matches: list[_Match] = []
    matches += dictionary_match(password, dictionaries)
    matches += reverse_dictionary_match(password, dictionaries)
    matches += l33t_match(password, dictionaries)
    matches += matching.spatial_match(password, _ranked_dictionaries=ranked)
    matches += repeat_match(password, dictionaries)
    matches += matching.sequence_match(password, _ranked_dictionaries=ranked)
    matches += matching.regex_match(password, _ranked_dictionaries=ranked)
    matches += matching.date_match(password, _ranked_dictionaries=ranked)
    return sorted(matches, key=lambda m: (m["i"], m["j"]))


def zxcvbn(password: str, user_inputs: list[str] | None = None) -> dict[str, Any]:
    """What ``zxcvbn.zxcvbn(password, user_inputs)`` returns (``score`` 0-4, ``guesses``,
    ``sequence``, ``feedback`` {``warning``, ``suggestions``}, crack times), with the Polish
    dictionaries and the bounded matchers. ``user_inputs`` (the customer's words) are a
    dictionary of their own for this call only: nothing global is changed. The caller bounds
    the length (the work is O(length x longest word x (1 + :data:`MAX_L33T_SUBS`)))."""
    inputs = {word: rank for rank, word in enumerate((w.lower() for w in user_inputs or []), 1)}
    longest = max((len(w) for w in inputs), default=0)
    dictionaries = (*_dictionaries(), Dictionary("user_inputs", inputs, longest=longest))
    result: dict[str, Any] = scoring.most_guessable_match_sequence(
        password, omnimatch(password, dictionaries)
    )
    result.update(time_estimates.estimate_attack_times(result["guesses"]))
    result["feedback"] = feedback.get_feedback(result["score"], result["sequence"])
    return result
