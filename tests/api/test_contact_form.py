"""sendContactRequest: limits, the rate limit, and the confirmation in the inbox and by e-mail."""

from __future__ import annotations

import pytest

from backend.models import ContactRequest
from tests.factories import login_as, make_customer

SEND = """
mutation($input: SendContactRequestInput!) {
  sendContactRequest(input: $input) {
    contactRequest { id topic subject body status }
    errors { field code message }
  }
}"""
INBOX = "{ viewer { messages(first: 5) { edges { node { subject } } } } }"


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


async def test_limits_and_confirmation(gql, client, settings, mailbox) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    empty = await gql(SEND, {"input": {"topic": "BILLING", "subject": "   ", "body": "\n"}})
    assert {(e["field"], e["code"]) for e in empty["sendContactRequest"]["errors"]} == {
        ("subject", "REQUIRED"),
        ("body", "REQUIRED"),
    }
    long = await gql(
        SEND, {"input": {"topic": "BILLING", "subject": "a" * 151, "body": "b" * 5001}}
    )
    messages = {e["field"]: e["message"] for e in long["sendContactRequest"]["errors"]}
    assert messages == {
        "subject": "Tekst jest za długi (maksymalnie 150 znaków).",
        "body": "Tekst jest za długi (maksymalnie 5000 znaków).",
    }
    sent = await gql(
        SEND,
        {"input": {"topic": "TECHNICAL", "subject": "Brak sygnału", "body": "Od rana nie działa."}},
    )
    request = sent["sendContactRequest"]["contactRequest"]
    assert request["status"] == "NEW" and request["topic"] == "TECHNICAL"
    mail = await mailbox.receive(customer.email)
    assert "Brak sygnału" in mailbox.text(mail)
    inbox = (await gql(INBOX))["viewer"]["messages"]["edges"]
    assert any("Otrzymaliśmy Twoje zgłoszenie" in e["node"]["subject"] for e in inbox)
    for _ in range(4):
        ok = await gql(SEND, {"input": {"topic": "OTHER", "subject": "x", "body": "y"}})
        assert ok["sendContactRequest"]["errors"] == []
    limited = await gql(SEND, {"input": {"topic": "OTHER", "subject": "x", "body": "y"}})
    assert limited["sendContactRequest"]["errors"][0]["code"] == "RATE_LIMITED"
    assert await ContactRequest.filter(customer_id=customer.id).count() == 5
