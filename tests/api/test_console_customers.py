"""The console's customer search and read-only customer view: each kind of search finds the
right customer and only them, a PESEL by its hash (never in clear in answers or the audit),
every look is audited with the staff member's name, crafted IDs are NOT_FOUND and audited,
roles are declared, bad input gets coded errors, and the statement count does not grow with
the customer's data."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from backend.models import AuditEvent
from backend.models.enums import AuditKind, ServiceKind, StaffRole
from backend.schema.relay import to_global_id
from backend.services import catalog, customer_lookup
from tests.api.graph_queries import WHOLE_GRAPH
from tests.conftest import GraphQLClient
from tests.factories import (
    login_staff,
    make_account,
    make_catalogue,
    make_customer,
    make_graph,
    make_service,
    make_staff,
    next_pesel,
)
from tests.statements import count_statements

SEARCH = """
query Search($q: String!) {
  customerSearch(query: $q) {
    customers { id customerNumber fullName email loginEmail services { kind identifier } }
    searchedBy truncated errors { field code message }
  }
}
"""

VIEW = """
query View($id: ID!) {
  customer(id: $id) {
    id customerNumber profile { fullName peselMasked email }
    contracts { number services { identifier devices { serialNumber } } }
  }
}
"""


async def _agent(client: httpx.AsyncClient, role: StaffRole = StaffRole.AGENT) -> Any:
    member = await make_staff(role=role, name="Anna Agentka")
    await login_staff(client, member)
    return member


async def _search(console: GraphQLClient, q: str) -> dict[str, Any]:
    return (await console(SEARCH, {"q": q}))["customerSearch"]


def _numbers(result: dict[str, Any]) -> list[str]:
    return [c["customerNumber"] for c in result["customers"]]


async def _views() -> list[AuditEvent]:
    return await AuditEvent.filter(kind=AuditKind.STAFF_VIEWED).order_by("id")


# --- search ------------------------------------------------------------------------------


async def test_each_kind_of_search_finds_the_customer_and_only_them(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    await _agent(client)
    pesel = next_pesel()
    target = await make_customer(
        settings, pesel=pesel, first_name="Łucja", last_name="Żółkiewska", email="lucja@przyklad.pl"
    )
    await make_account(target, email="login.lucji@przyklad.pl")
    card = await make_service(target)
    phone = await make_service(target, kind=ServiceKind.MOBILE_TV)
    other = await make_customer(settings, first_name="Jan", last_name="Kowalski")
    await make_service(other)

    spaced_card = f"{card.identifier[:4]} {card.identifier[4:8]}-{card.identifier[8:]}"
    for q in [
        target.number,
        target.number.lower(),
        "zolk",
        "ŻÓŁK",
        "luc",
        "Łucja Żół",
        "żółkiewska łucja",
        "LUCJA@Przyklad.PL",
        "login.lucji@przyklad.pl",
        spaced_card,
        f"+48 {phone.identifier}",
        pesel,
    ]:
        result = await _search(console, q)
        assert result["errors"] == [], q
        assert _numbers(result) == [target.number], q
    found = (await _search(console, pesel))["customers"][0]
    assert found["loginEmail"] == "login.lucji@przyklad.pl"
    assert found["id"] == to_global_id("Customer", target.id)
    assert {s["identifier"] for s in found["services"]} == {card.identifier, phone.identifier}
    assert (await _search(console, "Kow"))["customers"][0]["fullName"] == "Jan Kowalski"
    assert _numbers(await _search(console, "Nowak")) == []
    assert _numbers(await _search(console, "ukiewska")) == []  # a prefix, not a substring


async def test_a_pesel_is_matched_by_hash_and_never_answered_or_audited_in_clear(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    await _agent(client)
    pesel = next_pesel()
    customer = await make_customer(settings, pesel=pesel)
    response = await client.post(
        "/console/graphql", json={"query": SEARCH, "variables": {"q": pesel}}
    )
    assert pesel not in response.text
    result = response.json()["data"]["customerSearch"]
    assert _numbers(result) == [customer.number]
    assert "PESEL" in result["searchedBy"]
    opened = await client.post(
        "/console/graphql",
        json={"query": VIEW, "variables": {"id": to_global_id("Customer", customer.id)}},
    )
    assert pesel not in opened.text
    assert opened.json()["data"]["customer"]["profile"]["peselMasked"] == "*********" + pesel[-2:]
    events = await AuditEvent.all()
    assert events and all(pesel not in json.dumps(e.details) for e in events)
    search = (await _views())[0]
    assert search.customer_id is None
    assert search.details["kinds"] == ["number", "pesel"]
    assert "term" not in search.details


async def test_searches_are_audited_with_the_staff_member(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    member = await _agent(client)
    await make_customer(settings, last_name="Nowak")
    await _search(console, "  nowak ")
    [event] = await _views()
    assert event.customer_id is None
    assert event.details == {
        "staff": member.id,
        "staff_name": "Anna Agentka",
        "what": "search",
        "kinds": ["name"],
        "found": 1,
        "term": "nowak",
    }


async def test_results_are_bounded(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    await _agent(client)
    for _ in range(customer_lookup.RESULTS_MAX + 1):
        await make_customer(settings, last_name="Wiśniewska")
    result = await _search(console, "wisn")
    assert len(result["customers"]) == customer_lookup.RESULTS_MAX
    assert result["truncated"] is True


@pytest.mark.parametrize(
    ("q", "code"),
    [
        ("", "REQUIRED"),
        ("   ", "REQUIRED"),
        ("x" * (customer_lookup.QUERY_MAX + 1), "TOO_LONG"),
        ("Kowal\x00ski", "FORBIDDEN_CHARACTER"),
        ("Kowal\x1bski", "FORBIDDEN_CHARACTER"),
        ("Kowal\u202eski", "FORBIDDEN_CHARACTER"),
        ("a", "TOO_SHORT"),
        ("jan@@example", "INVALID_EMAIL"),
    ],
)
async def test_bad_search_text_gets_a_coded_error(
    console: GraphQLClient, client: httpx.AsyncClient, q: str, code: str
) -> None:
    await _agent(client)
    result = await _search(console, q)
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("query", code)]
    assert result["errors"][0]["message"]
    assert await _views() == []


async def test_like_wildcards_are_plain_letters(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    await _agent(client)
    await make_customer(settings, last_name="Nowak")
    assert _numbers(await _search(console, "%%")) == []
    assert _numbers(await _search(console, "__")) == []


# --- the customer view ---------------------------------------------------------------------


async def test_the_customer_view_reads_the_graph_and_audits_the_parts(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    member = await _agent(client)
    cat = await make_catalogue()
    customer = await make_customer(settings)
    graph = await make_graph(customer, cat, services=2, invoices=3)
    other = await make_customer(settings)
    await make_graph(other, cat, services=1, invoices=1)
    gid = to_global_id("Customer", customer.id)
    data = (await console(VIEW, {"id": gid}))["customer"]
    assert data["customerNumber"] == customer.number
    services = [s["identifier"] for c in data["contracts"] for s in c["services"]]
    assert sorted(services) == sorted(s.identifier for s in graph.services)
    [event] = await _views()
    assert event.customer_id == customer.id
    assert event.details == {
        "staff": member.id,
        "staff_name": "Anna Agentka",
        "what": ["id", "customerNumber", "profile", "contracts"],
    }
    fragment = "query($id: ID!) { customer(id: $id) { ...F } } fragment F on Customer { wallet { balance { amount } } }"
    await console(fragment, {"id": gid})
    assert (await _views())[-1].details["what"] == ["wallet"]


async def test_the_customer_view_never_shows_staff_events_in_the_activity(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    await _agent(client)
    customer = await make_customer(settings)
    gid = to_global_id("Customer", customer.id)
    await console(VIEW, {"id": gid})
    data = await console(
        "query($id: ID!) { customer(id: $id) { activity(first: 10) { totalCount } } }",
        {"id": gid},
    )
    assert data["customer"]["activity"]["totalCount"] == 0


@pytest.mark.parametrize(
    "crafted",
    [
        to_global_id("Invoice", 1),
        to_global_id("Customer", 999999),
        "not-base64!",
        "",
        "Q3VzdG9tZXI6MDE=",  # "Customer:01", not canonical
        "x" * 5000,
    ],
)
async def test_a_crafted_id_is_not_found_and_audited(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any, crafted: str
) -> None:
    member = await _agent(client)
    await make_customer(settings)
    body = await console(VIEW, {"id": crafted}, expect_errors=True)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    [event] = await _views()
    assert event.customer_id is None
    assert event.details["staff"] == member.id
    assert event.details["attempt"] == crafted[:200]


async def test_another_type_id_of_an_existing_customer_pk_reads_nothing(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    await _agent(client)
    customer = await make_customer(settings)
    body = await console(VIEW, {"id": to_global_id("Service", customer.id)}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert customer.number not in json.dumps(body)


async def test_one_request_reads_one_customer(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    await _agent(client)
    a, b = await make_customer(settings), await make_customer(settings)
    query = """query($a: ID!, $b: ID!) {
      first: customer(id: $a) { customerNumber contracts { number } }
      second: customer(id: $b) { customerNumber contracts { number } }
    }"""
    ids: dict[str, Any] = {"a": to_global_id("Customer", a.id), "b": to_global_id("Customer", b.id)}
    body = await console(query, ids, expect_errors=True)
    codes = [e["extensions"]["code"] for e in body["errors"]]
    assert codes == ["ONE_CUSTOMER_PER_REQUEST"]
    same = await console(query, {"a": ids["a"], "b": ids["a"]})
    assert same["first"] == same["second"]


# --- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("session", ["anonymous", "password-only"])
async def test_search_and_view_need_a_verified_staff_session(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any, session: str
) -> None:
    customer = await make_customer(settings)
    if session == "password-only":
        await login_staff(client, await make_staff(), verified=False)
    expected = "NOT_AUTHENTICATED" if session == "anonymous" else "SECOND_FACTOR_REQUIRED"
    cases: list[tuple[str, dict[str, Any]]] = [
        (SEARCH, {"q": customer.number}),
        (VIEW, {"id": to_global_id("Customer", customer.id)}),
    ]
    for query, variables in cases:
        body = await console(query, variables, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == expected
        assert customer.number not in json.dumps(body)
    assert await _views() == []


async def test_a_customer_session_does_not_open_the_console(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    from tests.factories import login_as

    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    body = await console(SEARCH, {"q": customer.number}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


async def test_supervisors_see_who_looked_and_agents_may_not(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    agent = await _agent(client)
    customer = await make_customer(settings)
    gid = to_global_id("Customer", customer.id)
    await console(VIEW, {"id": gid})
    views = "query($id: ID!, $after: String) { customerViews(id: $id, first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { staffId staffName what } } } }"
    body = await console(views, {"id": gid}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "ROLE_REQUIRED"

    client.cookies.clear()
    await _agent(client, StaffRole.SUPERVISOR)
    await console(
        "query($id: ID!) { customer(id: $id) { wallet { balance { amount } } } }", {"id": gid}
    )
    page = (await console(views, {"id": gid}))["customerViews"]
    assert page["totalCount"] == 2
    assert page["edges"][0]["node"]["what"] == ["wallet"]
    assert page["pageInfo"]["hasNextPage"] is True
    older = (await console(views, {"id": gid, "after": page["pageInfo"]["endCursor"]}))[
        "customerViews"
    ]
    assert older["edges"][0]["node"] == {
        "staffId": agent.id,
        "staffName": "Anna Agentka",
        "what": ["id", "customerNumber", "profile", "contracts"],
    }
    missing = await console(views, {"id": to_global_id("Invoice", 1)}, expect_errors=True)
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_concurrent_looks_are_each_audited(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    await _agent(client)
    customer = await make_customer(settings)
    gid = to_global_id("Customer", customer.id)
    await asyncio.gather(*(console(VIEW, {"id": gid}) for _ in range(5)))
    assert len(await AuditEvent.filter(customer_id=customer.id)) == 5


# --- statement count -------------------------------------------------------------------------

CONSOLE_GRAPH = (
    WHOLE_GRAPH.replace(
        "query Whole {\n  viewer {", "query Whole($id: ID!) {\n  customer(id: $id) {"
    )
    .replace(
        "    offers { id title monthlyPrice { amount } package { name channels { name } } }\n", ""
    )
    .replace(
        "    vodCatalogue { id name kind price { amount } activePurchase { id availableUntil } }\n",
        "",
    )
)


async def test_statements_do_not_grow_with_the_customers_data(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    await _agent(client)
    cat = await make_catalogue()
    small = await make_customer(settings)
    await make_graph(small, cat, services=1, invoices=1)
    big = await make_customer(settings)
    await make_graph(big, cat, services=10, invoices=200)
    await (await catalog.catalogue()).channels()  # warm, as between catalogue changes
    # One request first: a pooled PostgreSQL connection an earlier test ended is replaced here
    # (its statement sent again), not inside a count.
    await console(CONSOLE_GRAPH, {"id": to_global_id("Customer", small.id)})
    counts = []
    for customer in (small, big):
        with count_statements() as seen:
            data = await console(CONSOLE_GRAPH, {"id": to_global_id("Customer", customer.id)})
        counts.append(len(seen))
    assert counts[0] == counts[1], counts
    assert data["customer"]["invoices"]["totalCount"] == 200
    assert len(data["customer"]["contracts"][0]["services"]) == 10


# --- the security review: no PESEL in clear, crafted IDs with NUL, invisible characters ------


@pytest.mark.parametrize(
    "q",
    [
        "PESEL {pesel}",
        "+{pesel}",
        "{invalid}",
        "{pesel_spaced}",
        "tel. 601 234 567",
        "K{pesel}",
    ],
)
async def test_texts_with_nine_digits_or_more_are_never_stored_in_the_audit(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any, q: str
) -> None:
    await _agent(client)
    pesel = next_pesel()
    invalid = pesel[:10] + str((int(pesel[10]) + 1) % 10)  # a wrong check digit
    typed = q.format(pesel=pesel, invalid=invalid, pesel_spaced=f"{pesel[:6]} {pesel[6:]}")
    result = await _search(console, typed)
    assert result["errors"] == []
    [event] = await _views()
    assert "term" not in event.details
    stored = json.dumps(event.details)
    assert pesel not in stored and invalid not in stored and pesel[6:] not in stored


async def test_a_short_number_is_stored_as_the_term(
    console: GraphQLClient, client: httpx.AsyncClient
) -> None:
    await _agent(client)
    await _search(console, "K-1234-5678")
    [event] = await _views()
    assert event.details["term"] == "K-1234-5678"


@pytest.mark.parametrize(
    ("crafted", "stored"),
    [
        ("\u0000abc", "\\u0000abc"),
        ("\x1b[31mx\u202e", "\\u001b[31mx\\u202e"),
        ("ab\u200bcd\\u0000", "ab\\u200bcd\\u005cu0000"),
        ("\u0000" * 5000, "\\u0000" * 33),
    ],
)
async def test_a_crafted_id_with_control_characters_is_audited_escaped(
    console: GraphQLClient, client: httpx.AsyncClient, crafted: str, stored: str
) -> None:
    member = await _agent(client)
    body = await console(VIEW, {"id": crafted}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    [event] = await _views()
    assert event.details["staff"] == member.id
    assert event.details["attempt"] == stored
    assert len(event.details["attempt"]) <= 200


@pytest.mark.parametrize("q", ["ab\u200bcd", "\ufeffNowak", "Now\u00adak", "Jan\u2060Kowalski"])
async def test_format_characters_in_the_search_are_refused(
    console: GraphQLClient, client: httpx.AsyncClient, q: str
) -> None:
    await _agent(client)
    result = await _search(console, q)
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("query", "FORBIDDEN_CHARACTER")]
    assert await _views() == []


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"id": ""}, "NOT_FOUND"),
        ({"id": "Customer:\x00"}, "NOT_FOUND"),
        ({"id": "x" * 10_000}, "NOT_FOUND"),
        ({"first": -1}, "INVALID"),
        ({"first": 10_000}, "PAGE_SIZE_TOO_LARGE"),
        ({"after": "not-a-cursor\x00"}, "INVALID_CURSOR"),
    ],
)
async def test_bad_arguments_of_who_looked_get_a_coded_error(
    console: GraphQLClient,
    client: httpx.AsyncClient,
    settings: Any,
    variables: dict[str, Any],
    code: str,
) -> None:
    await _agent(client, StaffRole.SUPERVISOR)
    customer = await make_customer(settings)
    views = "query($id: ID!, $first: Int, $after: String) { customerViews(id: $id, first: $first, after: $after) { totalCount } }"
    body = await console(
        views, {"id": to_global_id("Customer", customer.id), **variables}, expect_errors=True
    )
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]
