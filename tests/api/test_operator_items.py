"""``upsertItems``: a mixed batch shaped like ``icok import`` lines, applied kind by kind in
dependency order, one result per item in the items' order, and an item of a kind the key's
scopes do not cover rejected alone (SCOPE_NOT_GRANTED)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from backend.models import Contract, Customer, Invoice
from backend.services.identifiers import make_pesel
from backend.services.operator_keys import Scope
from tests.factories import make_api_key

URL = "/operator/graphql"
UPSERT = """
mutation ($input: UpsertItemsInput!) {
  upsertItems(input: $input) {
    created updated unchanged rejected dryRun
    results { index key status errors { field code message } }
    errors { field code }
  }
}"""
CUSTOMER = {
    "type": "customer",
    "number": "K-1",
    "firstName": "Ewa",
    "lastName": "Mieszana",
    "pesel": make_pesel(date(1990, 2, 3), 17, True),
}
CONTRACT = {
    "type": "contract",
    "number": "UM/1",
    "customerNumber": "K-1",
    "signedOn": "2026-01-05",
    "status": "ACTIVE",
}
INVOICE = {
    "type": "invoice",
    "number": "FV/1",
    "customerNumber": "K-1",
    "periodStart": "2026-10-01",
    "periodEnd": "2026-10-31",
    "issuedOn": "2026-11-01",
    "dueOn": "2026-11-15",
    "net": 8130,
    "vat": 1870,
    "gross": 10000,
    "lines": [
        {
            "description": "Pakiet",
            "quantity": 1,
            "unitGross": 10000,
            "vatRate": 23,
            "net": 8130,
            "vat": 1870,
            "gross": 10000,
        }
    ],
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
    result: dict[str, Any] = body["data"]["upsertItems"]
    return result


async def test_mixed_items_go_in_dependency_order(client: httpx.AsyncClient) -> None:
    key = await make_api_key(Scope.CUSTOMERS_WRITE, Scope.BILLING_WRITE)
    items = [INVOICE, CONTRACT, CUSTOMER]  # the customer last: still written first
    first = await upsert(client, key.headers, items)
    assert [(r["index"], r["key"], r["status"]) for r in first["results"]] == [
        (0, "FV/1", "CREATED"),
        (1, "UM/1", "CREATED"),
        (2, "K-1", "CREATED"),
    ]
    assert await Invoice.filter(number="FV/1", customer__number="K-1").exists()
    again = await upsert(client, key.headers, items)
    assert again["unchanged"] == 3


async def test_each_bad_item_is_rejected_alone(client: httpx.AsyncClient) -> None:
    key = await make_api_key(Scope.CUSTOMERS_WRITE)
    items: list[Any] = [
        CUSTOMER,
        INVOICE,  # billing:write is not granted
        {"type": "satellite", "number": "X"},
        {"number": "no type"},
        ["not", "an", "object"],
        {**CONTRACT, "customer_number": "K-1"},  # not the file's spelling
        {**CONTRACT, "number": "UM/2", "customerNumber": "K-404"},
        {**CUSTOMER, "number": "K-2", "pesel": "44051401358"},
    ]
    result = await upsert(client, key.headers, items)
    assert [r["status"] for r in result["results"]] == ["CREATED"] + ["REJECTED"] * 7
    assert [[(e["field"], e["code"]) for e in r["errors"]] for r in result["results"][1:]] == [
        [("type", "SCOPE_NOT_GRANTED")],
        [("type", "UNKNOWN_TYPE")],
        [("type", "REQUIRED")],
        [(None, "INVALID_JSON")],
        [("customer_number", "UNKNOWN_FIELD")],
        [("customerNumber", "UNKNOWN_REFERENCE")],
        [("pesel", "INVALID_PESEL")],
    ]
    assert "billing:write" in result["results"][1]["errors"][0]["message"]
    assert await Customer.all().values_list("number", flat=True) == ["K-1"]
    assert not await Invoice.exists() and not await Contract.exists()


async def test_dry_run_and_the_size_limit(client: httpx.AsyncClient) -> None:
    key = await make_api_key(Scope.CUSTOMERS_WRITE)
    result = await upsert(client, key.headers, [CUSTOMER, CONTRACT], dryRun=True)
    assert (result["created"], result["dryRun"]) == (2, True)
    assert not await Customer.exists()
    too_many = await upsert(client, key.headers, [CUSTOMER] * 501)
    assert too_many["results"] == []
    assert [(e["field"], e["code"]) for e in too_many["errors"]] == [("items", "TOO_MANY")]
