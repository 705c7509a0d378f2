"""Password-strength feedback: zxcvbn's English warnings and suggestions, and their Polish.

Keys are zxcvbn's English texts (with runs of spaces collapsed), so the English catalogue maps
each one to itself; a text zxcvbn adds in a later version stays English until it is added here.
"""

from __future__ import annotations

from backend.models.enums import Language

_POLISH: dict[str, str] = {
    "Use a few words, avoid common phrases.": "Użyj kilku słów, unikaj popularnych zwrotów.",
    "No need for symbols, digits, or uppercase letters.": (
        "Symbole, cyfry i wielkie litery nie są konieczne."
    ),
    "Add another word or two. Uncommon words are better.": (
        "Dodaj jedno lub dwa słowa. Lepsze są słowa nietypowe."
    ),
    "Straight rows of keys are easy to guess.": "Rzędy sąsiednich klawiszy łatwo odgadnąć.",
    "Short keyboard patterns are easy to guess.": "Krótkie wzory z klawiatury łatwo odgadnąć.",
    "Use a longer keyboard pattern with more turns.": (
        "Użyj dłuższego wzoru z większą liczbą zwrotów."
    ),
    'Repeats like "aaa" are easy to guess.': 'Powtórzenia takie jak „aaa" łatwo odgadnąć.',
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        'Powtórzenia takie jak „abcabcabc" są niewiele trudniejsze do odgadnięcia niż „abc".'
    ),
    "Avoid repeated words and characters.": "Unikaj powtarzania słów i znaków.",
    'Sequences like "abc" or "6543" are easy to guess.': (
        'Ciągi takie jak „abc" lub „6543" łatwo odgadnąć.'
    ),
    "Avoid sequences.": "Unikaj ciągów znaków.",
    "Recent years are easy to guess.": "Ostatnie lata łatwo odgadnąć.",
    "Avoid recent years.": "Unikaj ostatnich lat.",
    "Avoid years that are associated with you.": "Unikaj lat związanych z Tobą.",
    "Dates are often easy to guess.": "Daty często łatwo odgadnąć.",
    "Avoid dates and years that are associated with you.": "Unikaj dat i lat związanych z Tobą.",
    "This is a top-10 common password.": "To jedno z 10 najpopularniejszych haseł.",
    "This is a top-100 common password.": "To jedno ze 100 najpopularniejszych haseł.",
    "This is a very common password.": "To bardzo popularne hasło.",
    "This is similar to a commonly used password.": "To hasło jest podobne do popularnego hasła.",
    "A word by itself is easy to guess.": "Pojedyncze słowo łatwo odgadnąć.",
    "Names and surnames by themselves are easy to guess.": "Same imiona i nazwiska łatwo odgadnąć.",
    "Common names and surnames are easy to guess.": "Popularne imiona i nazwiska łatwo odgadnąć.",
    "Capitalization doesn't help very much.": "Wielkie litery niewiele pomagają.",
    "All-uppercase is almost as easy to guess as all-lowercase.": (
        "Same wielkie litery są prawie tak łatwe do odgadnięcia jak same małe."
    ),
    "Reversed words aren't much harder to guess.": (
        "Słowa pisane od tyłu nie są dużo trudniejsze do odgadnięcia."
    ),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": (
        "Przewidywalne zamiany, np. „@” zamiast „a”, niewiele pomagają."
    ),
}

TEXTS: dict[Language, dict[str, str]] = {
    Language.PL: _POLISH,
    Language.EN: {english: english for english in _POLISH},
}
