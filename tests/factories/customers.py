"""Customers, their contracts and services, accounts and sessions."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import altcha
import httpx

from backend.clock import now, today
from backend.config import Settings
from backend.models import (
    Account,
    AccountToken,
    Captcha,
    Contract,
    Customer,
    RateLimit,
    Service,
    ServiceUsage,
)
from backend.models.enums import ServiceKind, SessionKind, TokenPurpose
from backend.schema.context import SESSION_COOKIE
from backend.services import captcha, sessions
from backend.services.identifiers import make_pesel, mask_pesel, pesel_birth_date, pesel_hash
from backend.services.passwords import hash_password
from tests.factories import sequences
from tests.factories.request import make_meta

STRONG_PASSWORD = "Zielony-Kanarek-Pije-Kawe-42"
OTHER_STRONG_PASSWORD = "Sernik z rodzynkami na niedziele 1987!"


def next_pesel() -> str:
    """A valid PESEL never returned before in this test session."""
    n = sequences.person()
    # Birth days step through 1950-2004 (every one an adult's) and start again after 20,000
    # people; with the serial (n modulo 5,000) no two of the first 20,000 PESELs are equal.
    born = date(1950, 1, 1) + timedelta(days=n * 37 % 20_000)
    return make_pesel(born, n, female=n % 2 == 0)


def next_card_number() -> str:
    """A satellite card number (12 digits), unique in the test session."""
    return sequences.card_number()


def next_phone() -> str:
    """A 9-digit phone number, unique in the test session."""
    return sequences.phone_number()


async def make_customer(
    settings: Settings,
    *,
    pesel: str | None = None,
    first_name: str = "Jan",
    last_name: str = "Testowy",
    email: str | None = None,
    language: str = "pl",
    **fields: Any,
) -> Customer:
    """A customer of the operator (no account); ``fields`` override any other column."""
    pesel = pesel or next_pesel()
    return await Customer.create(
        number=sequences.customer_number(),
        first_name=first_name,
        last_name=last_name,
        pesel_hash=pesel_hash(pesel, settings.secret_key),
        pesel_masked=mask_pesel(pesel),
        birth_date=pesel_birth_date(pesel),  # as the PESEL says
        email=email or sequences.email_address(),
        language=language,
        **fields,
    )


async def make_contract(customer: Customer, *, ends_on: date | None = None) -> Contract:
    """A contract signed 400 days ago, open-ended unless ``ends_on``."""
    return await Contract.create(
        customer=customer,
        number=sequences.contract_number(),
        signed_on=today() - timedelta(days=400),
        ends_on=ends_on,
    )


async def make_service(
    customer: Customer,
    *,
    kind: ServiceKind = ServiceKind.SATELLITE_TV,
    identifier: str | None = None,
    contract: Contract | None = None,
    **fields: Any,
) -> Service:
    """A service on ``contract`` (a new one by default), identified by a card number
    (satellite) or a phone number (other kinds)."""
    contract = contract or await make_contract(customer)
    if identifier is None:
        identifier = next_card_number() if kind is ServiceKind.SATELLITE_TV else next_phone()
    return await Service.create(
        contract=contract,
        customer=customer,
        kind=kind,
        identifier=identifier,
        activated_on=contract.signed_on,
        **fields,
    )


async def make_usage(
    service: Service, *, period_start: date | None = None, days: int = 30, **fields: Any
) -> ServiceUsage:
    """Data usage of ``service`` in the billing period starting ``period_start`` (the 1st of
    this month by default) and lasting ``days`` days: 25 GB of a 100 GB limit (megabytes)."""
    start = period_start or today().replace(day=1)
    defaults: dict[str, Any] = {"data_used_mb": 25_000, "data_limit_mb": 100_000}
    return await ServiceUsage.create(
        service=service,
        period_start=start,
        period_end=start + timedelta(days=days - 1),
        **{**defaults, **fields},
    )


_password_hashes: dict[tuple[str, str], str] = {}


async def cached_password_hash(password: str, settings: Settings) -> str:
    """bcrypt costs ~0.2 s: each password is hashed once per test session."""
    key = (password, settings.secret_key)
    if key not in _password_hashes:
        _password_hashes[key] = await hash_password(password, settings)
    return _password_hashes[key]


async def make_account(
    customer: Customer,
    *,
    email: str | None = None,
    password_hash: str = "!unusable",
    password: str | None = None,
    settings: Settings | None = None,
    confirmed: bool = True,
) -> Account:
    """An account; with ``password`` (and ``settings``) it can log in for real."""
    if password is not None:
        assert settings is not None, "a real password hash needs the settings (pepper)"
        password_hash = await cached_password_hash(password, settings)
    return await Account.create(
        customer=customer,
        email=email or customer.email,
        password_hash=password_hash,
        email_confirmed_at=now() if confirmed else None,
        terms_version="2026-01",
        terms_accepted_at=now(),
    )


async def login_as(
    client: httpx.AsyncClient,
    settings: Settings,
    customer: Customer,
    *,
    kind: SessionKind = SessionKind.COOKIE,
) -> str:
    """Start a session for ``customer`` directly (no password) and attach it to ``client``."""
    account = await Account.get_or_none(customer=customer) or await make_account(customer)
    token, _ = await sessions.create_session(account, settings, kind=kind, meta=make_meta())
    if kind is SessionKind.COOKIE:
        client.cookies.set(SESSION_COOKIE, token)
    return token


async def make_captcha(expires_at: datetime | None = None) -> Captcha:
    """A captcha ("2 + 2") made now, expiring at ``expires_at`` (in five minutes by default)."""
    at = now()
    return await Captcha.create(
        id=uuid.uuid4(),
        question="2 + 2",
        answer=4,
        created_at=at,
        expires_at=expires_at or at + timedelta(minutes=5),
    )


def solve_proof(proof_challenge: str) -> str:
    """The ``captchaProof`` a client sends for ``Captcha.proofChallenge`` (JSON): the counter
    found by brute force like any client (tests run with a small ``captcha_proof_max_number``)."""
    challenge = altcha.Challenge.from_dict(json.loads(proof_challenge))
    solution = altcha.solve_challenge(challenge)
    assert solution is not None
    return altcha.Payload(challenge, solution).to_base64()


def captcha_proof(made: Captcha, settings: Settings) -> str:
    """A solved proof of work for the captcha ``made`` (e.g. by :func:`make_captcha`)."""
    return solve_proof(captcha.proof_challenge(made, settings))


async def make_token(account: Account, purpose: TokenPurpose, **overrides: Any) -> str:
    """A link token of ``purpose`` for ``account``, made now and valid for an hour unless
    ``overrides`` say otherwise (``used_at``, ``expires_at``, ``email``...); returns the token."""
    token = uuid.uuid4().hex
    at = now()
    await AccountToken.create(
        account=account,
        purpose=purpose,
        token_hash=sessions.hash_token(token),
        created_at=at,
        expires_at=overrides.pop("expires_at", at + timedelta(hours=1)),
        **overrides,
    )
    return token


async def make_rate_limit(
    key: str, *, count: int = 1, window_ends_at: datetime | None = None
) -> RateLimit:
    """A rate-limit window for ``key`` with ``count`` hits, ending at ``window_ends_at`` (now by
    default: a window that has just ended)."""
    return await RateLimit.create(key=key, count=count, window_ends_at=window_ends_at or now())


@dataclass
class Person:
    """A customer of the operator who has not registered yet (PESEL known only here)."""

    customer: Customer
    service: Service
    pesel: str
    email: str


async def make_person(settings: Settings, *, language: str = "pl", **service: Any) -> Person:
    """A customer with one service (``service`` overrides its fields) and no account yet."""
    pesel = next_pesel()
    customer = await make_customer(settings, pesel=pesel, language=language)
    svc = await make_service(customer, **service)
    email = f"osoba.{customer.number.lower()}@example.com"
    return Person(customer, svc, pesel, email)


async def make_user(
    settings: Settings, *, password: str = STRONG_PASSWORD, confirmed: bool = True
) -> Person:
    """A customer with an account (confirmed by default) and a real password."""
    person = await make_person(settings)
    await make_account(
        person.customer,
        email=person.email,
        password=password,
        settings=settings,
        confirmed=confirmed,
    )
    return person
