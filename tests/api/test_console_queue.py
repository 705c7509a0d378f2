"""The staff queue in the console: filters and paging, who may do what, the audit of every look,
private notes, replies by e-mail, status transitions, concurrent assignment, bad input."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest

from backend.clock import clock, now
from backend.models import (
    AuditEvent,
    Complaint,
    ContactReply,
    ContactRequest,
    Customer,
    StaffMember,
)
from backend.models.enums import (
    AuditKind,
    ComplaintSubject,
    ContactKind,
    ContactStatus,
    RefundMethod,
    StaffRole,
)
from backend.schema.relay import to_global_id
from backend.services import contact
from backend.services.errors import DomainError, ErrorCode
from tests.conftest import GraphQLClient
from tests.factories import (
    login_as,
    login_staff,
    make_complaint,
    make_contact_request,
    make_customer,
    make_device,
    make_invoice,
    make_meta,
    make_note,
    make_service,
    make_staff,
)
from tests.raises import domain_error

QUEUE = """
query($statuses: [ContactStatus!], $kind: ContactKind, $assigned: QueueAssigned! = ANYONE,
      $memberId: ID, $overdue: Boolean! = false, $due: Int, $first: Int, $after: String) {
  queue(statuses: $statuses, kind: $kind, assigned: $assigned, memberId: $memberId,
        overdue: $overdue, dueWithinDays: $due, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id number kind subject status
      customer { number name }
      assignee { name }
      complaint { number deadline daysLeft state }
    }
  }
}"""
DETAIL = """
query($id: ID!) {
  contactRequest(id: $id) {
    body
    request { number status assignee { name } customer { id number name }
              complaint { state daysLeft } }
    replies { author body staff { name } }
    notes { body staff { name } }
  }
}"""
ASSIGN = """
mutation($input: AssignRequestInput!) {
  assignRequest(input: $input) {
    request { status assignee { name } }
    errors { field code message }
  }
}"""
NOTE = """
mutation($input: AddContactNoteInput!) {
  addContactNote(input: $input) { note { body staff { name } } errors { field code message } }
}"""
REPLY = """
mutation($input: ReplyToRequestInput!) {
  replyToRequest(input: $input) {
    reply { author body staff { name } }
    request { status }
    errors { field code message }
  }
}"""
STATUS = """
mutation($input: SetRequestStatusInput!) {
  setRequestStatus(input: $input) { request { status } errors { field code message } }
}"""
WORKLOAD = "{ workload { member { name } role assigned open overdue } }"


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


async def complaint_of(
    customer: Customer,
    subject: str,
    *,
    assignee: StaffMember | None = None,
    received_at: datetime | None = None,
) -> Complaint:
    """A complaint (``make_complaint``) whose request has ``subject`` and ``assignee``."""
    complaint = await make_complaint(customer, received_at=received_at)
    await ContactRequest.filter(id=complaint.request_id).update(
        subject=subject, assignee_id=assignee.id if assignee else None
    )
    return complaint


def gid(request: ContactRequest) -> str:
    return to_global_id("ContactRequest", request.id)


def sid(member: StaffMember) -> str:
    return to_global_id("StaffMember", member.id)


def codes(payload: dict[str, Any]) -> dict[str | None, str]:
    return {e["field"]: e["code"] for e in payload["errors"]}


def error_code(body: dict[str, Any]) -> str:
    return str(body["errors"][0]["extensions"]["code"])


async def test_the_queue_needs_a_verified_staff_session(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    assert error_code(await console(QUEUE, expect_errors=True)) == "NOT_AUTHENTICATED"
    customer = await make_customer(settings)
    await login_as(client, settings, customer)  # a customer's session opens nothing here
    assert error_code(await console(QUEUE, expect_errors=True)) == "NOT_AUTHENTICATED"
    await login_staff(client, await make_staff(), verified=False)
    assert error_code(await console(QUEUE, expect_errors=True)) == "SECOND_FACTOR_REQUIRED"


async def test_complaints_first_by_deadline_then_oldest_with_paging(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    old = await make_contact_request(
        customer, subject="stare", created_at=now() - timedelta(days=3)
    )
    new = await make_contact_request(customer, subject="nowe")
    later = await complaint_of(customer, "reklamacja 2")
    earlier = await complaint_of(customer, "reklamacja 1", received_at=now() - timedelta(days=2))
    await login_staff(client, await make_staff())
    first = (await console(QUEUE, {"first": 3}))["queue"]
    assert first["totalCount"] == 4 and first["pageInfo"]["hasNextPage"]
    assert [n["subject"] for n in first["nodes"]] == ["reklamacja 1", "reklamacja 2", "stare"]
    assert first["nodes"][0]["complaint"]["daysLeft"] == 28
    assert first["nodes"][0]["complaint"]["state"] == "PENDING"
    assert first["nodes"][0]["customer"] == {"number": customer.number, "name": "Jan Testowy"}
    rest = (await console(QUEUE, {"first": 3, "after": first["pageInfo"]["endCursor"]}))["queue"]
    assert [n["subject"] for n in rest["nodes"]] == ["nowe"]
    assert not rest["pageInfo"]["hasNextPage"]
    assert {earlier.request_id, later.request_id, old.id, new.id} == {
        n["number"] for n in first["nodes"] + rest["nodes"]
    }
    looks = await AuditEvent.filter(kind=AuditKind.STAFF_VIEWED).order_by("id")
    assert len(looks) == 2 and all(e.customer_id is None for e in looks)
    assert looks[0].details["what"] == "queue"
    assert looks[0].details["customers"] == [customer.id]
    crafted = await console(QUEUE, {"after": "bm9wZQ"}, expect_errors=True)
    assert error_code(crafted) == "INVALID_CURSOR"
    too_many = await console(QUEUE, {"first": 101}, expect_errors=True)
    assert error_code(too_many) == "PAGE_SIZE_TOO_LARGE"


async def test_filters_by_status_kind_and_assignment(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    me = await make_staff()
    colleague = await make_staff()
    mine = await make_contact_request(customer, subject="moje", assignee=me, status="in_progress")
    theirs = await make_contact_request(customer, subject="kolegi", assignee=colleague)
    await make_contact_request(customer, subject="wolne", status="waiting")
    await complaint_of(customer, "reklamacja")
    await login_staff(client, me)

    async def subjects(**variables: Any) -> list[str]:
        return [n["subject"] for n in (await console(QUEUE, variables))["queue"]["nodes"]]

    assert await subjects(assigned="ME") == ["moje"]
    assert await subjects(assigned="UNASSIGNED") == ["reklamacja", "wolne"]
    assert await subjects(statuses=["WAITING"]) == ["wolne"]
    assert await subjects(statuses=["NEW", "IN_PROGRESS"], kind="CONTACT") == ["moje", "kolegi"]
    assert await subjects(kind="COMPLAINT") == ["reklamacja"]
    assert await subjects(due=30) == ["reklamacja"]
    assert await subjects(due=7) == []
    assert await subjects(memberId=sid(me)) == ["moje"]  # one's own work: any agent
    refused = await console(QUEUE, {"memberId": sid(colleague)}, expect_errors=True)
    assert error_code(refused) == "ROLE_REQUIRED"
    assert error_code(await console(QUEUE, {"overdue": True}, expect_errors=True)) == (
        "ROLE_REQUIRED"
    )
    assert error_code(await console(QUEUE, {"due": 31}, expect_errors=True)) == "INVALID"
    assert error_code(await console(QUEUE, {"due": -1}, expect_errors=True)) == "INVALID"
    assert theirs.assignee_id == colleague.id and mine.assignee_id == me.id


async def test_supervisors_see_everyones_work_and_the_overdue_list(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    agent = await make_staff(name="Anna Agentka")
    boss = await make_staff(role=StaffRole.SUPERVISOR, name="Zofia Szefowa")
    await complaint_of(customer, "przeterminowana", assignee=agent)
    await make_contact_request(customer, subject="otwarta", assignee=agent)
    await make_contact_request(customer, subject="zamknięta", assignee=agent, status="closed")
    clock.advance(days=31)
    await complaint_of(customer, "świeża")
    await login_staff(client, agent)
    assert error_code(await console(WORKLOAD, expect_errors=True)) == "ROLE_REQUIRED"
    await login_staff(client, boss)
    overdue = (await console(QUEUE, {"overdue": True}))["queue"]["nodes"]
    assert [(n["subject"], n["complaint"]["state"]) for n in overdue] == [
        ("przeterminowana", "DEEMED_ACCEPTED")
    ]
    assert overdue[0]["complaint"]["daysLeft"] == -1
    agents = (await console(QUEUE, {"memberId": sid(agent)}))["queue"]["nodes"]
    assert {n["subject"] for n in agents} == {"przeterminowana", "otwarta", "zamknięta"}
    rows = (await console(WORKLOAD))["workload"]
    assert rows == [
        {
            "member": {"name": "Anna Agentka"},
            "role": "agent",
            "assigned": 2,
            "open": 2,
            "overdue": 1,
        },
        {
            "member": {"name": "Zofia Szefowa"},
            "role": "supervisor",
            "assigned": 0,
            "open": 0,
            "overdue": 0,
        },
    ]
    unknown = await console(
        QUEUE, {"memberId": to_global_id("StaffMember", 99999)}, expect_errors=True
    )
    assert error_code(unknown) == "NOT_FOUND"
    wrong_type = await console(
        QUEUE, {"memberId": gid(await make_contact_request(customer))}, expect_errors=True
    )
    assert error_code(wrong_type) == "NOT_FOUND"


async def test_every_look_is_audited_with_the_staff_members_name(
    console: GraphQLClient, gql: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer, body="Mój PESEL i adres")
    member = await make_staff(name="Anna Agentka")
    await login_staff(client, member)
    detail = (await console(DETAIL, {"id": gid(request)}))["contactRequest"]
    assert detail["body"] == "Mój PESEL i adres"
    assert detail["request"]["customer"]["id"] == to_global_id("Customer", customer.id)
    await console(DETAIL, {"id": gid(request)})  # the same look within 5 minutes
    viewed = await AuditEvent.filter(kind=AuditKind.STAFF_VIEWED).order_by("id")
    assert [(e.customer_id, e.details) for e in viewed] == [
        (
            customer.id,
            {
                "staff": member.id,
                "staff_name": "Anna Agentka",
                "what": "contact_request",
                "request": request.id,
            },
        )
    ]
    clock.advance(minutes=6)
    await console(DETAIL, {"id": gid(request)})
    assert await AuditEvent.filter(kind=AuditKind.STAFF_VIEWED).count() == 2
    # Crafted IDs: unknown, another type's, malformed: NOT_FOUND, and audited as attempts.
    for crafted in (
        to_global_id("ContactRequest", request.id + 1000),
        to_global_id("Customer", customer.id),
        "not-an-id\x00",
    ):
        body = await console(DETAIL, {"id": crafted}, expect_errors=True)
        assert error_code(body) == "NOT_FOUND"
    attempts = await AuditEvent.filter(kind=AuditKind.STAFF_VIEWED, customer_id=None)
    assert len(attempts) == 3 and all(e.details["found"] is False for e in attempts)
    assert sorted(e.details["attempt"] for e in attempts)[-1] == "not-an-id\\u0000"
    assert {e.details["staff_name"] for e in attempts} == {"Anna Agentka"}
    # And none of it shows in the customer's own activity history.
    await login_as(client, settings, customer)
    history = await gql("{ viewer { activity(first: 20) { edges { node { kind } } } } }")
    assert "STAFF" not in str(history)


async def test_notes_stay_private_and_replies_reach_the_customer(
    console: GraphQLClient, gql: GraphQLClient, client: httpx.AsyncClient, settings: Any, mailbox
) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer, subject="Brak sygnału")
    member = await make_staff(name="Anna Agentka")
    await login_staff(client, member)
    noted = await console(NOTE, {"input": {"requestId": gid(request), "body": "Klient trudny"}})
    assert noted["addContactNote"]["note"] == {
        "body": "Klient trudny",
        "staff": {"name": "Anna Agentka"},
    }
    replied = await console(
        REPLY,
        {
            "input": {
                "requestId": gid(request),
                "body": "Proszę o numer karty.",
                "status": "WAITING",
            }
        },
    )
    assert replied["replyToRequest"]["errors"] == []
    assert replied["replyToRequest"]["reply"]["staff"] == {"name": "Anna Agentka"}
    assert replied["replyToRequest"]["request"]["status"] == "WAITING"
    mail = await mailbox.receive(customer.email)
    assert "Proszę o numer karty." in mailbox.text(mail)
    assert "Klient trudny" not in mailbox.text(mail)
    writes = await AuditEvent.filter(kind=AuditKind.STAFF_WRITE).order_by("id")
    assert [(e.customer_id, e.details["type"], e.details["staff_name"]) for e in writes] == [
        (customer.id, "note", "Anna Agentka"),
        (customer.id, "reply", "Anna Agentka"),
    ]
    # The customer sees the reply, never the note, and answering moves WAITING to IN_PROGRESS.
    await login_as(client, settings, customer)
    mine = await gql("{ viewer { contactRequests { status replies { author body } } } }")
    seen = mine["viewer"]["contactRequests"][0]
    assert seen["replies"] == [{"author": "OPERATOR", "body": "Proszę o numer karty."}]
    assert "Klient trudny" not in str(mine) and seen["status"] == "WAITING"
    await contact.customer_reply(
        settings, customer.id, request_id=request.id, body="Numer 123", meta=make_meta()
    )
    assert (await ContactRequest.get(id=request.id)).status is ContactStatus.IN_PROGRESS


async def test_reply_and_note_refuse_bad_input(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer)
    await login_staff(client, await make_staff())
    for body, code in (
        ("  \n", "REQUIRED"),
        ("a" * 5001, "TOO_LONG"),
        ("a\x00b", "FORBIDDEN_CHARACTER"),
    ):
        note = await console(NOTE, {"input": {"requestId": gid(request), "body": body}})
        assert codes(note["addContactNote"]) == {"body": code}
        reply = await console(
            REPLY, {"input": {"requestId": gid(request), "body": body, "status": "ANSWERED"}}
        )
        assert codes(reply["replyToRequest"]) == {"body": code}
    wrong_status = await console(
        REPLY, {"input": {"requestId": gid(request), "body": "ok", "status": "NEW"}}
    )
    assert codes(wrong_status["replyToRequest"]) == {"status": "INVALID"}
    for crafted in (
        to_global_id("Customer", customer.id),
        "%%%",
        to_global_id("ContactRequest", 2**31),
    ):
        note = await console(NOTE, {"input": {"requestId": crafted, "body": "x"}})
        assert codes(note["addContactNote"]) == {"requestId": "NOT_FOUND"}
    assert await ContactReply.all().count() == 0
    assert await AuditEvent.filter(kind=AuditKind.STAFF_WRITE).count() == 0


async def test_status_transitions_and_unanswered_complaints(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer)
    complaint = await make_complaint(customer)
    await login_staff(client, await make_staff())

    async def set_status(target: ContactRequest | int, status: str) -> dict[str, Any]:
        pk = target if isinstance(target, int) else target.id
        data = await console(
            STATUS, {"input": {"requestId": to_global_id("ContactRequest", pk), "status": status}}
        )
        return dict(data["setRequestStatus"])

    for status in ("IN_PROGRESS", "WAITING", "ANSWERED", "CLOSED", "IN_PROGRESS"):
        assert (await set_status(request, status))["request"]["status"] == status
    assert codes(await set_status(request, "NEW")) == {"status": "INVALID"}
    refused = await set_status(complaint.request_id, "CLOSED")
    assert codes(refused) == {"status": "COMPLAINT_NOT_ANSWERED"}
    assert "odpowiedzi" in refused["errors"][0]["message"]
    reply = await console(
        REPLY,
        {
            "input": {
                "requestId": to_global_id("ContactRequest", complaint.request_id),
                "body": "Odpowiemy wkrótce",
                "status": "ANSWERED",
            }
        },
    )
    assert codes(reply["replyToRequest"]) == {"status": "COMPLAINT_NOT_ANSWERED"}
    waiting = await set_status(complaint.request_id, "WAITING")
    assert waiting["request"]["status"] == "WAITING"
    statuses = [
        e.details["status"]
        for e in await AuditEvent.filter(kind=AuditKind.STAFF_WRITE).order_by("id")
    ]
    assert statuses == ["in_progress", "waiting", "answered", "closed", "in_progress", "waiting"]


async def test_an_answered_complaint_is_not_set_back_in_progress(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    complaint = await make_complaint(customer)
    member = await make_staff()
    await login_staff(client, member)
    request_id = to_global_id("ContactRequest", complaint.request_id)
    answered = await console(
        ANSWER, {"input": {"requestId": request_id, "decision": "REJECTED", "reason": "Nie"}}
    )
    assert answered["answerComplaint"]["errors"] == []

    async def set_status(status: str) -> dict[str, Any]:
        data = await console(STATUS, {"input": {"requestId": request_id, "status": status}})
        return dict(data["setRequestStatus"])

    refused = await set_status("IN_PROGRESS")
    assert codes(refused) == {"status": "COMPLAINT_STATUS_LOCKED"}
    assert "czeka na klienta" in refused["errors"][0]["message"]
    assert (await ContactRequest.get(id=complaint.request_id)).status is ContactStatus.ANSWERED
    assert codes(await set_status("NEW")) == {"status": "INVALID"}
    for status in ("WAITING", "CLOSED", "ANSWERED"):
        assert (await set_status(status))["request"]["status"] == status
    # the customer's own reply still reopens it; setting the same status again is no change
    await contact.customer_reply(
        settings,
        customer.id,
        request_id=complaint.request_id,
        body="Nie zgadzam się",
        meta=make_meta(),
    )
    assert (await ContactRequest.get(id=complaint.request_id)).status is ContactStatus.IN_PROGRESS
    assert (await set_status("IN_PROGRESS"))["errors"] == []
    assert (await set_status("WAITING"))["request"]["status"] == "WAITING"


async def test_assignment_rules(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer)
    agent = await make_staff(name="Anna Agentka")
    colleague = await make_staff(name="Bartek Kolega")
    boss = await make_staff(role=StaffRole.SUPERVISOR, name="Zofia Szefowa")
    await login_staff(client, agent)

    async def assign(assignee: StaffMember | None) -> dict[str, Any]:
        data = await console(
            ASSIGN,
            {
                "input": {
                    "requestId": gid(request),
                    "assigneeId": sid(assignee) if assignee else None,
                }
            },
        )
        return dict(data["assignRequest"])

    taken = await assign(agent)
    assert taken["request"] == {"status": "IN_PROGRESS", "assignee": {"name": "Anna Agentka"}}
    assert (await assign(agent))["errors"] == []  # again: nothing changes
    assert codes(await assign(colleague)) == {"assigneeId": "ROLE_REQUIRED"}
    await login_staff(client, colleague)
    busy = await assign(colleague)
    assert codes(busy) == {"assigneeId": "ALREADY_ASSIGNED"}
    assert "Anna Agentka" in busy["errors"][0]["message"]
    assert codes(await assign(None)) == {"assigneeId": "ROLE_REQUIRED"}  # not theirs to give back
    await login_staff(client, boss)
    moved = await assign(colleague)
    assert moved["request"]["assignee"] == {"name": "Bartek Kolega"}
    await StaffMember.filter(id=agent.id).update(disabled_at=now())
    assert codes(await assign(agent)) == {"assigneeId": "NOT_FOUND"}
    await login_staff(client, colleague)
    assert (await assign(None))["request"]["assignee"] is None
    assignees = [
        e.details["assignee"]
        for e in await AuditEvent.filter(kind=AuditKind.STAFF_WRITE).order_by("id")
    ]
    assert assignees == [agent.id, colleague.id, None]


async def test_two_agents_taking_a_request_at_once_one_wins(db: Any, settings: Any) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer)
    first, second = await make_staff(), await make_staff()
    outcomes = await asyncio.gather(
        contact.assign(first, request.id, assignee_id=first.id, meta=make_meta()),
        contact.assign(second, request.id, assignee_id=second.id, meta=make_meta()),
        return_exceptions=True,
    )
    won = [o for o in outcomes if isinstance(o, ContactRequest)]
    lost = [o for o in outcomes if not isinstance(o, ContactRequest)]
    assert len(won) == 1 and len(lost) == 1
    assert getattr(lost[0], "code", None) is ErrorCode.ALREADY_ASSIGNED
    holder = (await ContactRequest.get(id=request.id)).assignee_id
    assert holder == won[0].assignee_id
    assert await AuditEvent.filter(kind=AuditKind.STAFF_WRITE).count() == 1


async def test_two_replies_at_once_are_both_stored(db: Any, settings: Any) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer)
    first, second = await make_staff(), await make_staff(role=StaffRole.SUPERVISOR)
    await asyncio.gather(
        contact.staff_reply(
            settings, first, request.id, body="A", status=ContactStatus.ANSWERED, meta=make_meta()
        ),
        contact.staff_reply(
            settings, second, request.id, body="B", status=ContactStatus.WAITING, meta=make_meta()
        ),
    )
    bodies = await ContactReply.filter(request_id=request.id).values_list("body", flat=True)
    assert sorted(bodies) == ["A", "B"]


async def test_the_detail_shows_the_conversation_and_notes(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    complaint = await make_complaint(customer)
    request = await ContactRequest.get(id=complaint.request_id)
    member = await make_staff(name="Anna Agentka")
    await make_note(request, member, "Sprawdzić fakturę")
    await contact.staff_reply(
        settings,
        member,
        request.id,
        body="Prosimy o zdjęcie",
        status=ContactStatus.WAITING,
        meta=make_meta(),
    )
    await contact.customer_reply(
        settings, customer.id, request_id=request.id, body="W załączniku", meta=make_meta()
    )
    await login_staff(client, member)
    detail = (await console(DETAIL, {"id": gid(request)}))["contactRequest"]
    assert detail["replies"] == [
        {"author": "OPERATOR", "body": "Prosimy o zdjęcie", "staff": {"name": "Anna Agentka"}},
        {"author": "CUSTOMER", "body": "W załączniku", "staff": None},
    ]
    assert detail["notes"] == [{"body": "Sprawdzić fakturę", "staff": {"name": "Anna Agentka"}}]
    assert detail["request"]["status"] == "IN_PROGRESS"
    assert detail["request"]["complaint"] == {"state": "PENDING", "daysLeft": 30}


async def test_the_service_refuses_what_an_agent_may_not_do(db: Any, settings: Any) -> None:
    agent = await make_staff()
    error = await domain_error(contact.workload(agent))
    assert error.code is ErrorCode.ROLE_REQUIRED and error.params["role"] == "supervisor"
    flt = contact.QueueFilter(overdue=True)
    refused = await domain_error(contact.queue_page(agent, flt, meta=make_meta()))
    assert refused.code is ErrorCode.ROLE_REQUIRED
    assert contact.QUEUE.order_by() == ["kind", "created_at", "id"]
    assert ContactKind.COMPLAINT.value < ContactKind.CONTACT.value  # complaints sort first


ANSWER = """
mutation($input: AnswerComplaintInput!) {
  answerComplaint(input: $input) {
    request { status complaint { state decision amountGranted { minorUnits } } }
    errors { field code message }
  }
}"""


async def test_answering_a_complaint_goes_through_the_complaint_rules(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    complaint = await make_complaint(customer)
    member = await make_staff(name="Anna Agentka")
    await login_staff(client, member)
    request_id = to_global_id("ContactRequest", complaint.request_id)
    over = await console(
        ANSWER,
        {
            "input": {
                "requestId": request_id,
                "decision": "PARTLY_ACCEPTED",
                "reason": "Częściowo",
                "amountGranted": "60.00",
            }
        },
    )
    assert codes(over["answerComplaint"]) == {"amountGranted": "AMOUNT_OVER_CLAIM"}
    bad_amount = await console(
        ANSWER,
        {"input": {"requestId": request_id, "decision": "ACCEPTED", "amountGranted": "x"}},
    )
    assert codes(bad_amount["answerComplaint"]) == {"amountGranted": "INVALID"}
    not_a_complaint = await console(
        ANSWER,
        {
            "input": {
                "requestId": gid(await make_contact_request(customer)),
                "decision": "ACCEPTED",
            }
        },
    )
    assert codes(not_a_complaint["answerComplaint"]) == {"requestId": "NOT_FOUND"}
    done = await console(ANSWER, {"input": {"requestId": request_id, "decision": "ACCEPTED"}})
    assert done["answerComplaint"]["errors"] == []
    assert done["answerComplaint"]["request"] == {
        "status": "ANSWERED",
        "complaint": {
            "state": "ACCEPTED",
            "decision": "ACCEPTED",
            "amountGranted": {"minorUnits": 5000},
        },
    }
    again = await console(
        ANSWER, {"input": {"requestId": request_id, "decision": "REJECTED", "reason": "Nie"}}
    )
    assert codes(again["answerComplaint"]) == {"decision": "COMPLAINT_ANSWERED"}
    closed = await console(STATUS, {"input": {"requestId": request_id, "status": "CLOSED"}})
    assert closed["setRequestStatus"]["request"]["status"] == "CLOSED"
    answered = await AuditEvent.get(kind=AuditKind.COMPLAINT_ANSWERED)
    assert answered.customer_id == customer.id
    assert (answered.details["staff"], answered.details["staff_name"]) == (
        member.id,
        "Anna Agentka",
    )


async def test_mutations_need_a_verified_staff_session(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer)
    note = {"input": {"requestId": gid(request), "body": "x"}}
    assert error_code(await console(NOTE, note, expect_errors=True)) == "NOT_AUTHENTICATED"
    await login_staff(client, await make_staff(), verified=False)
    assert error_code(await console(NOTE, note, expect_errors=True)) == "SECOND_FACTOR_REQUIRED"
    detail = await console(DETAIL, {"id": gid(request)}, expect_errors=True)
    assert error_code(detail) == "SECOND_FACTOR_REQUIRED"
    assert (
        await AuditEvent.filter(kind__in=[AuditKind.STAFF_VIEWED, AuditKind.STAFF_WRITE]).count()
        == 0
    )


async def test_a_replayed_reply_is_stored_and_mailed_once(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any, mailbox
) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer)
    await login_staff(client, await make_staff(name="Anna Agentka"))
    sent = {"requestId": gid(request), "body": "Odpowiedź", "status": "ANSWERED"}
    keyed = {**sent, "idempotencyKey": "0123456789abcdef"}
    first = await console(REPLY, {"input": keyed})
    again = await console(REPLY, {"input": keyed})
    assert first["replyToRequest"]["reply"] == again["replyToRequest"]["reply"]
    assert again["replyToRequest"]["reply"]["staff"] == {"name": "Anna Agentka"}
    other_text = await console(REPLY, {"input": {**keyed, "body": "Inna"}})
    assert codes(other_text["replyToRequest"]) == {"idempotencyKey": "REFERENCE_REUSED"}
    for bad in ("short", "x" * 57, "zły klucz 123"):
        malformed = await console(REPLY, {"input": {**sent, "idempotencyKey": bad}})
        assert codes(malformed["replyToRequest"]) == {"idempotencyKey": "INVALID"}
    assert await ContactReply.filter(request_id=request.id).count() == 1
    await mailbox.receive(customer.email)
    assert len(mailbox.messages(customer.email)) == 1
    assert await AuditEvent.filter(kind=AuditKind.STAFF_WRITE).count() == 1
    # Without a key every reply is a new one.
    await console(REPLY, {"input": sent})
    assert await ContactReply.filter(request_id=request.id).count() == 2


async def test_the_same_reply_sent_twice_at_once_is_stored_once(db: Any, settings: Any) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer)
    member = await make_staff()

    def send() -> Any:
        return contact.staff_reply(
            settings,
            member,
            request.id,
            body="Raz",
            status=ContactStatus.ANSWERED,
            meta=make_meta(),
            idempotency_key="double-click-1",
        )

    first, second = await asyncio.gather(send(), send())
    assert first.id == second.id
    assert await ContactReply.filter(request_id=request.id).count() == 1


CONCERNS = """
query($id: ID!) {
  contactRequest(id: $id) {
    request {
      complaint {
        invoice { id number } serviceIdentifier deviceSerial periodFrom periodTo
        amountClaimed { minorUnits } refundMethod bankAccount acknowledgedAt
      }
    }
  }
}"""


async def test_the_detail_says_what_a_complaint_concerns_and_where_the_money_goes(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    """The invoice (number, global ID), the service's identifier, the device's serial, the
    period, the claim and, for a bank refund, the IBAN in groups of four for the transfer."""
    customer = await make_customer(settings)
    invoice = await make_invoice(customer)
    service = await make_service(customer)
    device = await make_device(service)
    to_bank = await make_complaint(
        customer,
        subject=ComplaintSubject.INVOICE,
        invoice=invoice,
        service=service,
        device=device,
        period_from=date(2026, 10, 1),
        period_to=date(2026, 10, 31),
        amount_claimed=1250,
        refund_method=RefundMethod.BANK_ACCOUNT,
        bank_account="PL61109010140000071219812874",
        acknowledged_at=None,
    )
    plain = await make_complaint(customer, amount_claimed=None)
    await login_staff(client, await make_staff())
    found = await console(CONCERNS, {"id": gid(await ContactRequest.get(id=to_bank.request_id))})
    assert found["contactRequest"]["request"]["complaint"] == {
        "invoice": {"id": to_global_id("Invoice", invoice.id), "number": invoice.number},
        "serviceIdentifier": service.identifier,
        "deviceSerial": device.serial_number,
        "periodFrom": "2026-10-01",
        "periodTo": "2026-10-31",
        "amountClaimed": {"minorUnits": 1250},
        "refundMethod": "BANK_ACCOUNT",
        "bankAccount": "PL61 1090 1014 0000 0712 1981 2874",
        "acknowledgedAt": None,
    }
    bare = await console(CONCERNS, {"id": gid(await ContactRequest.get(id=plain.request_id))})
    complaint = bare["contactRequest"]["request"]["complaint"]
    assert complaint["invoice"] is None and complaint["serviceIdentifier"] is None
    assert complaint["deviceSerial"] is None and complaint["bankAccount"] is None
    assert complaint["amountClaimed"] is None and complaint["acknowledgedAt"] is not None


UNASSIGNED = "{ unassignedWorkload { waiting open overdue } }"


async def test_what_nobody_holds_is_counted_for_supervisors(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    """An overdue complaint nobody took shows in the unassigned counts, not in anyone's row;
    closed requests and what a member holds are left out; agents are refused."""
    customer = await make_customer(settings)
    agent = await make_staff(name="Anna Agentka")
    boss = await make_staff(role=StaffRole.SUPERVISOR, name="Zofia Szefowa")
    await complaint_of(customer, "nikt jej nie wziął")
    await complaint_of(customer, "Anny", assignee=agent)
    clock.advance(days=31)
    await make_contact_request(customer, subject="nowe")
    await make_contact_request(customer, subject="czeka", status="waiting")
    await make_contact_request(customer, subject="zamknięte", status="closed")
    await login_staff(client, agent)
    assert error_code(await console(UNASSIGNED, expect_errors=True)) == "ROLE_REQUIRED"
    await login_staff(client, boss)
    assert (await console(UNASSIGNED))["unassignedWorkload"] == {
        "waiting": 3,
        "open": 2,
        "overdue": 1,
    }
    rows = {r["member"]["name"]: r["overdue"] for r in (await console(WORKLOAD))["workload"]}
    assert rows == {"Anna Agentka": 1, "Zofia Szefowa": 0}


async def test_an_agent_writes_only_on_unassigned_requests_or_their_own(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    holder = await make_staff(name="Ewa Trzymająca")
    taken = await make_contact_request(customer, assignee=holder)
    complaint = await complaint_of(customer, "Zwrot", assignee=holder)
    agent = await make_staff()
    await login_staff(client, agent)
    refused = [
        (
            await console(
                REPLY, {"input": {"requestId": gid(taken), "body": "Hej", "status": "ANSWERED"}}
            )
        )["replyToRequest"],
        (await console(STATUS, {"input": {"requestId": gid(taken), "status": "CLOSED"}}))[
            "setRequestStatus"
        ],
        (
            await console(
                ANSWER,
                {
                    "input": {
                        "requestId": to_global_id("ContactRequest", complaint.request_id),
                        "decision": "REJECTED",
                        "reason": "Nie",
                    }
                },
            )
        )["answerComplaint"],
    ]
    for payload in refused:
        assert [e["code"] for e in payload["errors"]] == ["ASSIGNED_TO_OTHER"]
        assert "Ewa Trzymająca" in payload["errors"][0]["message"]
    assert await ContactReply.filter(request_id=taken.id).count() == 0
    assert (await Complaint.get(id=complaint.id)).decision is None
    assert (await ContactRequest.get(id=taken.id)).status is ContactStatus.NEW
    # Notes are collaboration: any agent may write one.
    note = await console(NOTE, {"input": {"requestId": gid(taken), "body": "Uwaga"}})
    assert note["addContactNote"]["errors"] == []
    # An unassigned request: replying takes it.
    free = await make_contact_request(customer)
    reply = await console(
        REPLY, {"input": {"requestId": gid(free), "body": "Dzień dobry", "status": "WAITING"}}
    )
    assert reply["replyToRequest"]["errors"] == []
    assert (await ContactRequest.get(id=free.id)).assignee_id == agent.id
    # A supervisor writes on anyone's request.
    await login_staff(client, await make_staff(role=StaffRole.SUPERVISOR))
    status = await console(STATUS, {"input": {"requestId": gid(taken), "status": "WAITING"}})
    assert status["setRequestStatus"]["errors"] == []
    assert (await ContactRequest.get(id=taken.id)).assignee_id == holder.id


async def test_two_agents_replying_to_a_free_request_at_once_one_takes_it(
    db: Any, settings: Any
) -> None:
    customer = await make_customer(settings)
    request = await make_contact_request(customer)
    first, second = await make_staff(), await make_staff()
    results = await asyncio.gather(
        *(
            contact.staff_reply(
                settings,
                m,
                request.id,
                body=m.name,
                status=ContactStatus.WAITING,
                meta=make_meta(),
            )
            for m in (first, second)
        ),
        return_exceptions=True,
    )
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(lost) == 1 and lost[0].code is ErrorCode.ASSIGNED_TO_OTHER
    row = await ContactRequest.get(id=request.id)
    replies = await ContactReply.filter(request_id=request.id)
    assert [r.staff_id for r in replies] == [row.assignee_id]


async def test_the_due_filter_and_the_answer_refuse_bad_input(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    complaint = await make_complaint(customer)
    await login_staff(client, await make_staff())
    for days in (-1, 31):
        refused = await console(QUEUE, {"due": days}, expect_errors=True)
        assert error_code(refused) == "INVALID"
    request_id = to_global_id("ContactRequest", complaint.request_id)
    for reason, code in (
        ("  \n", "REQUIRED"),
        ("a" * 5001, "TOO_LONG"),
        ("a\x00b", "FORBIDDEN_CHARACTER"),
        ("a\u202eb", "FORBIDDEN_CHARACTER"),
    ):
        answer = await console(
            ANSWER, {"input": {"requestId": request_id, "decision": "REJECTED", "reason": reason}}
        )
        assert codes(answer["answerComplaint"]) == {"reason": code}
    for amount in ("-5", "1e3", "12.345", "9" * 40, "1\x00"):
        answer = await console(
            ANSWER,
            {
                "input": {
                    "requestId": request_id,
                    "decision": "PARTLY_ACCEPTED",
                    "reason": "Częściowo",
                    "amountGranted": amount,
                }
            },
        )
        assert codes(answer["answerComplaint"]) == {"amountGranted": "INVALID"}, amount
    assert (await Complaint.get(id=complaint.id)).decision is None
    assert await ContactReply.all().count() == 0
