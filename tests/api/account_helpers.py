"""Shared steps of the account tests: solving the captcha like a person, registering, logging in."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from backend.config import Settings
from backend.models import Customer, Service
from backend.services.identifiers import make_pesel
from tests.factories import make_account, make_customer, make_service

STRONG_PASSWORD = "Zielony-Kanarek-Pije-Kawe-42"
OTHER_STRONG_PASSWORD = "Sernik z rodzynkami na niedziele 1987!"

CAPTCHA = "{ captcha { id question accessibleQuestion expiresAt } }"
REGISTER = """
mutation($input: RegisterInput!) {
  register(input: $input) { ok errors { field code message } }
}"""
LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) {
    token expiresAt
    viewer { customerNumber session { expiresAt } }
    errors { field code message }
  }
}"""
CONFIRM = """
mutation($token: String!) {
  confirmEmail(input: {token: $token}) { ok errors { field code message } }
}"""
VIEWER = "{ viewer { customerNumber } }"

_seq = itertools.count(1)


def answer(question: str) -> str:
    a, op, b = question.split()
    return str(int(a) + int(b) if op == "+" else int(a) - int(b))


async def solve_captcha(gql: Any) -> dict[str, str]:
    captcha = (await gql(CAPTCHA))["captcha"]
    return {"captchaId": captcha["id"], "captchaAnswer": answer(captcha["question"])}


@dataclass
class Person:
    """A customer of the operator who has not registered yet (PESEL known only here)."""

    customer: Customer
    service: Service
    pesel: str
    email: str


async def make_person(settings: Settings, *, language: str = "pl", **service: Any) -> Person:
    n = next(_seq)
    pesel = make_pesel(date(1970, 3, 1) + timedelta(days=n * 101), 500 + n, female=n % 2 == 0)
    customer = await make_customer(settings, pesel=pesel, language=language)
    svc = await make_service(customer, **service)
    return Person(customer, svc, pesel, f"osoba{n}.{customer.number.lower()}@example.com")


def registration(person: Person, **overrides: Any) -> dict[str, Any]:
    data = {
        "identifier": person.service.identifier,
        "pesel": person.pesel,
        "email": person.email,
        "emailConfirmation": person.email,
        "password": STRONG_PASSWORD,
        "acceptTerms": True,
    }
    data.update(overrides)
    return data


async def register(gql: Any, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    if "captchaId" not in data:
        data = {**data, **await solve_captcha(gql)}
    return (await gql(REGISTER, {"input": data}, **kwargs))["register"]


async def login(
    gql: Any, login: str, password: str, *, bearer: bool = False, **kwargs: Any
) -> dict[str, Any]:
    data = {"login": login, "password": password, "bearer": bearer, **await solve_captcha(gql)}
    return (await gql(LOGIN, {"input": data}, **kwargs))["login"]


async def make_user(
    settings: Settings, *, password: str = STRONG_PASSWORD, confirmed: bool = True
) -> Person:
    """A customer with a confirmed account and a real password."""
    person = await make_person(settings)
    await make_account(
        person.customer,
        email=person.email,
        password=password,
        settings=settings,
        confirmed=confirmed,
    )
    return person


def codes(payload: dict[str, Any]) -> dict[str | None, str]:
    return {e["field"]: e["code"] for e in payload["errors"]}
