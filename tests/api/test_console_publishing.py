"""Publishing from the console through the real app: ``publishMessage`` (one customer by number,
everyone, a service kind; urgent banner; expiry) and ``publishOffer`` (the customer's offers), one
item each through the operator API's feed kinds, with the staff member as writer; idempotent by
the console's reference; supervisors only; bad input as payload errors on the input's fields;
the recent publications with who published them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from backend.clock import clock, now
from backend.models import AuditEvent, Message, Offer
from backend.models.enums import AuditKind, ServiceKind, StaffRole
from backend.services.feed.publications import WRITER_SCAN
from backend.services.operator_keys import Scope
from tests.conftest import GraphQLClient
from tests.factories import (
    login_as,
    login_staff,
    make_api_key,
    make_catalogue,
    make_customer,
    make_service,
    make_staff,
    subscribe,
)

PUBLISH_MESSAGE = """mutation ($input: MessageInput!) { publishMessage(input: $input) {
  created errors { field code message }
  message { reference customerNumber serviceKind category subject body urgent publishedAt
    expiresAt publishedBy { name staff } } } }"""
PUBLISH_OFFER = """mutation ($input: OfferInput!) { publishOffer(input: $input) {
  created errors { field code message }
  offer { reference customerNumber packageCode title description monthlyPrice { amount }
    promoMonths validFrom validUntil publishedBy { name staff } } } }"""
MESSAGES = """query ($first: Int, $after: String) { publishedMessages(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  nodes { reference subject customerNumber serviceKind expiresAt publishedBy { name staff } } } }"""
OFFERS = """{ publishedOffers { totalCount
  nodes { reference title customerNumber packageCode publishedBy { name staff } } } }"""
VIEWER_MESSAGES = """{ viewer { messages { nodes { subject urgent broadcast body } }
  dashboard { urgentMessages { subject } } } }"""
VIEWER_OFFERS = "{ viewer { offers { title personal monthlyPrice { amount } package { code } } } }"


def reference() -> str:
    return f"console-{uuid.uuid4()}"


def message(audience: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "reference": reference(),
        "audience": audience,
        "category": "ANNOUNCEMENT",
        "subject": "Przerwa techniczna",
        "body": "W nocy\nkrótka przerwa.",
        **fields,
    }


def offer(**fields: Any) -> dict[str, Any]:
    return {
        "reference": reference(),
        "title": "Sport taniej",
        "description": "Trzy miesiące taniej",
        "monthlyPrice": 1999,
        "promoMonths": 3,
        "validFrom": (now() - timedelta(days=1)).isoformat(),
        "validUntil": (now() + timedelta(days=30)).isoformat(),
        **fields,
    }


async def supervisor(client: httpx.AsyncClient, **fields: Any) -> Any:
    member = await make_staff(role=StaffRole.SUPERVISOR, **fields)
    await login_staff(client, member)
    return member


async def publish(
    console: GraphQLClient, item: dict[str, Any], name: str = "publishMessage"
) -> Any:
    query = PUBLISH_MESSAGE if name == "publishMessage" else PUBLISH_OFFER
    return (await console(query, {"input": item}))[name]


def errors(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def seen(client: httpx.AsyncClient, gql: GraphQLClient, settings: Any, customer: Any) -> Any:
    await login_as(client, settings, customer)
    viewer = (await gql(VIEWER_MESSAGES))["viewer"]
    subjects = [m["subject"] for m in viewer["messages"]["nodes"]]
    return subjects, [m["subject"] for m in viewer["dashboard"]["urgentMessages"]]


async def test_a_message_to_one_customer_reaches_them_only_until_it_expires(
    client, console, gql, settings
) -> None:
    member = await supervisor(client, name="Anna Nowak")
    me = await make_customer(settings)
    other = await make_customer(settings)
    later = (now() + timedelta(hours=2)).isoformat()
    item = message({"customerNumber": me.number}, urgent=True, expiresAt=later)
    result = await publish(console, item)
    assert result["errors"] == [] and result["created"] is True
    assert result["message"]["customerNumber"] == me.number
    assert result["message"]["publishedBy"] == {"name": "Anna Nowak", "staff": True}
    assert await seen(client, gql, settings, me) == (["Przerwa techniczna"], ["Przerwa techniczna"])
    assert await seen(client, gql, settings, other) == ([], [])
    # The writer is audited as the staff member, through the feed's own event.
    [event] = await AuditEvent.filter(kind=AuditKind.OPERATOR_WRITE)
    assert event.details["writer"] == f"staff:{member.id}:Anna Nowak"
    assert event.details["type"] == "message"
    assert event.details["keys"]["created"] == [item["reference"]]
    [staff_event] = await AuditEvent.filter(kind=AuditKind.STAFF_WRITE)
    assert staff_event.customer_id == me.id
    assert staff_event.details == {
        "staff": member.id,
        "staff_name": "Anna Nowak",
        "type": "message",
        "reference": item["reference"],
    }
    # ...which is not in the customer's own activity history.
    await login_as(client, settings, me)
    activity = (await gql("{ viewer { activity { nodes { kind } } } }"))["viewer"]["activity"]
    assert all(node["kind"] != "STAFF_WRITE" for node in activity["nodes"])
    clock.advance(hours=2, seconds=1)
    assert await seen(client, gql, settings, me) == ([], [])


async def test_broadcasts_reach_everyone_or_the_customers_with_a_service_kind(
    client, console, gql, settings
) -> None:
    await supervisor(client)
    net = await make_customer(settings)
    await make_service(net, kind=ServiceKind.INTERNET)
    tv = await make_customer(settings)
    await make_service(tv, kind=ServiceKind.SATELLITE_TV)
    everyone = message({"everyone": True}, subject="Dla wszystkich")
    internet = message({"serviceKind": "INTERNET"}, subject="Dla internetu", category="MAINTENANCE")
    for item in (everyone, internet):
        assert (await publish(console, item))["errors"] == []
    assert await seen(client, gql, settings, net) == (["Dla internetu", "Dla wszystkich"], [])
    assert await seen(client, gql, settings, tv) == (["Dla wszystkich"], [])


async def test_a_double_click_publishes_once_and_a_reused_reference_is_refused(
    client, console, settings
) -> None:
    await supervisor(client)
    item = message({"everyone": True})
    first = await publish(console, item)
    second = await publish(console, item)
    assert (first["created"], second["created"]) == (True, False)
    assert second["message"] == first["message"] and second["errors"] == []
    assert await Message.filter(reference=item["reference"]).count() == 1
    other = await publish(console, {**item, "subject": "Inny temat"})
    assert errors(other) == [("reference", "REFERENCE_REUSED")] and other["message"] is None
    english = await console(
        PUBLISH_MESSAGE, {"input": {**item, "body": "x"}}, headers={"Accept-Language": "en"}
    )
    [error] = english["publishMessage"]["errors"]
    assert error["code"] == "REFERENCE_REUSED"
    assert error["message"] and error["message"] != other["errors"][0]["message"]  # translated
    assert await Message.all().count() == 1


async def test_concurrent_double_submits_publish_once(client, console, settings) -> None:
    await supervisor(client)
    item = message({"everyone": True})
    results = await asyncio.gather(*(publish(console, item) for _ in range(4)))
    assert sorted(r["created"] for r in results) == [False, False, False, True]
    assert all(
        r["errors"] == [] and r["message"]["reference"] == item["reference"] for r in results
    )
    assert await Message.all().count() == 1
    assert await AuditEvent.filter(kind=AuditKind.STAFF_WRITE).count() == 1


async def test_message_bad_input_is_refused_field_by_field(client, console, settings) -> None:
    await supervisor(client)
    start = now() + timedelta(days=1)
    cases: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        (message({"customerNumber": "NOPE-1"}), [("audience.customerNumber", "NOT_FOUND")]),
        (message({"everyone": True}, subject=""), [("subject", "REQUIRED")]),
        (message({"everyone": True}, subject=" \t "), [("subject", "REQUIRED")]),
        (message({"everyone": True}, body="a\x00b"), [("body", "FORBIDDEN_CHARACTER")]),
        (message({"everyone": True}, subject="a\x07b"), [("subject", "FORBIDDEN_CHARACTER")]),
        (message({"everyone": True}, subject="a\u202eb"), [("subject", "FORBIDDEN_CHARACTER")]),
        (message({"everyone": True}, subject="s" * 201), [("subject", "TOO_LONG")]),
        (message({"everyone": True}, body="b" * 5001), [("body", "TOO_LONG")]),
        (message({"everyone": False}), [("audience", "INVALID")]),
        (
            message(
                {"everyone": True},
                publishedAt=start.isoformat(),
                expiresAt=(start - timedelta(minutes=1)).isoformat(),
            ),
            [("expiresAt", "ENDS_BEFORE_BEGINS")],
        ),
        (
            message({"everyone": True}, expiresAt=(now() - timedelta(minutes=1)).isoformat()),
            [("expiresAt", "ENDS_BEFORE_BEGINS")],
        ),
        (message({"everyone": True}, reference="crm-17"), [("reference", "INVALID")]),
        (message({"everyone": True}, reference=""), [("reference", "INVALID")]),
        (
            message({"everyone": True}, reference=f"console-{str(uuid.uuid4()).upper()}"),
            [("reference", "INVALID")],
        ),
    ]
    for item, expected in cases:
        result = await publish(console, item)
        assert errors(result) == expected, item
        assert result["message"] is None and all(e["message"] for e in result["errors"])
    assert await Message.all().count() == 0
    assert await AuditEvent.filter(kind=AuditKind.OPERATOR_WRITE).count() == 0
    # Malformed at the GraphQL level (two audiences in the oneOf input): a coded error, no 500.
    body = await console(
        PUBLISH_MESSAGE,
        {"input": message({"everyone": True, "serviceKind": "INTERNET"})},
        expect_errors=True,
    )
    assert body["errors"] and await Message.all().count() == 0


async def test_an_offer_is_its_customers_only(client, console, gql, settings) -> None:
    await supervisor(client, name="Jan Kowalski")
    cat = await make_catalogue()
    me = await make_customer(settings)
    await subscribe(await make_service(me), cat.sat_base)  # (so it can add the package)
    other = await make_customer(settings)
    await subscribe(await make_service(other), cat.sat_base)
    item = offer(customerNumber=me.number, packageCode=cat.sat_sport.code)
    result = await publish(console, item, "publishOffer")
    assert result["errors"] == [] and result["created"] is True
    assert result["offer"]["packageCode"] == cat.sat_sport.code
    assert result["offer"]["monthlyPrice"] == {"amount": "19.99"}
    assert result["offer"]["publishedBy"] == {"name": "Jan Kowalski", "staff": True}
    assert (await publish(console, item, "publishOffer"))["created"] is False
    assert await Offer.filter(reference=item["reference"]).count() == 1
    [staff_event] = await AuditEvent.filter(kind=AuditKind.STAFF_WRITE)
    assert (staff_event.customer_id, staff_event.details["type"]) == (me.id, "offer")
    await login_as(client, settings, me)
    offers = (await gql(VIEWER_OFFERS))["viewer"]["offers"]
    assert [(o["title"], o["personal"]) for o in offers] == [("Sport taniej", True)]
    await login_as(client, settings, other)
    assert (await gql(VIEWER_OFFERS))["viewer"]["offers"] == []


async def test_offer_bad_input(client, console, settings) -> None:
    await supervisor(client)
    start = now() + timedelta(days=1)
    cases: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        (offer(customerNumber="NOPE-1"), [("customerNumber", "NOT_FOUND")]),
        (offer(packageCode="NO-SUCH"), [("packageCode", "NOT_FOUND")]),
        (offer(title=" "), [("title", "REQUIRED")]),
        (offer(title="t" * 121), [("title", "TOO_LONG")]),
        (offer(description="a\x00"), [("description", "FORBIDDEN_CHARACTER")]),
        (offer(monthlyPrice=-1), [("monthlyPrice", "OUT_OF_RANGE")]),
        (offer(promoMonths=37), [("promoMonths", "OUT_OF_RANGE")]),
        (offer(promoMonths=-1), [("promoMonths", "OUT_OF_RANGE")]),
        (
            offer(validFrom=start.isoformat(), validUntil=start.isoformat()),
            [("validUntil", "ENDS_BEFORE_BEGINS")],
        ),
        (offer(reference="x"), [("reference", "INVALID")]),
    ]
    for item, expected in cases:
        result = await publish(console, item, "publishOffer")
        assert errors(result) == expected, item
    assert await Offer.all().count() == 0


@pytest.mark.parametrize("verified", [True, False])
async def test_agents_and_unverified_sessions_cannot_publish(
    client, console, verified: bool
) -> None:
    member = await make_staff(role=StaffRole.AGENT if verified else StaffRole.SUPERVISOR)
    await login_staff(client, member, verified=verified)
    expected = "ROLE_REQUIRED" if verified else "SECOND_FACTOR_REQUIRED"
    for query, variables in [
        (PUBLISH_MESSAGE, {"input": message({"everyone": True})}),
        (PUBLISH_OFFER, {"input": offer()}),
        (MESSAGES, {}),
        (OFFERS, {}),
    ]:
        body = await console(query, variables, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == expected
    assert await Message.all().count() == 0 and await Offer.all().count() == 0


async def test_anonymous_and_customers_cannot_publish(client, console, settings) -> None:
    await login_as(client, settings, await make_customer(settings))  # a customer's cookie
    body = await console(
        PUBLISH_MESSAGE, {"input": message({"everyone": True})}, expect_errors=True
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert await Message.all().count() == 0


async def test_recent_publications_name_who_published_them(client, console, settings, gql) -> None:
    # One by an operator API key, then two from the console.
    key = await make_api_key(Scope.MESSAGES_WRITE, name="crm")
    by_key = {"reference": "crm-1", "audience": {"everyone": True}, "category": "ANNOUNCEMENT"}
    by_key |= {"subject": "Od operatora", "body": "b"}
    response = await client.post(
        "/operator/graphql",
        json={
            "query": "mutation ($i: PublishMessagesInput!) { publishMessages(input: $i) { created } }",
            "variables": {"i": {"items": [by_key]}},
        },
        headers=key.headers,
    )
    assert response.json()["data"]["publishMessages"]["created"] == 1
    await supervisor(client, name="Ewa Lis")
    me = await make_customer(settings)
    until = (now() + timedelta(days=3)).isoformat()
    await publish(console, message({"customerNumber": me.number}, subject="Do klienta"))
    await publish(console, message({"serviceKind": "INTERNET"}, subject="Net", expiresAt=until))
    page = (await console(MESSAGES, {"first": 2}))["publishedMessages"]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"] is True
    assert [(n["subject"], n["customerNumber"], n["serviceKind"]) for n in page["nodes"]] == [
        ("Net", None, "INTERNET"),
        ("Do klienta", me.number, None),
    ]
    assert page["nodes"][0]["expiresAt"] is not None
    assert {n["publishedBy"]["name"] for n in page["nodes"]} == {"Ewa Lis"}
    rest = (await console(MESSAGES, {"after": page["pageInfo"]["endCursor"]}))["publishedMessages"]
    assert [(n["reference"], n["publishedBy"]) for n in rest["nodes"]] == [
        ("crm-1", {"name": "crm", "staff": False})
    ]
    bad = await console(MESSAGES, {"after": "nonsense"}, expect_errors=True)
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
    big = await console(MESSAGES, {"first": 101}, expect_errors=True)
    assert big["errors"][0]["extensions"]["code"] == "PAGE_SIZE_TOO_LARGE"
    # Offers too, and a portal notice (no reference) is not a publication.
    await publish(console, offer(title="Oferta"), "publishOffer")
    offers = (await console(OFFERS))["publishedOffers"]
    assert [(n["title"], n["customerNumber"], n["publishedBy"]) for n in offers["nodes"]] == [
        ("Oferta", None, {"name": "Ewa Lis", "staff": True})
    ]


async def test_the_writer_is_found_behind_many_other_feed_events(client, console, settings) -> None:
    await supervisor(client, name="Ola Zając")
    await publish(console, message({"everyone": True}, subject="Stara"))
    # More operator_write events than one read of the scan, of other kinds, after it.
    await AuditEvent.bulk_create(
        [
            AuditEvent(
                kind=AuditKind.OPERATOR_WRITE,
                details={"writer": "import:x", "type": "customer", "keys": {"created": ["A"]}},
                created_at=now(),
            )
            for _ in range(WRITER_SCAN + 3)
        ]
    )
    [node] = (await console(MESSAGES))["publishedMessages"]["nodes"]
    assert node["publishedBy"] == {"name": "Ola Zając", "staff": True}


@pytest.mark.parametrize("field", ["publishedMessages", "publishedOffers"])
@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"first": -1}, "INVALID"),
        ({"first": 10_000}, "PAGE_SIZE_TOO_LARGE"),
        ({"after": "not-a-cursor\x00"}, "INVALID_CURSOR"),
    ],
)
async def test_bad_paging_of_the_recent_publications_gets_a_coded_error(
    client: httpx.AsyncClient,
    console: GraphQLClient,
    settings: Any,
    field: str,
    arguments: dict[str, Any],
    code: str,
) -> None:
    await supervisor(client)
    query = f"query ($first: Int, $after: String) {{ {field}(first: $first, after: $after) {{ totalCount }} }}"
    body = await console(query, arguments, expect_errors=True)
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]
