"""Factories for test data, written through the real models and services."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import httpx

from backend.clock import now, today
from backend.config import Settings
from backend.models import Account, Contract, Customer, Service
from backend.models.enums import ServiceKind, SessionKind
from backend.schema.context import SESSION_COOKIE
from backend.services import sessions
from backend.services.identifiers import make_pesel, mask_pesel, pesel_hash
from backend.services.passwords import hash_password

_seq = itertools.count(1)


def next_card_number() -> str:
    return f"{100000000000 + next(_seq) * 7919:012d}"


def next_phone() -> str:
    return f"{600000000 + next(_seq) * 131:09d}"


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
    n = next(_seq)
    pesel = pesel or make_pesel(date(1980, 1, 1) + timedelta(days=n * 37), n, female=False)
    return await Customer.create(
        number=f"T{n:07d}",
        first_name=first_name,
        last_name=last_name,
        pesel_hash=pesel_hash(pesel, settings.secret_key),
        pesel_masked=mask_pesel(pesel),
        birth_date=date(1980, 1, 1),
        email=email or f"customer{n}@example.com",
        language=language,
        **fields,
    )


async def make_contract(customer: Customer, *, ends_on: date | None = None) -> Contract:
    return await Contract.create(
        customer=customer,
        number=f"UM/{next(_seq):06d}",
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
    token, _ = await sessions.create_session(account, settings, kind=kind)
    if kind is SessionKind.COOKIE:
        client.cookies.set(SESSION_COOKIE, token)
    return token
