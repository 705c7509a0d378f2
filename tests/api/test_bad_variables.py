"""A variable that does not fit its type is answered with where it is wrong (the variable and
the path in it) and what was expected, never with the value the client sent, on both endpoints
(the log has neither: test_error_masking)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.config import Mode, Settings
from tests.factories import make_api_key

UPSERT_CUSTOMERS = """
mutation ($input: UpsertCustomersInput!) { upsertCustomers(input: $input) { created } }
"""
PESEL = 44051401359
CUSTOMER = {"number": "K-1", "firstName": "Anna", "lastName": "Nowak", "pesel": "44051401359"}
BAD_CUSTOMERS: list[tuple[dict[str, Any], str, str]] = [
    # (items[0] changed so, the value that must not come back, the message)
    (
        {"pesel": PESEL},
        str(PESEL),
        "Variable '$input' has invalid value at .items[0].pesel: "
        "String cannot represent a non string value.",
    ),
    (
        {"language": "WHATEVER-Tajne"},
        "WHATEVER-Tajne",
        "Variable '$input' has invalid value at .items[0].language: "
        "the value is not one of the enum 'Language'.",
    ),
    (
        {"firstName": {"secret": "Tajne-Imie"}},
        "Tajne-Imie",
        "Variable '$input' has invalid value at .items[0].firstName: "
        "String cannot represent a non string value.",
    ),
    (
        {"consentEmail": "Tajna-Zgoda"},
        "Tajna-Zgoda",
        "Variable '$input' has invalid value at .items[0].consentEmail: "
        "Boolean cannot represent a non boolean value.",
    ),
    (
        {"nickname": "Tajny-Pseudonim"},
        "Tajny-Pseudonim",
        "Variable '$input' has invalid value at .items[0]: "
        "Expected value of type 'CustomerInput' not to include unknown field 'nickname'.",
    ),
]


@pytest.mark.parametrize("mode", [Mode.PRODUCTION, Mode.DEVELOPMENT])
async def test_the_operator_endpoint_does_not_repeat_a_bad_value(
    settings: Settings, db: str, mode: Mode
) -> None:
    made = await make_api_key(name="bss")
    app = create_app(settings.with_overrides(mode=mode), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for change, value, message in BAD_CUSTOMERS:
            variables = {"input": {"items": [{**CUSTOMER, **change}]}}
            response = await client.post(
                "/operator/graphql",
                json={"query": UPSERT_CUSTOMERS, "variables": variables},
                headers=made.headers,
            )
            body = response.json()
            assert body.get("data") is None
            assert [e["message"] for e in body["errors"]] == [message]
            assert value not in response.text
        missing = {"input": {"items": [{k: v for k, v in CUSTOMER.items() if k != "pesel"}]}}
        response = await client.post(
            "/operator/graphql",
            json={"query": UPSERT_CUSTOMERS, "variables": missing},
            headers=made.headers,
        )
        [error] = response.json()["errors"]
        assert error["message"] == (
            "Variable '$input' has invalid value at .items[0]: "
            "Expected value of type 'CustomerInput' to include required field 'pesel'."
        )
        assert "Nowak" not in response.text


REGISTER = """mutation ($input: RegisterInput!) { register(input: $input) { ok } }"""
LEGAL_TEXT = """query ($document: LegalDocument!) { legalText(document: $document) { language } }"""
REGISTRATION = {
    "identifier": "100000000001",
    "pesel": "44051401359",
    "email": "anna@example.com",
    "emailConfirmation": "anna@example.com",
    "password": "Sekret-Haslo-77",
    "captchaId": "c",
    "captchaAnswer": "a",
    "acceptTerms": True,
}
BAD_CUSTOMER_VARIABLES: list[tuple[str, dict[str, Any], str, str]] = [
    # (the document, its variables, the value that must not come back, the message)
    (
        REGISTER,
        {"input": {**REGISTRATION, "pesel": PESEL}},
        str(PESEL),
        "Variable '$input' has invalid value at .pesel: "
        "String cannot represent a non string value.",
    ),
    (
        REGISTER,
        {"input": {**REGISTRATION, "acceptTerms": "Tajne"}},
        "Tajne",
        "Variable '$input' has invalid value at .acceptTerms: "
        "Boolean cannot represent a non boolean value.",
    ),
    (
        LEGAL_TEXT,
        {"document": "WHATEVER-Tajne"},
        "WHATEVER",
        "Variable '$document' has invalid value: the value is not one of the enum 'LegalDocument'.",
    ),
    (
        REGISTER,
        {"input": ["Tajna-Lista"]},
        "Tajna-Lista",
        "Variable '$input' has invalid value: "
        "Expected value of type 'RegisterInput' to be an object.",
    ),
]


@pytest.mark.parametrize("mode", [Mode.PRODUCTION, Mode.DEVELOPMENT])
async def test_the_customer_endpoint_does_not_repeat_a_bad_value(
    settings: Settings, db: str, mode: Mode, caplog
) -> None:
    app = create_app(settings.with_overrides(mode=mode), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for query, variables, value, message in BAD_CUSTOMER_VARIABLES:
            response = await client.post("/graphql", json={"query": query, "variables": variables})
            [error] = response.json()["errors"]
            assert error["message"] == message
            assert value not in response.text
            assert value not in caplog.text
    assert "Sekret-Haslo-77" not in caplog.text
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
