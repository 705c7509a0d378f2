"""``upsertCustomers`` through the real app: results per item, field paths as in the input,
the key's scope, the audit trail with the key's name, and a customer fed in who then registers
and logs in."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from backend.models import AuditEvent, Customer
from backend.models.enums import AuditKind
from backend.services.identifiers import make_pesel
from backend.services.operator_keys import Scope
from tests.factories import make_api_key

URL = "/operator/graphql"
UPSERT = """
mutation ($input: UpsertCustomersInput!) {
  upsertCustomers(input: $input) {
    created updated unchanged rejected dryRun
    results { index key status errors { field code message } }
    errors { field code message }
  }
}"""


def customer(number: str, serial: int, **fields: Any) -> dict[str, Any]:
    return {
        "number": number,
        "firstName": "Jan",
        "lastName": "Wiśniewski",
        "pesel": make_pesel(date(1975, 6, 1), serial, False),
        **fields,
    }


async def upsert(
    client: httpx.AsyncClient, headers: dict[str, str], items: list[Any], **extra: Any
) -> dict[str, Any]:
    variables = {"input": {"items": items, **extra}}
    response = await client.post(
        URL, json={"query": UPSERT, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["upsertCustomers"]


async def test_customers_are_created_then_unchanged(client: httpx.AsyncClient) -> None:
    key = await make_api_key(Scope.CUSTOMERS_WRITE, name="crm")
    items = [customer("C-1", 1, language="EN", postalCode="00-950"), customer("C-2", 2)]
    first = await upsert(client, key.headers, items)
    assert (first["created"], first["rejected"]) == (2, 0)
    assert [r["status"] for r in first["results"]] == ["CREATED", "CREATED"]
    again = await upsert(client, key.headers, items)
    assert again["unchanged"] == 2
    stored = await Customer.get(number="C-1")
    assert (stored.language, stored.postal_code) == ("en", "00-950")
    event = await AuditEvent.filter(kind=AuditKind.OPERATOR_WRITE).get()
    assert event.details["writer"] == "key:crm" and event.details["created"] == 2


async def test_a_bad_item_is_named_with_its_field_and_the_rest_is_written(
    client: httpx.AsyncClient,
) -> None:
    key = await make_api_key(Scope.CUSTOMERS_WRITE)
    items = [
        customer("C-1", 1),
        customer("C-2", 2, postalCode="0095"),
        customer("C-3", 3, firstName=""),
    ]
    result = await upsert(client, key.headers, items, dryRun=False)
    assert [r["status"] for r in result["results"]] == ["CREATED", "REJECTED", "REJECTED"]
    assert [(e["field"], e["code"]) for r in result["results"][1:] for e in r["errors"]] == [
        ("postalCode", "INVALID_POSTAL_CODE"),
        ("firstName", "REQUIRED"),
    ]
    assert await Customer.all().values_list("number", flat=True) == ["C-1"]


async def test_english_messages_and_a_dry_run(client: httpx.AsyncClient) -> None:
    key = await make_api_key(Scope.CUSTOMERS_WRITE)
    headers = {**key.headers, "Accept-Language": "en"}
    result = await upsert(client, headers, [customer("C-1", 1, pesel="123")], dryRun=True)
    assert result["dryRun"] is True
    assert result["results"][0]["errors"] == [
        {"field": "pesel", "code": "INVALID_PESEL", "message": "Invalid PESEL number."}
    ]
    result = await upsert(client, headers, [customer("C-1", 1)], dryRun=True)
    assert result["created"] == 1 and not await Customer.exists()


async def test_too_many_items_is_one_error_for_the_call(client: httpx.AsyncClient) -> None:
    key = await make_api_key(Scope.CUSTOMERS_WRITE)
    result = await upsert(client, key.headers, [customer(f"C-{i}", i) for i in range(501)])
    assert result["results"] == []
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("items", "TOO_MANY")]
    assert not await Customer.exists()


async def test_a_key_without_the_scope_is_refused(client: httpx.AsyncClient) -> None:
    key = await make_api_key(Scope.BILLING_WRITE)
    variables = {"input": {"items": [customer("C-1", 1)]}}
    response = await client.post(
        URL, json={"query": UPSERT, "variables": variables}, headers=key.headers
    )
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "SCOPE_NOT_GRANTED"
    assert not await Customer.exists()
