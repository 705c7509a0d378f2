"""Shared steps of the account tests: solving the captcha like a person, registering, logging in
(the people themselves are made by ``tests.factories``)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.factories import STRONG_PASSWORD, Person, solve_proof

CAPTCHA = "{ captcha { id question accessibleQuestion expiresAt proofChallenge } }"
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
RESEND = """
mutation($input: ResendConfirmationInput!) {
  resendConfirmation(input: $input) { ok errors { field code message } }
}"""
RESET_REQUEST = """
mutation($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { ok errors { field code message } }
}"""


async def post_json(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> Any:
    """``data`` of a GraphQL request whose body is ``json.dumps`` output (ASCII escapes), so a
    NUL or a lone surrogate travels as ``\\u0000`` / ``\\ud800``, as a client could send it."""
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def answer(question: str) -> str:
    a, op, b = question.split()
    return str(int(a) + int(b) if op == "+" else int(a) - int(b))


def captcha_fields(captcha: dict[str, str]) -> dict[str, str]:
    """The input fields ``captchaId``, ``captchaAnswer`` and ``captchaProof`` for a ``captcha``
    query's answer (``id``, ``question``, ``proofChallenge``), solved like a client would."""
    return {
        "captchaId": captcha["id"],
        "captchaAnswer": answer(captcha["question"]),
        "captchaProof": solve_proof(captcha["proofChallenge"]),
    }


async def solve_captcha(gql: Any) -> dict[str, str]:
    return captcha_fields((await gql(CAPTCHA))["captcha"])


async def with_captcha(gql: Any, **fields: Any) -> dict[str, Any]:
    """The variables ``{"input": {**fields, captchaId, captchaAnswer, captchaProof}}`` with a
    freshly solved captcha (for RESEND, RESET_REQUEST and any mutation that needs one)."""
    return {"input": {**fields, **await solve_captcha(gql)}}


async def resend(gql: Any, email: str, **kwargs: Any) -> dict[str, Any]:
    """The ``resendConfirmation`` payload for ``email``, its captcha solved like a person."""
    return (await gql(RESEND, await with_captcha(gql, email=email), **kwargs))["resendConfirmation"]


async def request_reset(gql: Any, email: str, **kwargs: Any) -> dict[str, Any]:
    """The ``requestPasswordReset`` payload for ``email``, its captcha solved like a person."""
    variables = await with_captcha(gql, email=email)
    return (await gql(RESET_REQUEST, variables, **kwargs))["requestPasswordReset"]


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


def codes(payload: dict[str, Any]) -> dict[str | None, str]:
    return {e["field"]: e["code"] for e in payload["errors"]}
