"""In production no error hints at the schema: graphql-core's "Did you mean ...?" comes for a
field, an argument, a type name, an enum value and an input field in validation (literals): none
in production, on any of the three endpoints; development keeps them (they help whoever writes a
query). A bad variable's message (coercion) names no suggestion in either mode (the message keeps
only where and what is wrong)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.config import Mode, Settings
from tests.factories import make_api_key

# (kind, query, variables): each one without variables gets a "Did you mean" in development
CUSTOMER: list[tuple[str, str, Any]] = [
    ("field", "{ apiVersio }", None),
    ("argument", "{ legalText(documen: TERMS) { html } }", None),
    ("type name", "query ($d: LegalDocumen!) { legalText(document: $d) { html } }", None),
    ("enum value", "{ legalText(document: TERM) { html } }", None),
    (
        "enum value in a variable",
        "query ($d: LegalDocument!) { legalText(document: $d) { html } }",
        {"d": "TERM"},
    ),
    (
        "input field",
        'mutation { login(input: {logn: "a", password: "b", captchaId: "c", captchaAnswer: "d"})'
        " { errors { code } } }",
        None,
    ),
    (
        "input field in a variable",
        "mutation ($i: LoginInput!) { login(input: $i) { errors { code } } }",
        {"i": {"logn": "a", "password": "b", "captchaId": "c", "captchaAnswer": "d"}},
    ),
]
CONSOLE: list[tuple[str, str, Any]] = [
    ("field", "{ serverTim }", None),
    ("type name", "query ($q: Strin!) { serverTime }", None),
    (
        "input field in a variable",
        "mutation ($i: StaffLoginInput!) { staffLogin(input: $i) { errors { code } } }",
        {"i": {"emai": "a@example.com", "password": "b"}},
    ),
]
OPERATOR: list[tuple[str, str, Any]] = [
    ("field", "{ serverTim }", None),
    ("argument", "{ events(frist: 5) { edges { cursor } } }", None),
    ("type name", "query ($q: Strin!) { serverTime }", None),
]


async def _errors(
    client: httpx.AsyncClient, path: str, query: str, variables: Any, headers: dict[str, str]
) -> list[str]:
    response = await client.post(
        path, json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return [error["message"] for error in response.json()["errors"]]


@pytest.mark.parametrize("mode", [Mode.PRODUCTION, Mode.DEVELOPMENT])
async def test_no_suggestions_in_production(settings: Settings, db: str, mode: Mode) -> None:
    app = create_app(settings.with_overrides(mode=mode), manage_database=False)
    key = await make_api_key(name="bss")
    endpoints: list[tuple[str, list[tuple[str, str, Any]], dict[str, str]]] = [
        ("/graphql", CUSTOMER, {}),
        ("/console/graphql", CONSOLE, {}),
        ("/operator/graphql", OPERATOR, key.headers),
    ]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for path, cases, headers in endpoints:
            for kind, query, variables in cases:
                messages = await _errors(client, path, query, variables, headers)
                hinted = any("Did you mean" in m for m in messages)
                expected = mode is Mode.DEVELOPMENT and variables is None
                assert hinted is expected, (path, kind, messages)
