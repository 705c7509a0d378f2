"""The operator's answers through the real app: ``replyToContactRequest`` (the customer sees
the reply, gets an e-mail and writes back from the customer API), ``publishMessages`` (one
customer, everyone, a service kind; expiry; unread counts) and ``publishOffers`` (among the
customer's offers), each idempotent by reference, with their bad input and scopes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from backend.clock import clock, now
from backend.models import ContactReply, Event, Message, Offer
from backend.models.enums import ContactStatus, ServiceKind, ServiceStatus
from backend.schema.relay import to_global_id
from backend.services.operator_keys import Scope
from tests.factories import (
    login_as,
    make_api_key,
    make_catalogue,
    make_contact_request,
    make_customer,
    make_service,
    subscribe,
)

URL = "/operator/graphql"
REPLY = """mutation ($input: ReplyToContactRequestInput!) { replyToContactRequest(input: $input) {
  created requestStatus reply { id requestId author body reference createdAt }
  errors { field code message } } }"""
PUBLISH = """mutation ($input: %sInput!) { %s(input: $input) {
  created updated unchanged rejected dryRun
  results { index key status errors { field code message } } errors { field code } } }"""
REQUESTS = """{ viewer { contactRequests { id number status replies { author body } } } }"""
CUSTOMER_REPLY = """mutation ($input: ReplyToContactRequestInput!) {
  replyToContactRequest(input: $input) {
    contactRequest { number status replies { author body } } errors { field code } } }"""
MESSAGES = """{ viewer { unreadMessageCount
  messages { nodes { subject urgent broadcast category body } } } }"""
OFFERS = """{ viewer { offers { title description personal promoMonths
  monthlyPrice { amount } package { code } } } }"""


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


async def operator(
    client: httpx.AsyncClient, headers: dict[str, str], query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(
        URL, json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def reply(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = await operator(client, headers, REPLY, {"input": fields})
    assert "errors" not in body, body
    return dict(body["data"]["replyToContactRequest"])


async def publish(
    client: httpx.AsyncClient, headers: dict[str, str], name: str, items: list[dict[str, Any]]
) -> dict[str, Any]:
    input_type = name[0].upper() + name[1:]
    body = await operator(
        client, headers, PUBLISH % (input_type, name), {"input": {"items": items}}
    )
    assert "errors" not in body, body
    return dict(body["data"][name])


def outcome(payload: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (r["status"], [(e["field"], e["code"]) for e in r["errors"]]) for r in payload["results"]
    ]


# --- replyToContactRequest ---------------------------------------------------------------------


async def test_reply_answers_mails_and_the_customer_writes_back(
    client, gql, settings, mailbox
) -> None:
    key = await make_api_key(Scope.CONTACT_WRITE)
    me = await make_customer(settings, email="anna@example.com", language="en")
    request = await make_contact_request(me, subject="My decoder")
    number = str(request.id)

    answer = await reply(
        client, key.headers, reference="crm-1", requestId=number, body="Restart it.\nThen call."
    )
    assert answer["errors"] == []
    assert answer["created"] is True
    assert answer["requestStatus"] == "ANSWERED"
    assert answer["reply"]["author"] == "OPERATOR"
    assert answer["reply"]["requestId"] == request.id
    mail = await mailbox.receive("anna@example.com")
    assert mail["Subject"] == f"ICOK: a reply to your request no. {number}"
    text = mailbox.text(mail).replace("\r\n", "\n")
    assert "Restart it.\nThen call." in text and "My decoder" in text
    assert f"http://testserver/contact#request-{number}" in text

    # The same again: unchanged, nothing added, no second e-mail.
    again = await reply(
        client, key.headers, reference="crm-1", requestId=number, body="Restart it.\nThen call."
    )
    assert again["created"] is False and again["reply"]["id"] == answer["reply"]["id"]
    await mailbox.settle()
    assert len(mailbox.messages("anna@example.com")) == 1
    assert await ContactReply.filter(request_id=request.id).count() == 1

    # The customer sees it and writes back: the request is in progress again, with an event.
    await login_as(client, settings, me)
    (seen,) = (await gql(REQUESTS))["viewer"]["contactRequests"]
    assert seen["number"] == request.id and seen["status"] == "ANSWERED"
    assert seen["replies"] == [{"author": "OPERATOR", "body": "Restart it.\nThen call."}]
    back = (
        await gql(CUSTOMER_REPLY, {"input": {"requestId": seen["id"], "body": "  Still dark. "}})
    )["replyToContactRequest"]
    assert back["errors"] == []
    assert back["contactRequest"]["status"] == "IN_PROGRESS"
    assert back["contactRequest"]["replies"][-1] == {"author": "CUSTOMER", "body": "Still dark."}
    (event,) = await Event.filter(type="contact_reply.created")
    assert event.customer_id == me.id
    assert event.payload["requestId"] == request.id
    assert event.payload["body"] == "Still dark."
    assert event.payload["status"] == "in_progress"

    # The operator answers by the customer API's id and closes it.
    closing = await reply(
        client, key.headers, reference="crm-2", requestId=seen["id"], body="Fixed.", close=True
    )
    assert closing["created"] is True and closing["requestStatus"] == "CLOSED"
    await mailbox.receive("anna@example.com", count=2)


async def test_reply_bad_input(client, settings) -> None:
    key = await make_api_key(Scope.CONTACT_WRITE)
    someone = await make_customer(settings)
    request = await make_contact_request(someone)
    other = await make_contact_request(someone, subject="Another")
    number = str(request.id)
    cases: list[tuple[dict[str, Any], tuple[str, str]]] = [
        ({"requestId": "999999"}, ("requestId", "NOT_FOUND")),
        ({"requestId": "abc"}, ("requestId", "NOT_FOUND")),
        ({"requestId": "99999999999999"}, ("requestId", "NOT_FOUND")),
        ({"requestId": to_global_id("Message", request.id)}, ("requestId", "NOT_FOUND")),
        ({"body": "  "}, ("body", "REQUIRED")),
        ({"body": "a\x00b"}, ("body", "FORBIDDEN_CHARACTER")),
        ({"body": "x" * 5001}, ("body", "TOO_LONG")),
        ({"reference": ""}, ("reference", "REQUIRED")),
        ({"reference": "r" * 65}, ("reference", "TOO_LONG")),
        ({"reference": "r\x00"}, ("reference", "FORBIDDEN_CHARACTER")),
    ]
    for change, expected in cases:
        fields = {"reference": "crm-bad", "requestId": number, "body": "Answer", **change}
        answer = await reply(client, key.headers, **fields)
        assert [(e["field"], e["code"]) for e in answer["errors"]] == [expected], change
        assert answer["reply"] is None
    assert await ContactReply.all().count() == 0

    await reply(client, key.headers, reference="crm-9", requestId=number, body="Answer")
    for change in ({"body": "Another answer"}, {"requestId": str(other.id)}):
        fields = {"reference": "crm-9", "requestId": number, "body": "Answer", **change}
        answer = await reply(client, key.headers, **fields)
        assert [(e["field"], e["code"]) for e in answer["errors"]] == [
            ("reference", "REFERENCE_REUSED")
        ]
        assert "crm-9" in answer["errors"][0]["message"]
    assert await ContactReply.all().count() == 1


async def test_customer_reply_refused(client, gql, settings) -> None:
    me = await make_customer(settings)
    stranger = await make_customer(settings)
    theirs = await make_contact_request(stranger)
    mine = await make_contact_request(me, status=ContactStatus.NEW)
    await login_as(client, settings, me)
    cases = [
        (to_global_id("ContactRequest", theirs.id), "Hello", ("requestId", "NOT_FOUND")),
        ("not-an-id", "Hello", ("requestId", "NOT_FOUND")),
        (to_global_id("ContactRequest", mine.id), "", ("body", "REQUIRED")),
        (to_global_id("ContactRequest", mine.id), "a\x00", ("body", "FORBIDDEN_CHARACTER")),
        (to_global_id("ContactRequest", mine.id), "x" * 5001, ("body", "TOO_LONG")),
    ]
    for request_id, body, expected in cases:
        payload = (await gql(CUSTOMER_REPLY, {"input": {"requestId": request_id, "body": body}}))[
            "replyToContactRequest"
        ]
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [expected]
    assert await ContactReply.all().count() == 0
    assert await Event.filter(type="contact_reply.created").count() == 0
    # A new request stays NEW when the customer adds to it before any answer.
    payload = (
        await gql(
            CUSTOMER_REPLY,
            {"input": {"requestId": to_global_id("ContactRequest", mine.id), "body": "And also"}},
        )
    )["replyToContactRequest"]
    assert payload["contactRequest"]["status"] == "NEW"


async def test_scopes_refused(client, settings) -> None:
    messages_only = await make_api_key(Scope.MESSAGES_WRITE)
    contact_only = await make_api_key(Scope.CONTACT_WRITE)
    request = await make_contact_request(await make_customer(settings))
    body = await operator(
        client,
        messages_only.headers,
        REPLY,
        {"input": {"reference": "r", "requestId": str(request.id), "body": "b"}},
    )
    assert body["errors"][0]["extensions"]["code"] == "SCOPE_NOT_GRANTED"
    for name in ("publishMessages", "publishOffers"):
        query = PUBLISH % (name[0].upper() + name[1:], name)
        body = await operator(client, contact_only.headers, query, {"input": {"items": []}})
        assert body["errors"][0]["extensions"]["code"] == "SCOPE_NOT_GRANTED"
    assert await ContactReply.all().count() == 0


# --- publishMessages ---------------------------------------------------------------------------


def message(reference: str, audience: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "reference": reference,
        "audience": audience,
        "category": "ANNOUNCEMENT",
        "subject": f"Subject {reference}",
        "body": "Line one\nLine two",
        **fields,
    }


async def test_messages_reach_their_audience_until_they_expire(client, gql, settings) -> None:
    key = await make_api_key(Scope.MESSAGES_WRITE)
    tv = await make_customer(settings)
    await make_service(tv, kind=ServiceKind.SATELLITE_TV)
    net = await make_customer(settings)
    await make_service(net, kind=ServiceKind.INTERNET)
    gone = await make_customer(settings)
    await make_service(gone, kind=ServiceKind.INTERNET, status=ServiceStatus.TERMINATED)
    later = (now() + timedelta(hours=2)).isoformat()
    items = [
        message("m-all", {"everyone": True}),
        message("m-net", {"serviceKind": "INTERNET"}, urgent=True, category="MAINTENANCE"),
        message("m-tv", {"customerNumber": tv.number}, expiresAt=later),
        message("m-soon", {"everyone": True}, publishedAt=later),
    ]
    result = await publish(client, key.headers, "publishMessages", items)
    assert outcome(result) == [("CREATED", [])] * 4

    async def seen(customer: Any) -> tuple[int, list[str]]:
        await login_as(client, settings, customer)
        viewer = (await gql(MESSAGES))["viewer"]
        return viewer["unreadMessageCount"], [m["subject"] for m in viewer["messages"]["nodes"]]

    assert await seen(tv) == (2, ["Subject m-tv", "Subject m-all"])
    assert await seen(net) == (2, ["Subject m-net", "Subject m-all"])  # urgent first
    assert await seen(gone) == (1, ["Subject m-all"])

    clock.advance(hours=2, seconds=1)  # m-tv expired, m-soon published
    assert await seen(tv) == (2, ["Subject m-soon", "Subject m-all"])

    # The same again is unchanged (without publishedAt too); other content is refused.
    again = await publish(client, key.headers, "publishMessages", items)
    assert outcome(again) == [("UNCHANGED", [])] * 4
    changed = [
        message("m-all", {"everyone": True}, subject="Other"),
        message("m-x", {"everyone": True}),
    ]
    result = await publish(client, key.headers, "publishMessages", changed)
    assert outcome(result) == [("REJECTED", [("reference", "REFERENCE_REUSED")]), ("CREATED", [])]
    assert await Message.filter(reference="m-all").values_list("subject", flat=True) == [
        "Subject m-all"
    ]


async def test_messages_bad_input(client, settings) -> None:
    key = await make_api_key(Scope.MESSAGES_WRITE)
    start = now() + timedelta(days=1)
    cases: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        (
            message("b1", {"customerNumber": "NOPE-1"}),
            [("audience.customerNumber", "UNKNOWN_REFERENCE")],
        ),
        (message("b2", {"everyone": True}, subject=""), [("subject", "REQUIRED")]),
        (message("b3", {"everyone": True}, body="a\x00b"), [("body", "FORBIDDEN_CHARACTER")]),
        (message("b4", {"everyone": True}, subject="s" * 201), [("subject", "TOO_LONG")]),
        (message("b5", {"everyone": False}), [("audience", "INVALID")]),
        (
            message(
                "b6",
                {"everyone": True},
                publishedAt=start.isoformat(),
                expiresAt=(start - timedelta(minutes=1)).isoformat(),
            ),
            [("expiresAt", "ENDS_BEFORE_BEGINS")],
        ),
        (
            message("b7", {"everyone": True}, expiresAt=(now() - timedelta(minutes=1)).isoformat()),
            [("expiresAt", "ENDS_BEFORE_BEGINS")],
        ),
        (message("r" * 65, {"everyone": True}), [("reference", "TOO_LONG")]),
    ]
    result = await publish(client, key.headers, "publishMessages", [item for item, _ in cases])
    assert outcome(result) == [("REJECTED", expected) for _, expected in cases]
    ends = [
        e["message"]
        for r in result["results"]
        for e in r["errors"]
        if e["code"] == "ENDS_BEFORE_BEGINS"
    ]  # after publishedAt, and after now: in Polish only, no field name or "now"
    assert ends == ["Koniec musi być późniejszy niż początek."] * 2
    assert await Message.all().count() == 0

    # Two audiences at once: refused by the schema (a oneOf input), nothing written.
    body = await operator(
        client,
        key.headers,
        PUBLISH % ("PublishMessages", "publishMessages"),
        {"input": {"items": [message("b9", {"everyone": True, "serviceKind": "INTERNET"})]}},
    )
    assert body.get("data") is None and body["errors"]
    assert await Message.all().count() == 0

    # A dry run says what would happen and writes nothing.
    body = await operator(
        client,
        key.headers,
        PUBLISH % ("PublishMessages", "publishMessages"),
        {"input": {"items": [message("d1", {"everyone": True})], "dryRun": True}},
    )
    dry = body["data"]["publishMessages"]
    assert dry["dryRun"] is True and outcome(dry) == [("CREATED", [])]
    assert await Message.all().count() == 0


# --- publishOffers -----------------------------------------------------------------------------


def offer(ref: str, **fields: Any) -> dict[str, Any]:
    return {
        "reference": ref,
        "title": f"Offer {ref}",
        "description": "Three months cheaper",
        "monthlyPrice": 1999,
        "promoMonths": 3,
        "validFrom": (now() - timedelta(days=1)).isoformat(),
        "validUntil": (now() + timedelta(days=30)).isoformat(),
        **fields,
    }


async def test_offers_appear_among_the_customers_offers(client, gql, settings) -> None:
    key = await make_api_key(Scope.MESSAGES_WRITE)
    cat = await make_catalogue()
    me = await make_customer(settings)
    tv = await make_service(me)
    await subscribe(tv, cat.sat_base)
    other = await make_customer(settings)
    items = [
        offer("o-mine", customerNumber=me.number, packageCode=cat.sat_sport.code),
        offer("o-all"),
        offer("o-other", customerNumber=other.number),
    ]
    result = await publish(client, key.headers, "publishOffers", items)
    assert outcome(result) == [("CREATED", [])] * 3
    await login_as(client, settings, me)
    offers = {o["title"]: o for o in (await gql(OFFERS))["viewer"]["offers"]}
    assert set(offers) == {"Offer o-mine", "Offer o-all"}
    assert offers["Offer o-mine"]["personal"] is True
    assert offers["Offer o-mine"]["package"] == {"code": cat.sat_sport.code}
    assert offers["Offer o-mine"]["monthlyPrice"] == {"amount": "19.99"}
    assert offers["Offer o-mine"]["promoMonths"] == 3

    again = await publish(client, key.headers, "publishOffers", items)
    assert outcome(again) == [("UNCHANGED", [])] * 3
    result = await publish(client, key.headers, "publishOffers", [offer("o-all", monthlyPrice=1)])
    assert outcome(result) == [("REJECTED", [("reference", "REFERENCE_REUSED")])]
    assert await Offer.filter(reference="o-all").values_list("monthly_price", flat=True) == [1999]


async def test_offers_bad_input(client, settings) -> None:
    key = await make_api_key(Scope.MESSAGES_WRITE)
    start = now() + timedelta(days=1)
    cases: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        (offer("b1", customerNumber="NOPE-1"), [("customerNumber", "UNKNOWN_REFERENCE")]),
        (offer("b2", packageCode="NO-SUCH"), [("packageCode", "UNKNOWN_REFERENCE")]),
        (offer("b3", title=" "), [("title", "REQUIRED")]),
        (offer("b4", description="a\x00"), [("description", "FORBIDDEN_CHARACTER")]),
        (offer("b5", monthlyPrice=-1), [("monthlyPrice", "OUT_OF_RANGE")]),
        (offer("b6", promoMonths=37), [("promoMonths", "OUT_OF_RANGE")]),
        (
            offer("b7", validFrom=start.isoformat(), validUntil=start.isoformat()),
            [("validUntil", "ENDS_BEFORE_BEGINS")],
        ),
        (offer("b8", title="t" * 121), [("title", "TOO_LONG")]),
        (offer("b9", reference=""), [("reference", "REQUIRED")]),
    ]
    result = await publish(client, key.headers, "publishOffers", [item for item, _ in cases])
    assert outcome(result) == [("REJECTED", expected) for _, expected in cases]
    assert await Offer.all().count() == 0
