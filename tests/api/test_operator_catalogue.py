"""``upsertPackages`` and ``upsertTitles`` through the real app: results per item with field
paths as in the input, the key's scope, dry runs, and what a customer sees at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from backend.models import Package, Title
from backend.models.enums import ServiceKind
from backend.services.operator_keys import Scope
from tests.factories import login_as, make_api_key, make_customer, make_service

URL = "/operator/graphql"
RESULT = """{
    created updated unchanged rejected dryRun
    results { index key status errors { field code message } }
    errors { field code message }
  }"""
PACKAGES = f"""
mutation ($input: UpsertPackagesInput!) {{ upsertPackages(input: $input) {RESULT} }}"""
TITLES = f"""
mutation ($input: UpsertTitlesInput!) {{ upsertTitles(input: $input) {RESULT} }}"""


async def call(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    query: str,
    items: list[Any],
    **extra: Any,
) -> dict[str, Any]:
    variables = {"input": {"items": items, **extra}}
    response = await client.post(
        URL, json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    (result,) = body["data"].values()
    return dict(result)


def errors(result: dict[str, Any]) -> list[list[tuple[str, str]]]:
    return [[(e["field"], e["code"]) for e in r["errors"]] for r in result["results"]]


SAT_START = {
    "code": "SAT_START",
    "name": "Start",
    "description": "Kanały ogólnopolskie",
    "kind": "BASE",
    "serviceKind": "SATELLITE_TV",
    "monthlyPrice": 2999,
    "position": 10,
    "channels": [
        {"name": "TVP1 HD", "category": "general"},
        {"name": "Metro", "category": "general", "hd": False},
    ],
}
SAT_SPORT = {
    "code": "SAT_SPORT",
    "name": "Sport",
    "kind": "ADDON",
    "serviceKind": "SATELLITE_TV",
    "monthlyPrice": 3499,
    "requiresBase": "SAT_START",
    "position": 20,
    "channels": [{"name": "Eurosport 1 HD", "category": "sport"}],
}
AVAILABLE = """{ viewer { services { availablePackages {
  code monthlyPrice { minorUnits } requiresBase { code } channels { name hd } } } } }"""


async def test_packages_are_created_unchanged_and_offered_to_the_customer(
    client: httpx.AsyncClient, gql: Any, settings: Any
) -> None:
    key = await make_api_key(Scope.CATALOG_WRITE, name="bss")
    customer = await make_customer(settings)
    await make_service(customer, kind=ServiceKind.SATELLITE_TV)
    await login_as(client, settings, customer)
    first = await call(client, key.headers, PACKAGES, [SAT_START, SAT_SPORT])
    assert (first["created"], first["rejected"]) == (2, 0)
    assert [(r["key"], r["status"]) for r in first["results"]] == [
        ("SAT_START", "CREATED"),
        ("SAT_SPORT", "CREATED"),
    ]
    again = await call(client, key.headers, PACKAGES, [SAT_START, SAT_SPORT])
    assert again["unchanged"] == 2
    (service,) = (await gql(AVAILABLE))["viewer"]["services"]
    assert service["availablePackages"] == [
        {
            "code": "SAT_START",
            "monthlyPrice": {"minorUnits": 2999},
            "requiresBase": None,
            "channels": [{"name": "Metro", "hd": False}, {"name": "TVP1 HD", "hd": True}],
        }
    ]  # the add-on needs the base first
    cheaper = {**SAT_START, "monthlyPrice": 2499}
    changed = await call(client, key.headers, PACKAGES, [cheaper])
    assert changed["updated"] == 1
    (service,) = (await gql(AVAILABLE))["viewer"]["services"]
    assert service["availablePackages"][0]["monthlyPrice"] == {"minorUnits": 2499}
    sport = await Package.get(code="SAT_SPORT")
    assert sport.requires_base_id == (await Package.get(code="SAT_START")).id


async def test_bad_packages_are_named_with_their_input_fields(client: httpx.AsyncClient) -> None:
    key = await make_api_key(Scope.CATALOG_WRITE)
    headers = {**key.headers, "Accept-Language": "en"}
    twice = [{"name": "TVN", "category": "general"}, {"name": "TVN", "category": "news"}]
    items = [
        SAT_START,
        {**SAT_SPORT, "requiresBase": "SAT_MAX"},
        {**SAT_START, "code": "SAT_FAMILY", "monthlyPrice": -1},
        {**SAT_START, "code": "SAT_TWICE", "channels": twice},
        {**SAT_START, "code": "SAT_NET", "requiresBase": "SAT_START"},
        {**SAT_START, "code": "NET_0", "serviceKind": "INTERNET", "dataLimitMb": 0},
    ]
    result = await call(client, headers, PACKAGES, items)
    assert errors(result) == [
        [],
        [("requiresBase", "UNKNOWN_REFERENCE")],
        [("monthlyPrice", "OUT_OF_RANGE")],
        [("channels.1.name", "DUPLICATE_CHANNEL")],
        [("requiresBase", "NOT_APPLICABLE")],
        [("dataLimitMb", "OUT_OF_RANGE")],
    ]
    messages = [e["message"] for r in result["results"] for e in r["errors"]]
    assert messages[0] == "There is no package with the key SAT_MAX."
    assert messages[2] == "Channel TVN is listed more than once in the package."
    assert await Package.all().values_list("code", flat=True) == ["SAT_START"]


VOD = {
    "code": "VOD-KOD",
    "kind": "VOD",
    "name": "Kod Bałtyku",
    "genre": "thriller",
    "year": 2025,
    "durationMinutes": 121,
    "price": 1999,
    "featured": True,
}
PPV = {
    "code": "PPV-GALA",
    "kind": "PPV",
    "name": "Gala Boksu",
    "price": 3999,
    "durationMinutes": 240,
    "eventStartsAt": "2026-12-12T19:00:00+01:00",
}
VOD_TITLES = "{ vodTitles { name kind price { minorUnits } rentalHours eventStartsAt } }"


async def test_titles_are_created_unchanged_and_listed_for_customers(
    client: httpx.AsyncClient, gql: Any
) -> None:
    key = await make_api_key(Scope.CATALOG_WRITE)
    first = await call(client, key.headers, TITLES, [VOD, PPV])
    assert (first["created"], first["rejected"]) == (2, 0)
    assert (await call(client, key.headers, TITLES, [VOD, PPV]))["unchanged"] == 2
    gala = await Title.get(code="PPV-GALA")
    assert gala.event_starts_at == datetime(2026, 12, 12, 18, tzinfo=UTC)
    listed = {t["name"]: t for t in (await gql(VOD_TITLES))["vodTitles"]}
    assert listed["Kod Bałtyku"]["rentalHours"] == 48
    assert listed["Gala Boksu"]["price"] == {"minorUnits": 3999}
    assert listed["Gala Boksu"]["eventStartsAt"].startswith("2026-12-12T18:00:00")
    result = await call(client, key.headers, TITLES, [{**VOD, "price": 999}])
    assert result["updated"] == 1
    listed = {t["name"]: t for t in (await gql(VOD_TITLES))["vodTitles"]}
    assert listed["Kod Bałtyku"]["price"] == {"minorUnits": 999}


async def test_bad_titles_and_a_dry_run(client: httpx.AsyncClient) -> None:
    key = await make_api_key(Scope.CATALOG_WRITE)
    no_start = {name: value for name, value in PPV.items() if name != "eventStartsAt"}
    items = [
        VOD,
        no_start,
        {**VOD, "code": "VOD-2", "eventStartsAt": "2026-12-12T19:00:00+01:00"},
        {**PPV, "code": "PPV-2", "rentalHours": 24},
        {**VOD, "code": "VOD-3", "price": 0, "name": "Film\u0000"},
    ]
    result = await call(client, key.headers, TITLES, items, dryRun=True)
    assert result["dryRun"] is True and result["created"] == 1
    assert errors(result) == [
        [],
        [("eventStartsAt", "REQUIRED")],
        [("eventStartsAt", "NOT_APPLICABLE")],
        [("rentalHours", "NOT_APPLICABLE")],
        [("name", "FORBIDDEN_CHARACTER"), ("price", "OUT_OF_RANGE")],
    ]
    assert not await Title.exists()


async def test_a_key_without_the_catalogue_scope_is_refused(client: httpx.AsyncClient) -> None:
    key = await make_api_key(Scope.CUSTOMERS_WRITE)
    for query, items in ((PACKAGES, [SAT_START]), (TITLES, [VOD])):
        variables = {"input": {"items": items}}
        response = await client.post(
            URL, json={"query": query, "variables": variables}, headers=key.headers
        )
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "SCOPE_NOT_GRANTED"
    assert not await Package.exists() and not await Title.exists()
