"""Messages: urgent first then newest, broadcasts with per-customer read state, unread count,
contact requests with replies, and the activity history."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import now
from backend.models.enums import AuditKind, ContactStatus, ContactTopic, ReplyAuthor
from tests.factories import (
    login_as,
    make_audit_event,
    make_contact_request,
    make_customer,
    make_message,
    make_message_read,
    make_reply,
)

MESSAGES = """query($unread: Boolean! = false, $first: Int, $after: String) { viewer {
  unreadMessageCount
  messages(unreadOnly: $unread, first: $first, after: $after) { totalCount
    pageInfo { hasNextPage endCursor }
    nodes { subject urgent broadcast read readAt category publishedAt body } } } }"""


async def test_order_read_state_and_counts(gql, client, settings) -> None:
    me = await make_customer(settings)
    other = await make_customer(settings)
    old_urgent = await make_message(me, subject="old urgent", urgent=True,
                                    published_at=now() - timedelta(days=5))  # fmt: skip
    new_plain = await make_message(me, subject="new plain", published_at=now() - timedelta(hours=1))
    broadcast = await make_message(None, subject="for all", published_at=now() - timedelta(days=1))
    await make_message(None, subject="scheduled", published_at=now() + timedelta(days=1))
    await make_message(other, subject="not mine", urgent=True)
    # The other customer read the broadcast: that does not make it read for me.
    await make_message_read(broadcast, other)
    await make_message_read(new_plain, me)
    await login_as(client, settings, me)

    viewer = (await gql(MESSAGES))["viewer"]
    nodes = viewer["messages"]["nodes"]
    assert [n["subject"] for n in nodes] == ["old urgent", "new plain", "for all"]
    assert viewer["messages"]["totalCount"] == 3
    assert viewer["unreadMessageCount"] == 2
    by_subject = {n["subject"]: n for n in nodes}
    assert by_subject["for all"]["broadcast"] is True
    assert by_subject["for all"]["read"] is False
    assert by_subject["new plain"]["read"] is True
    assert by_subject["new plain"]["readAt"].endswith("+00:00")
    assert by_subject["old urgent"]["broadcast"] is False
    unread = (await gql(MESSAGES, {"unread": True}))["viewer"]["messages"]["nodes"]
    assert [n["subject"] for n in unread] == ["old urgent", "for all"]
    assert old_urgent.id


async def test_paging_keeps_urgent_first(gql, client, settings) -> None:
    me = await make_customer(settings)
    for i in range(3):
        await make_message(me, subject=f"plain {i}", published_at=now() - timedelta(hours=i))
        await make_message(me, subject=f"urgent {i}", urgent=True,
                           published_at=now() - timedelta(days=i + 1))  # fmt: skip
    await login_as(client, settings, me)
    subjects: list[str] = []
    after = None
    while True:
        page = (await gql(MESSAGES, {"first": 4, "after": after}))["viewer"]["messages"]
        subjects += [n["subject"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert subjects == [
        "urgent 0", "urgent 1", "urgent 2", "plain 0", "plain 1", "plain 2",
    ]  # fmt: skip


REQUESTS = """{ viewer { contactRequests { topic subject body status createdAt updatedAt
  replies { author body createdAt } } } }"""


async def test_contact_requests_with_replies(gql, client, settings) -> None:
    me = await make_customer(settings)
    other = await make_customer(settings)
    first = await make_contact_request(
        me, topic=ContactTopic.TECHNICAL, subject="Brak sygnału", body="Od rana",
        status=ContactStatus.ANSWERED, created_at=now() - timedelta(days=2),
    )  # fmt: skip
    await make_reply(first, "Sprawdzamy", created_at=now() - timedelta(days=1))
    await make_reply(first, "Dziękuję", author=ReplyAuthor.CUSTOMER)
    await make_contact_request(me, subject="Faktura", body="?")
    await make_contact_request(other, topic=ContactTopic.OTHER, subject="Obcy", body="!")
    await login_as(client, settings, me)
    requests = (await gql(REQUESTS))["viewer"]["contactRequests"]
    assert [r["subject"] for r in requests] == ["Faktura", "Brak sygnału"]
    assert requests[0]["status"] == "NEW" and requests[0]["replies"] == []
    assert requests[1]["topic"] == "TECHNICAL" and requests[1]["status"] == "ANSWERED"
    assert [(r["author"], r["body"]) for r in requests[1]["replies"]] == [
        ("OPERATOR", "Sprawdzamy"),
        ("CUSTOMER", "Dziękuję"),
    ]


ACTIVITY = """query($first: Int, $after: String) { viewer { activity(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { kind ip userAgent createdAt summary } } } }"""


async def test_activity_history(gql, client, settings) -> None:
    me = await make_customer(settings)
    other = await make_customer(settings)
    for minutes, kind in (
        (30, AuditKind.LOGIN),
        (20, AuditKind.PACKAGE_ADDED),
        (10, AuditKind.LOGOUT),
    ):
        await make_audit_event(
            me, kind, ip="203.0.113.9", user_agent="Firefox",
            details={"package": "Sport", "secret": "x"} if kind is AuditKind.PACKAGE_ADDED else {},
            created_at=now() - timedelta(minutes=minutes),
        )  # fmt: skip
    await make_audit_event(other, AuditKind.LOGIN)
    await make_audit_event(None, AuditKind.LOGIN_FAILED)
    await login_as(client, settings, me)
    page = (await gql(ACTIVITY, {"first": 2}))["viewer"]["activity"]
    assert page["totalCount"] == 3
    assert [n["kind"] for n in page["nodes"]] == ["LOGOUT", "PACKAGE_ADDED"]
    # In words of the reader's language (Polish by default); unknown details are not shown.
    assert page["nodes"][1]["summary"] == "pakiet: Sport"
    assert page["nodes"][1]["ip"] == "203.0.113.9"
    rest = (await gql(ACTIVITY, {"first": 2, "after": page["pageInfo"]["endCursor"]}))["viewer"][
        "activity"
    ]
    assert [n["kind"] for n in rest["nodes"]] == ["LOGIN"]
    assert rest["pageInfo"]["hasNextPage"] is False
