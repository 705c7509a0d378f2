"""Identifiers customers type: PESEL, service numbers, phones, e-mails, postal codes."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.pl import pesel as stdnum_pesel

from backend.i18n import translate
from backend.models.enums import Language
from backend.services.errors import DomainError, ErrorCode
from backend.services.identifiers import (
    ascii_email,
    format_phone,
    make_pesel,
    mask_pesel,
    normalise_email,
    normalise_identifier,
    normalise_phone,
    normalise_postal_code,
    parse_pesel,
    pesel_birth_date,
    pesel_checksum,
    pesel_hash,
)

# Published examples with a correct check digit.
VALID = ["44051401359", "02070803628", "78031445716"]


def _code(exc: pytest.ExceptionInfo[DomainError]) -> ErrorCode:
    return exc.value.code


@pytest.mark.parametrize("pesel", VALID)
def test_valid_pesel(pesel: str) -> None:
    assert parse_pesel(pesel) == pesel


def test_pesel_separators_are_ignored() -> None:
    assert parse_pesel(" 440514-013 59 ") == "44051401359"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", ErrorCode.REQUIRED),
        ("   ", ErrorCode.REQUIRED),
        ("4405140135", ErrorCode.INVALID_PESEL),  # 10 digits
        ("440514013591", ErrorCode.INVALID_PESEL),  # 12 digits
        ("4405140135a", ErrorCode.INVALID_PESEL),
        ("44051401358", ErrorCode.INVALID_PESEL),  # wrong check digit
        ("٤٤٠٥١٤٠١٣٥٩", ErrorCode.INVALID_PESEL),  # Arabic-Indic digits are not ASCII digits
    ],
)
def test_malformed_pesel(raw: str, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as exc:
        parse_pesel(raw)
    assert _code(exc) is code
    assert exc.value.field == "pesel"


def test_every_single_digit_change_breaks_the_checksum() -> None:
    pesel = "44051401359"
    for position in range(11):
        for digit in "0123456789":
            if digit == pesel[position]:
                continue
            changed = pesel[:position] + digit + pesel[position + 1 :]
            if pesel_birth_date(changed) is None:
                continue
            with pytest.raises(DomainError):
                parse_pesel(changed)


@pytest.mark.parametrize(
    ("born", "month_field"),
    [
        (date(1899, 12, 31), 92),  # 1800s: +80
        (date(1900, 1, 1), 1),  # 1900s: +0
        (date(1999, 12, 31), 12),
        (date(2000, 2, 29), 22),  # 2000s: +20, leap day
        (date(2024, 7, 15), 27),
        (date(2100, 3, 1), 43),  # 2100s: +40
        (date(2200, 1, 1), 61),  # 2200s: +60
    ],
)
def test_century_encoding(born: date, month_field: int) -> None:
    pesel = make_pesel(born, 123, female=True)
    assert int(pesel[2:4]) == month_field
    assert pesel_birth_date(pesel) == born
    assert parse_pesel(pesel) == pesel


def test_sex_digit() -> None:
    assert int(make_pesel(date(1990, 5, 5), 7, female=True)[9]) % 2 == 0
    assert int(make_pesel(date(1990, 5, 5), 7, female=False)[9]) % 2 == 1


@pytest.mark.parametrize(
    "head",
    [
        "9902300000",  # 30 February 1999
        "0122290000",  # 29 February 2001 (not a leap year)
        "9913010000",  # month 13
        "9900010000",  # month 0
        "9901320000",  # day 32
        "9901000000",  # day 0
        "9973010000",  # month 73: 2200s run to 72 only
    ],
)
def test_impossible_dates_are_refused(head: str) -> None:
    pesel = head + str(pesel_checksum(head))
    assert pesel_birth_date(pesel) is None
    with pytest.raises(DomainError) as exc:
        parse_pesel(pesel)
    assert _code(exc) is ErrorCode.INVALID_PESEL


def test_birth_date_in_the_future_is_refused() -> None:
    pesel = make_pesel(date(2030, 1, 1), 1, female=False)
    assert parse_pesel(pesel) == pesel  # a real date...
    with pytest.raises(DomainError):
        parse_pesel(pesel, today=date(2026, 11, 23))  # ...but not born yet


def test_pesel_hash_is_keyed_and_mask_hides_the_birth_date() -> None:
    pesel = "44051401359"
    assert pesel_hash(pesel, "a" * 32) != pesel_hash(pesel, "b" * 32)
    assert pesel_hash(pesel, "a" * 32) == pesel_hash(pesel, "a" * 32)
    assert len(pesel_hash(pesel, "a" * 32)) == 64
    masked = mask_pesel(pesel)
    assert masked == "*********59"
    assert "440514" not in masked
    # With the birth date (the first six digits) the number must not follow from the mask:
    # the last four would fix the seventh digit through the check digit.
    candidates = [
        f"440514{middle:03d}59"
        for middle in range(1000)
        if stdnum_pesel.is_valid(f"440514{middle:03d}59")
    ]
    assert len(candidates) == 100


@pytest.mark.parametrize(
    "raw",
    [
        "512345678",
        "512 345 678",
        "512-345-678",
        "+48 512 345 678",
        "+48512345678",
        "0048 512 345 678",
        "48512345678",
        "(+48) 512-345-678",
        " 512.345.678 ",
    ],
)
def test_phones_in_odd_formats(raw: str) -> None:
    assert normalise_phone(raw) == "512345678"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", ErrorCode.REQUIRED),
        ("12345678", ErrorCode.INVALID_PHONE),  # 8 digits
        ("5123456789", ErrorCode.INVALID_PHONE),  # 10 digits
        ("012345678", ErrorCode.INVALID_PHONE),  # national numbers never start with 0
        ("+49 512 345 678", ErrorCode.INVALID_PHONE),  # not Polish
        ("512 345 67x", ErrorCode.INVALID_PHONE),
        ("+48", ErrorCode.INVALID_PHONE),
        ("٥١٢٣٤٥٦٧٨", ErrorCode.INVALID_PHONE),  # Arabic-Indic digits
    ],
)
def test_bad_phones(raw: str, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as exc:
        normalise_phone(raw)
    assert _code(exc) is code


def test_format_phone() -> None:
    assert format_phone("512345678") == "+48 512 345 678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("301874526013", "301874526013"),
        ("3018 7452 6013", "301874526013"),
        ("3018-7452-6013", "301874526013"),
        ("512 384 761", "512384761"),
        ("+48 512 384 761", "512384761"),
    ],
)
def test_service_identifiers(raw: str, expected: str) -> None:
    assert normalise_identifier(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "30187452601",  # 11 digits: neither a card nor a phone
        "3018745260134",  # 13 digits
        "30187452601X",
        "anna@example.com",
        "'; DROP TABLE service; --",
        "３０１８７４５２６０１３",  # full-width digits
    ],
)
def test_bad_service_identifiers(raw: str) -> None:
    with pytest.raises(DomainError) as exc:
        normalise_identifier(raw)
    assert _code(exc) is ErrorCode.INVALID_IDENTIFIER


def test_empty_identifier_is_required() -> None:
    with pytest.raises(DomainError) as exc:
        normalise_identifier("")
    assert _code(exc) is ErrorCode.REQUIRED


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("anna.kowalska@example.com", "anna.kowalska@example.com"),
        ("  Anna.Kowalska@Example.COM ", "anna.kowalska@example.com"),
        ("a+icok@sub.example.co.uk", "a+icok@sub.example.co.uk"),
        # internationalised domains: one canonical form, the domain in Unicode, lower case
        ("jan@żółw.pl", "jan@żółw.pl"),
        ("Jan@ŻÓŁW.PL", "jan@żółw.pl"),
        ("jan@xn--w-uga1v8h.pl", "jan@żółw.pl"),
    ],
)
def test_emails(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", ErrorCode.REQUIRED),
        ("anna", ErrorCode.INVALID_EMAIL),
        ("anna@", ErrorCode.INVALID_EMAIL),
        ("@example.com", ErrorCode.INVALID_EMAIL),
        ("anna@example", ErrorCode.INVALID_EMAIL),  # no top-level domain
        ("anna kowalska@example.com", ErrorCode.INVALID_EMAIL),
        ("anna@@example.com", ErrorCode.INVALID_EMAIL),
        ("anna@-example.com", ErrorCode.INVALID_EMAIL),
        ("a" * 65 + "@example.com", ErrorCode.INVALID_EMAIL),  # local part over 64
        ("jan..kowalski@example.com", ErrorCode.INVALID_EMAIL),
        (".jan@example.com", ErrorCode.INVALID_EMAIL),
        ("jan.@example.com", ErrorCode.INVALID_EMAIL),
        ('"jan kowalski"@example.com', ErrorCode.INVALID_EMAIL),  # quoted local parts
        ("jań@example.pl", ErrorCode.INVALID_EMAIL),  # needs SMTPUTF8, which we do not use
        ("jan\x00@example.com", ErrorCode.INVALID_EMAIL),
        ("jan@exa\u200bmple.com", ErrorCode.INVALID_EMAIL),  # zero-width space
        ("jan\ud800@example.com", ErrorCode.INVALID_EMAIL),
        ("a@" + "b" * 250 + ".pl", ErrorCode.TOO_LONG),
    ],
)
def test_bad_emails(raw: str, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as exc:
        normalise_email(raw)
    assert _code(exc) is code


@pytest.mark.parametrize(
    ("raw", "reason", "english"),
    [
        ("agent@op.test", "reserved_domain", "special-use or reserved name"),
        ("anna@localhost", "no_dot", "a domain with a dot"),
        ("anna", "no_at", "the @ is missing"),
        ("@example.com", "no_local", "nothing before the @"),
        ("anna@", "no_domain", "nothing after the @"),
        ("jan..kowalski@example.com", "two_dots", "two dots in a row"),
        ("anna kowalska@example.com", "characters", "such as a space"),
    ],
)
def test_an_invalid_email_says_why_in_both_languages(raw: str, reason: str, english: str) -> None:
    with pytest.raises(DomainError) as exc:
        normalise_email(raw)
    assert exc.value.params == {"reason": reason}
    polish = translate(exc.value.code, Language.PL, **exc.value.params)
    assert polish.startswith("Nieprawidłowy adres e-mail: ")
    assert english in translate(exc.value.code, Language.EN, **exc.value.params)


def test_an_invalid_email_without_a_known_reason_says_only_that() -> None:
    with pytest.raises(DomainError) as exc:
        normalise_email("anna@-example.com")
    assert exc.value.params == {}
    assert translate(exc.value.code, Language.EN) == "Invalid e-mail address."
    # an unknown reason falls back to the code's own text
    assert translate(ErrorCode.INVALID_EMAIL, Language.PL, reason="nope") == (
        "Nieprawidłowy adres e-mail."
    )


def test_mail_goes_to_the_ascii_form() -> None:
    assert ascii_email("jan@żółw.pl") == "jan@xn--w-uga1v8h.pl"
    assert ascii_email("jan@straße.de") == "jan@xn--strae-oqa.de"  # IDNA 2008, not 2003
    assert ascii_email("jan@example.com") == "jan@example.com"


@pytest.mark.parametrize(("raw", "expected"), [("00-514", "00-514"), ("31147", "31-147")])
def test_postal_codes(raw: str, expected: str) -> None:
    assert normalise_postal_code(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "0-514", "00514a", "00 514", "00-5144", "AB-123", "315-14", "٠٠-٥١٤"]
)
def test_bad_postal_codes(raw: str) -> None:
    with pytest.raises(DomainError) as exc:
        normalise_postal_code(raw)
    assert _code(exc) is ErrorCode.INVALID_POSTAL_CODE
    assert exc.value.field == "postal_code"
