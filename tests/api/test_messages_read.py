"""markMessageRead: personal and broadcast messages, idempotent, never another customer's."""

from __future__ import annotations

from backend.clock import now
from backend.models import Message, MessageRead
from backend.models.enums import MessageCategory
from backend.schema.relay import to_global_id
from tests.factories import login_as, make_customer

MARK = """
mutation($input: MarkMessageReadInput!) {
  markMessageRead(input: $input) { message { id read readAt } errors { field code message } }
}"""


async def test_mark_read(gql, client, settings) -> None:
    customer = await make_customer(settings)
    stranger = await make_customer(settings)
    await login_as(client, settings, customer)
    own = await Message.create(
        customer=customer,
        category=MessageCategory.BILLING,
        subject="s",
        body="b",
        published_at=now(),
    )
    broadcast = await Message.create(
        category=MessageCategory.ANNOUNCEMENT, subject="s", body="b", published_at=now()
    )
    theirs = await Message.create(
        customer=stranger,
        category=MessageCategory.BILLING,
        subject="s",
        body="b",
        published_at=now(),
    )
    for message in (own, broadcast):
        variables = {"input": {"messageId": to_global_id("Message", message.id)}}
        first = (await gql(MARK, variables))["markMessageRead"]
        second = (await gql(MARK, variables))["markMessageRead"]
        assert first["message"]["read"] is True
        assert second["message"]["readAt"] == first["message"]["readAt"]
    foreign = await gql(MARK, {"input": {"messageId": to_global_id("Message", theirs.id)}})
    assert foreign["markMessageRead"] == {
        "message": None,
        "errors": [{"field": "messageId", "code": "NOT_FOUND", "message": "Nie znaleziono."}],
    }
    assert await MessageRead.filter(customer_id=customer.id).count() == 2
    assert await MessageRead.filter(message=theirs).count() == 0
