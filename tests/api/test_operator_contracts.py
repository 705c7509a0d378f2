"""``upsertContracts``, ``upsertServices``, ``setServiceStatuses``, ``upsertDevices`` and
``upsertSubscriptions`` through the real app: results per item, field paths as in the input,
the key's scope, what the customer then sees, and a customer fed in who registers and logs in."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from backend.models import Contract, Customer, Service
from backend.services.identifiers import make_pesel
from backend.services.operator_keys import Scope
from tests.api.account_helpers import CONFIRM, login, register
from tests.factories import STRONG_PASSWORD, login_as, make_api_key, make_package

URL = "/operator/graphql"
CARD = "100200300400"
PHONE = "600100200"
# (the mutation, its input type)
CONTRACTS = ("upsertContracts", "UpsertContractsInput")
SERVICES = ("upsertServices", "UpsertServicesInput")
STATUSES = ("setServiceStatuses", "SetServiceStatusesInput")
DEVICES = ("upsertDevices", "UpsertDevicesInput")
SUBSCRIPTIONS = ("upsertSubscriptions", "UpsertSubscriptionsInput")


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


async def call(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    operation: tuple[str, str],
    items: list[dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    """The payload of the mutation ``operation`` with ``items``; a whole-call GraphQL error
    (e.g. a missing scope) is returned as the response body."""
    name, input_type = operation
    query = f"""mutation ($input: {input_type}!) {{
      {name}(input: $input) {{
        created updated unchanged rejected dryRun
        results {{ index key status errors {{ field code message }} }}
      }}
    }}"""
    variables = {"input": {"items": items, **extra}}
    response = await client.post(
        URL, json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return body if "errors" in body else body["data"][name]


def statuses(payload: dict[str, Any]) -> list[str]:
    return [r["status"] for r in payload["results"]]


def errors(payload: dict[str, Any]) -> list[list[tuple[str, str]]]:
    return [[(e["field"], e["code"]) for e in r["errors"]] for r in payload["results"]]


async def customers(client: httpx.AsyncClient, headers: dict[str, str], *numbers: str) -> None:
    items = [
        {
            "number": number,
            "firstName": "Anna",
            "lastName": "Nowak",
            "pesel": make_pesel(date(1981, 4, 2), serial, True),
            "email": f"{number.lower()}@example.com",
        }
        for serial, number in enumerate(numbers, start=1)
    ]
    result = await call(client, headers, ("upsertCustomers", "UpsertCustomersInput"), items)
    assert result["created"] == len(numbers)


def contract(number: str, customer_number: str, **fields: Any) -> dict[str, Any]:
    item = {"number": number, "customerNumber": customer_number, "signedOn": "2025-03-01"}
    return {**item, "status": "ACTIVE", **fields}


def service(identifier: str, contract_number: str, **fields: Any) -> dict[str, Any]:
    item = {"identifier": identifier, "contractNumber": contract_number, "kind": "SATELLITE_TV"}
    return {**item, "activatedOn": "2025-03-05", **fields}


def device(serial: str, customer_number: str, **fields: Any) -> dict[str, Any]:
    item = {"serialNumber": serial, "customerNumber": customer_number, "kind": "DECODER"}
    return {
        **item,
        "model": "Dekoder 4K",
        "ownership": "LEASED",
        "installedOn": "2025-03-05",
        **fields,
    }


async def test_what_the_operator_sends_the_customer_sees(client, settings, gql) -> None:
    key = await make_api_key(Scope.CUSTOMERS_WRITE, name="bss")
    await customers(client, key.headers, "K-1")
    await make_package(code="SAT-START", name="Start", monthly_price=4999)
    steps = [
        (CONTRACTS, [contract("UM/1", "K-1", endsOn="2027-02-28")]),
        (SERVICES, [service("1002 0030 0400", "UM/1", name="Salon")]),
        (DEVICES, [device("SN-1", "K-1", serviceIdentifier=CARD)]),
        (
            SUBSCRIPTIONS,
            [{"serviceIdentifier": CARD, "packageCode": "SAT-START", "startsOn": "2025-03-05"}],
        ),
        (STATUSES, [{"identifier": CARD, "status": "SUSPENDED", "suspensionReason": "DEBT"}]),
    ]
    keys = []
    for operation, items in steps:
        first = await call(client, key.headers, operation, items)
        kind_of_change = "UPDATED" if operation is STATUSES else "CREATED"
        assert statuses(first) == [kind_of_change], first
        keys.append(first["results"][0]["key"])
        assert statuses(await call(client, key.headers, operation, items)) == ["UNCHANGED"]
    assert keys == ["UM/1", CARD, "SN-1", f"{CARD}/SAT-START/2025-03-05", CARD]

    await login_as(client, settings, await Customer.get(number="K-1"))
    viewer = (
        await gql(
            """{ viewer {
              contracts { number endsOn status services { identifier } }
              services { identifier name status suspensionReason
                subscriptions { package { code } monthlyPrice { minorUnits } } }
              devices { serialNumber service { identifier } }
            } }"""
        )
    )["viewer"]
    assert viewer["contracts"] == [
        {
            "number": "UM/1",
            "endsOn": "2027-02-28",
            "status": "ACTIVE",
            "services": [{"identifier": CARD}],
        }
    ]
    assert viewer["services"] == [
        {
            "identifier": CARD,
            "name": "Salon",
            "status": "SUSPENDED",
            "suspensionReason": "DEBT",
            "subscriptions": [
                {"package": {"code": "SAT-START"}, "monthlyPrice": {"minorUnits": 4999}}
            ],
        }
    ]
    assert viewer["devices"] == [{"serialNumber": "SN-1", "service": {"identifier": CARD}}]


async def test_bad_items_are_named_as_the_input_names_them(client) -> None:
    key = await make_api_key(Scope.CUSTOMERS_WRITE)
    headers = {**key.headers, "Accept-Language": "en"}
    await customers(client, headers, "K-1", "K-2")
    await call(client, headers, CONTRACTS, [contract("UM/1", "K-1"), contract("UM/2", "K-2")])
    await call(
        client, headers, SERVICES, [service(CARD, "UM/1"), service(PHONE, "UM/2", kind="INTERNET")]
    )
    checks = [
        (CONTRACTS, contract("UM/3", "K-1", endsOn="2025-02-01"), ("endsOn", "ENDS_BEFORE_START")),
        (CONTRACTS, contract("UM/4", "K-9"), ("customerNumber", "UNKNOWN_REFERENCE")),
        (
            SERVICES,
            service("200300400500", "UM/1", suspensionReason="DEBT"),
            ("suspensionReason", "SUSPENSION_REASON_NOT_ALLOWED"),
        ),
        (SERVICES, service("700100200", "UM/1"), ("identifier", "IDENTIFIER_KIND_MISMATCH")),
        (
            STATUSES,
            {"identifier": "999888777", "status": "ACTIVE"},
            ("identifier", "UNKNOWN_REFERENCE"),
        ),
        (STATUSES, {"identifier": CARD, "status": "SUSPENDED"}, ("suspensionReason", "REQUIRED")),
        (
            DEVICES,
            device("SN-1", "K-1", serviceIdentifier=PHONE),
            ("serviceIdentifier", "DIFFERENT_CUSTOMER"),
        ),
        (
            SUBSCRIPTIONS,
            {
                "serviceIdentifier": CARD,
                "packageCode": "NOPE",
                "startsOn": "2025-03-05",
                "monthlyPrice": -1,
            },
            ("monthlyPrice", "OUT_OF_RANGE"),
        ),
    ]
    for operation, item, expected in checks:
        result = await call(client, headers, operation, [item])
        assert (result["rejected"], errors(result)[0][0]) == (1, expected), (operation, result)
    result = await call(client, headers, STATUSES, [checks[4][1]])
    assert (
        result["results"][0]["errors"][0]["message"]
        == "There is no service with the key 999888777."
    )
    assert await Contract.all().count() == 2 and await Service.all().count() == 2


async def test_a_dry_run_writes_nothing(client) -> None:
    key = await make_api_key(Scope.CUSTOMERS_WRITE)
    await customers(client, key.headers, "K-1")
    result = await call(client, key.headers, CONTRACTS, [contract("UM/1", "K-1")], dryRun=True)
    assert (result["dryRun"], statuses(result)) == (True, ["CREATED"])
    assert not await Contract.exists()


@pytest.mark.parametrize("operation", [CONTRACTS, SERVICES, STATUSES, DEVICES, SUBSCRIPTIONS])
async def test_a_key_without_customers_write_is_refused(client, operation) -> None:
    key = await make_api_key(Scope.CATALOG_WRITE, Scope.BILLING_WRITE)
    body = await call(client, key.headers, operation, [])
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "SCOPE_NOT_GRANTED"


async def test_a_customer_fed_in_registers_and_logs_in(client, gql, mailbox) -> None:
    key = await make_api_key(Scope.CUSTOMERS_WRITE)
    await customers(client, key.headers, "K-1")
    await call(client, key.headers, CONTRACTS, [contract("UM/1", "K-1")])
    await call(
        client, key.headers, SERVICES, [service("+48 601 222 333", "UM/1", kind="MOBILE_TV")]
    )
    form = {
        "identifier": "601 222 333",
        "pesel": make_pesel(date(1981, 4, 2), 1, True),
        "email": "k-1@example.com",
        "emailConfirmation": "k-1@example.com",
        "password": STRONG_PASSWORD,
        "acceptTerms": True,
    }
    assert await register(gql, form) == {"ok": True, "errors": []}
    token = mailbox.link(await mailbox.receive("k-1@example.com"), "/confirm-email")
    assert (await gql(CONFIRM, {"token": token}))["confirmEmail"]["ok"] is True
    logged_in = await login(gql, "k-1@example.com", STRONG_PASSWORD)
    assert logged_in["errors"] == [] and logged_in["viewer"]["customerNumber"] == "K-1"
