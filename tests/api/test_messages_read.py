"""markMessageRead: personal and broadcast messages, idempotent, never another customer's."""

from __future__ import annotations

from backend.models import MessageRead
from backend.models.enums import MessageCategory
from backend.schema.relay import to_global_id
from tests.factories import login_as, make_customer, make_message

MARK = """
mutation($input: MarkMessageReadInput!) {
  markMessageRead(input: $input) { message { id read readAt } errors { field code message } }
}"""


async def test_mark_read(gql, client, settings) -> None:
    customer = await make_customer(settings)
    stranger = await make_customer(settings)
    await login_as(client, settings, customer)
    own = await make_message(customer, category=MessageCategory.BILLING)
    broadcast = await make_message(None)
    theirs = await make_message(stranger, category=MessageCategory.BILLING)
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
