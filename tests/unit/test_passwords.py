"""Password hashing (pre-hash + bcrypt) and the password policy."""

from __future__ import annotations

import unicodedata
from typing import Any

import bcrypt
import pytest

from backend.config import Settings
from backend.models.enums import Language
from backend.services import passwords
from backend.services.errors import DomainError, ErrorCode

SETTINGS = Settings(secret_key="unit-test-secret-" + "k" * 32)
OTHER_SECRET = Settings(secret_key="another-secret-" + "q" * 32)
PASSPHRASE = "Zielony kanarek pije kawę o północy"


def _hash_once() -> str:
    return passwords.hash_password_sync(PASSPHRASE, SETTINGS)


HASHED = _hash_once()


def test_hash_is_bcrypt_cost_12_and_verifies() -> None:
    assert HASHED.startswith("$2b$12$")
    assert passwords.verify_password_sync(PASSPHRASE, HASHED, SETTINGS)
    assert not passwords.verify_password_sync(PASSPHRASE + "!", HASHED, SETTINGS)
    assert not passwords.verify_password_sync("", HASHED, SETTINGS)


def test_pepper_comes_from_the_secret_key() -> None:
    """A database stolen without the secret key is useless for checking guesses."""
    assert not passwords.verify_password_sync(PASSPHRASE, HASHED, OTHER_SECRET)
    # and the stored hash is not plain bcrypt of the password
    assert not bcrypt.checkpw(PASSPHRASE.encode(), HASHED.encode())


def test_passwords_longer_than_72_bytes_count_in_full() -> None:
    """bcrypt alone ignores (bcrypt 5: refuses) bytes after the 72nd; the pre-hash keeps them."""
    base = "ą" * 40  # 80 bytes in UTF-8, only 40 characters
    hashed = passwords.hash_password_sync(base + "one", SETTINGS)
    assert passwords.verify_password_sync(base + "one", hashed, SETTINGS)
    assert not passwords.verify_password_sync(base + "two", hashed, SETTINGS)
    long = "x" * 1000 + "end"
    hashed_long = passwords.hash_password_sync(long, SETTINGS)
    assert passwords.verify_password_sync(long, hashed_long, SETTINGS)
    assert not passwords.verify_password_sync("x" * 1000 + "enD", hashed_long, SETTINGS)


def test_unusable_hashes_never_match() -> None:
    for stored in ["!unusable", "", "$2b$12$short", "plain-text"]:
        assert not passwords.verify_password_sync(PASSPHRASE, stored, SETTINGS)


async def test_async_hash_and_verify_run_off_the_loop() -> None:
    hashed = await passwords.hash_password("Krótkie, ale-mocne 7!", SETTINGS)
    assert await passwords.verify_password("Krótkie, ale-mocne 7!", hashed, SETTINGS)
    assert not await passwords.verify_password("krótkie, ale-mocne 7!", hashed, SETTINGS)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("", ErrorCode.REQUIRED),
        ("Ab1!x", ErrorCode.PASSWORD_TOO_SHORT),
        ("7charsX", ErrorCode.PASSWORD_TOO_SHORT),
        ("password", ErrorCode.PASSWORD_TOO_WEAK),
        ("12345678", ErrorCode.PASSWORD_TOO_WEAK),
        ("qwertyuiop", ErrorCode.PASSWORD_TOO_WEAK),
        ("aaaaaaaaaaaa", ErrorCode.PASSWORD_TOO_WEAK),
        ("Password1", ErrorCode.PASSWORD_TOO_WEAK),
        ("x" * (passwords.MAX_LENGTH + 1), ErrorCode.PASSWORD_TOO_LONG),
    ],
)
async def test_policy_refuses(password: str, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as caught:
        await passwords.check_policy(password)
    assert caught.value.code is code
    assert caught.value.field == "password"


async def test_weak_password_hint_is_localised() -> None:
    with pytest.raises(DomainError) as pl:
        await passwords.check_policy("password", language=Language.PL)
    with pytest.raises(DomainError) as en:
        await passwords.check_policy("password", language=Language.EN)
    assert "najpopularniejszych" in pl.value.params["hint"]
    assert "top-10 common password" in en.value.params["hint"]


async def test_personal_data_refused() -> None:
    email = "katarzyna.wisniewska@example.com"
    for password in ["Wisniewska-2026-lato!", "katarzyna.wisniewska", "KATARZYNA#zima#77"]:
        with pytest.raises(DomainError) as caught:
            await passwords.check_policy(password, email=email)
        assert caught.value.code is ErrorCode.PASSWORD_CONTAINS_PERSONAL_DATA, password
    card = "123456789012"
    for password in ["moja karta 123456789012", "Karta-1234-5678-9012-xyz", "x123456789012x"]:
        with pytest.raises(DomainError) as caught:
            await passwords.check_policy(password, identifiers=[card])
        assert caught.value.code is ErrorCode.PASSWORD_CONTAINS_PERSONAL_DATA, password
    # short fragments are not personal data
    await passwords.check_policy(
        "Pies Ola jedzie do 123 gór!", email="ola@example.com", identifiers=[card]
    )


async def test_accepted_passphrases_up_to_the_limit() -> None:
    await passwords.check_policy(PASSPHRASE)
    await passwords.check_policy("Tr0ub4dor&3-Horse-Battery")
    # 500 characters of a varied passphrase: accepted
    words = ["kanarek", "sernik", "rower", "lampa", "kompas", "ogórek", "dzwon", "motyl", "żagiel"]
    long = " ".join(words[i % len(words)] + str(i) for i in range(80))[:500]
    assert len(long) == 500
    await passwords.check_policy(long)
    await passwords.check_policy((PASSPHRASE + " ") * 28)  # 1008 characters, still allowed


def test_long_inputs_score_only_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    """zxcvbn is super-linear; only a prefix is scored, so a 1000-character input is cheap
    (``bench/login_timing.py`` prints the cost by length)."""
    scored: list[int] = []
    real = passwords.zxcvbn

    def zxcvbn(password: str, *args: Any, **kwargs: Any) -> Any:
        scored.append(len(password))
        return real(password, *args, **kwargs)

    monkeypatch.setattr(passwords, "zxcvbn", zxcvbn)
    verdict = passwords.strength("aaaa1111" * 128)
    assert scored == [passwords.SCORED_PREFIX]
    prefix = passwords.strength(("aaaa1111" * 128)[: passwords.SCORED_PREFIX])
    assert verdict.score == prefix.score


def test_strength_feedback() -> None:
    weak = passwords.strength("password", language=Language.EN)
    assert weak.score == 0 and not weak.acceptable
    assert weak.warning == "This is a top-10 common password."
    strong = passwords.strength(PASSPHRASE, language=Language.PL)
    assert strong.score >= 3 and strong.acceptable and strong.problem is None
    empty = passwords.strength("")
    assert empty.score == 0 and empty.problem is ErrorCode.PASSWORD_TOO_SHORT


def test_strength_scores_the_nfc_form() -> None:
    """Seven letters are seven characters, however the keyboard composed them (issue 11 #7)."""
    short = unicodedata.normalize("NFD", "Żółwiąć")  # 11 code points in NFD
    assert passwords.strength(short).problem is ErrorCode.PASSWORD_TOO_SHORT
    phrase = "Żółta łódź płynie pod mostem 42"
    assert passwords.strength(unicodedata.normalize("NFD", phrase)) == passwords.strength(phrase)


def test_polish_words_and_names_count_as_guessable() -> None:
    assert passwords.strength("haslo123").problem is ErrorCode.PASSWORD_TOO_WEAK
    names = ["Łukasz", "Wiśniewski"]
    for password in ["wisniewski-kanarek-pije-42", "Kanarek-ŁUKASZ-pije-kawe"]:
        verdict = passwords.strength(password, names=names)
        assert verdict.problem is ErrorCode.PASSWORD_CONTAINS_PERSONAL_DATA, password
