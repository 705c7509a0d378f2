"""The events the customer's own actions write for the operator (issue 13, the outbox), through
the real app: each action writes exactly one event of its type with its documented payload, in
the change's transaction; a refused change writes none, and a failure inside the transaction
takes the event (or the change) with it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from backend.clock import clock, today
from backend.config import Settings
from backend.models import (
    Account,
    AuditEvent,
    ContactRequest,
    Customer,
    Event,
    Invoice,
    OutboxMessage,
    Payment,
)
from backend.models.enums import AuditKind, InvoiceStatus, PaymentMethod
from backend.payments import SandboxProvider
from backend.schema.relay import decode_id, to_global_id
from backend.services import emails
from backend.services.outbox import EventType
from tests.api.account_helpers import codes, register, registration
from tests.factories import (
    STRONG_PASSWORD,
    login_as,
    make_customer,
    make_invoice,
    make_person,
    make_user,
)
from tests.faults import failing_inserts

CONTACT_DATA = """
mutation($input: UpdateContactDataInput!) {
  updateContactData(input: $input) { pendingEmail errors { field code } }
}"""
CONFIRM_CONTACT_EMAIL = """
mutation($token: String!) {
  confirmContactEmail(input: {token: $token}) { ok errors { field code } }
}"""
REQUEST_LOGIN = """
mutation($input: RequestLoginEmailChangeInput!) {
  requestLoginEmailChange(input: $input) { pendingEmail errors { field code } }
}"""
CONFIRM_LOGIN = """
mutation($token: String!) {
  confirmLoginEmail(input: {token: $token}) { email errors { field code } }
}"""
SEND = """
mutation($input: SendContactRequestInput!) {
  sendContactRequest(input: $input) { contactRequest { id } errors { field code } }
}"""
REPLY = """
mutation($input: ReplyToContactRequestInput!) {
  replyToContactRequest(input: $input) { contactRequest { status } errors { field code } }
}"""
TOP_UP = """
mutation($input: TopUpWalletInput!) {
  topUpWallet(input: $input) { payment { id } errors { field code } }
}"""
PAY = """
mutation($input: PayInvoicesInput!) {
  payInvoices(input: $input) { payment { id } errors { field code } }
}"""
WEBHOOK = "/payments/webhook/sandbox"


async def _events(type: EventType) -> list[Event]:
    return list(await Event.filter(type=type.value).order_by("id"))


async def _only(type: EventType, customer: Customer) -> dict[str, Any]:
    """The payload of the one event of ``type``, after checking its envelope."""
    events = await _events(type)
    assert len(events) == 1, [e.payload for e in events]
    event = events[0]
    assert event.uid.startswith("evt_") and len(event.uid) == 36
    assert event.version == 1
    assert event.customer_id == customer.id
    assert event.created_at == clock.now()
    assert isinstance(event.payload, dict)
    return event.payload


async def _link_token(to: str) -> str:
    await emails.drain()
    mail = await OutboxMessage.filter(to=to).order_by("-id").first()
    assert mail is not None, f"no mail to {to}"
    return mail.text.split("token=", 1)[1].split()[0]


async def test_registration_writes_one_event(gql, settings) -> None:
    person = await make_person(settings)
    mismatched = await register(gql, registration(person, emailConfirmation="inny@example.com"))
    assert codes(mismatched) == {"emailConfirmation": "EMAILS_DO_NOT_MATCH"}
    wrong_pesel = await register(gql, registration(person, pesel="44051401359"))
    assert wrong_pesel["errors"]
    assert await Event.all().count() == 0

    assert (await register(gql, registration(person)))["ok"] is True
    assert await _only(EventType.ACCOUNT_REGISTERED, person.customer) == {
        "customerNumber": person.customer.number,
        "loginEmail": person.email,
        "termsVersion": settings.terms_version,
    }
    # the same registration again answers the same and writes nothing new
    assert (await register(gql, registration(person)))["ok"] is True
    assert await Event.all().count() == 1


async def test_contact_data_change_writes_one_event(gql, client, settings) -> None:
    customer = await make_customer(settings, email="stary@example.com", phone=None)
    await login_as(client, settings, customer)
    bad = await gql(CONTACT_DATA, {"input": {"phone": "+48 12", "city": "Kraków"}})
    assert codes(bad["updateContactData"]) == {"phone": "INVALID_PHONE"}
    assert await Event.all().count() == 0

    changed = await gql(
        CONTACT_DATA,
        {"input": {"phone": "601 234 567", "city": " Kraków ", "language": "EN"}},
    )
    assert changed["updateContactData"]["errors"] == []
    payload = await _only(EventType.CONTACT_DATA_CHANGED, customer)
    assert payload == {
        "customerNumber": customer.number,
        "changed": ["city", "language", "phone"],
        "contactData": {
            "email": "stary@example.com",
            "phone": "601234567",
            "street": customer.street,
            "postalCode": customer.postal_code,
            "city": "Kraków",
            "consentEmail": customer.consent_email,
            "consentSms": customer.consent_sms,
            "consentPhone": customer.consent_phone,
            "language": "en",
        },
    }
    # the same data again changes nothing and tells nothing
    await gql(CONTACT_DATA, {"input": {"phone": "601234567", "city": "Kraków"}})
    assert await Event.all().count() == 1


async def test_confirmed_contact_email_writes_one_event(gql, client, settings) -> None:
    person = await make_user(settings)
    customer = person.customer
    await login_as(client, settings, customer)
    asked = await gql(CONTACT_DATA, {"input": {"email": "Nowy.Kontakt@Example.com"}})
    assert asked["updateContactData"]["pendingEmail"] == "nowy.kontakt@example.com"
    assert await Event.all().count() == 0  # asked for, not yet changed
    token = await _link_token("nowy.kontakt@example.com")
    refused = await gql(CONFIRM_CONTACT_EMAIL, {"token": token[:-2] + "xx"})
    assert codes(refused["confirmContactEmail"]) == {"token": "TOKEN_INVALID"}
    assert await Event.all().count() == 0

    confirmed = await gql(CONFIRM_CONTACT_EMAIL, {"token": token})
    assert confirmed["confirmContactEmail"] == {"ok": True, "errors": []}
    payload = await _only(EventType.CONTACT_DATA_CHANGED, customer)
    assert payload["customerNumber"] == customer.number
    assert payload["changed"] == ["email"]
    assert payload["contactData"]["email"] == "nowy.kontakt@example.com"
    again = await gql(CONFIRM_CONTACT_EMAIL, {"token": token})  # a link works once
    assert codes(again["confirmContactEmail"]) == {"token": "TOKEN_INVALID"}
    assert await Event.all().count() == 1


async def test_login_email_change_writes_one_event(gql, client, settings) -> None:
    person = await make_user(settings)
    await login_as(client, settings, person.customer)
    wrong = await gql(
        REQUEST_LOGIN, {"input": {"email": "login@example.com", "currentPassword": "Zle-Haslo-1"}}
    )
    assert codes(wrong["requestLoginEmailChange"]) == {"currentPassword": "WRONG_PASSWORD"}
    asked = await gql(
        REQUEST_LOGIN, {"input": {"email": "Login@Example.com", "currentPassword": STRONG_PASSWORD}}
    )
    assert asked["requestLoginEmailChange"]["pendingEmail"] == "login@example.com"
    assert await Event.all().count() == 0
    token = await _link_token("login@example.com")

    done = await gql(CONFIRM_LOGIN, {"token": token})
    assert done["confirmLoginEmail"] == {"email": "login@example.com", "errors": []}
    assert await _only(EventType.LOGIN_EMAIL_CHANGED, person.customer) == {
        "customerNumber": person.customer.number,
        "loginEmail": "login@example.com",
        "previousLoginEmail": person.email,
    }
    assert codes((await gql(CONFIRM_LOGIN, {"token": token}))["confirmLoginEmail"]) == {
        "token": "TOKEN_INVALID"
    }
    assert await Event.all().count() == 1


async def test_a_login_taken_meanwhile_writes_no_event(gql, client, settings) -> None:
    person = await make_user(settings)
    other = await make_user(settings)
    await login_as(client, settings, person.customer)
    variables = {"input": {"email": "wolny@example.com", "currentPassword": STRONG_PASSWORD}}
    await gql(REQUEST_LOGIN, variables)
    token = await _link_token("wolny@example.com")
    await Account.filter(customer_id=other.customer.id).update(email="wolny@example.com")
    taken = await gql(CONFIRM_LOGIN, {"token": token})
    assert codes(taken["confirmLoginEmail"]) == {"token": "EMAIL_IN_USE"}
    assert await Event.all().count() == 0


async def _notify(client: httpx.AsyncClient, settings: Settings, gid: str, status: str) -> None:
    """The sandbox provider's signed notification that the payment ``gid`` is ``status``."""
    payment = await Payment.get(id=decode_id(gid, "Payment"))
    sandbox = SandboxProvider(settings)
    body = sandbox.event_body(payment, status, PaymentMethod.BLIK)
    headers = {"X-Sandbox-Signature": sandbox.signature_header(body)}
    response = await client.post(WEBHOOK, content=body, headers=headers)
    assert response.status_code == 200, response.text


async def test_settled_payments_write_one_event_each(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    refused = await gql(
        TOP_UP, {"input": {"amount": "5", "method": "CARD", "idempotencyKey": "top-up-0001"}}
    )
    assert codes(refused["topUpWallet"]) == {"amount": "AMOUNT_OUT_OF_RANGE"}
    failed = await gql(
        TOP_UP, {"input": {"amount": "20", "method": "CARD", "idempotencyKey": "top-up-0002"}}
    )
    await _notify(client, settings, failed["topUpWallet"]["payment"]["id"], "failed")
    assert await Event.all().count() == 0  # a failed payment settles nothing

    top_up = await gql(
        TOP_UP, {"input": {"amount": "25,50", "method": "CARD", "idempotencyKey": "top-up-0003"}}
    )
    gid = top_up["topUpWallet"]["payment"]["id"]
    await _notify(client, settings, gid, "paid")
    await _notify(client, settings, gid, "paid")  # a replay settles nothing again
    payment = await Payment.get(id=decode_id(gid, "Payment"))
    assert await _only(EventType.PAYMENT_SETTLED, customer) == {
        "customerNumber": customer.number,
        "paymentId": payment.id,
        "purpose": "wallet_top_up",
        "invoiceNumbers": [],
        "amount": 2550,
        "currency": "PLN",
        "method": "blik",  # as the provider reports it, not as the customer first chose
        "provider": "sandbox",
        "reference": payment.provider_ref,
        "paidAt": clock.now().isoformat(),
    }

    older = await make_invoice(
        customer, gross=4000, lines=1, issued_on=today() - timedelta(days=40)
    )
    newer = await make_invoice(customer, gross=6150, lines=1)
    ids = [to_global_id("Invoice", newer.id), to_global_id("Invoice", older.id)]
    paid = await gql(
        PAY, {"input": {"invoiceIds": ids, "method": "TRANSFER", "idempotencyKey": "invoices-01"}}
    )
    gid = paid["payInvoices"]["payment"]["id"]
    await _notify(client, settings, gid, "paid")
    events = await _events(EventType.PAYMENT_SETTLED)
    assert len(events) == 2
    second = events[1].payload
    assert second["purpose"] == "invoices"
    assert second["invoiceNumbers"] == [older.number, newer.number]
    assert second["amount"] == 10150 and second["method"] == "blik"
    assert second["paymentId"] == decode_id(gid, "Payment")
    statuses = {i.status for i in await Invoice.filter(customer_id=customer.id)}
    assert statuses == {InvoiceStatus.PAID}


async def test_contact_request_writes_one_event(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    empty = await gql(SEND, {"input": {"topic": "BILLING", "subject": " ", "body": "x"}})
    assert codes(empty["sendContactRequest"]) == {"subject": "REQUIRED"}
    nul = await gql(SEND, {"input": {"topic": "BILLING", "subject": "a\x00b", "body": "x"}})
    assert codes(nul["sendContactRequest"]) == {"subject": "FORBIDDEN_CHARACTER"}
    assert await Event.all().count() == 0

    body = "Od rana nie ma sygnału.\nDekoder miga na czerwono."
    sent = await gql(
        SEND, {"input": {"topic": "TECHNICAL", "subject": " Brak sygnału ", "body": body}}
    )
    request = await ContactRequest.get(customer_id=customer.id)
    assert sent["sendContactRequest"]["contactRequest"]["id"] == to_global_id(
        "ContactRequest", request.id
    )
    assert await _only(EventType.CONTACT_REQUEST_CREATED, customer) == {
        "customerNumber": customer.number,
        "requestId": request.id,
        "topic": "technical",
        "subject": "Brak sygnału",
        "body": body,
    }


async def test_a_reply_to_a_contact_request_writes_one_event(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    sent = await gql(SEND, {"input": {"topic": "OTHER", "subject": "Pytanie", "body": "Treść"}})
    gid = sent["sendContactRequest"]["contactRequest"]["id"]
    empty = await gql(REPLY, {"input": {"requestId": gid, "body": " \n "}})
    assert codes(empty["replyToContactRequest"]) == {"body": "REQUIRED"}
    assert len(await _events(EventType.CONTACT_REPLY_CREATED)) == 0

    replied = await gql(REPLY, {"input": {"requestId": gid, "body": "Jeszcze jedno."}})
    assert replied["replyToContactRequest"]["errors"] == []
    payload = await _only(EventType.CONTACT_REPLY_CREATED, customer)
    assert payload["customerNumber"] == customer.number
    assert payload["requestId"] == decode_id(gid, "ContactRequest")
    assert payload["body"] == "Jeszcze jedno."


async def test_a_failure_after_the_event_takes_it_back(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    variables = {"input": {"topic": "OTHER", "subject": "Pytanie", "body": "Treść"}}
    async with failing_inserts(settings, "audit_event"):
        failed = await gql(SEND, variables, expect_errors=True)
    assert failed["errors"]
    assert await ContactRequest.all().count() == 0
    assert await Event.all().count() == 0
    # the same request once the database accepts it again: one request, one event
    assert (await gql(SEND, variables))["sendContactRequest"]["errors"] == []
    assert await ContactRequest.all().count() == 1
    assert len(await _events(EventType.CONTACT_REQUEST_CREATED)) == 1


async def test_no_change_without_its_event(gql, client, settings) -> None:
    customer = await make_customer(settings, city="Gdańsk")
    await login_as(client, settings, customer)
    async with failing_inserts(settings, "event"):
        failed = await gql(CONTACT_DATA, {"input": {"city": "Sopot"}}, expect_errors=True)
    assert failed["errors"]
    assert (await Customer.get(id=customer.id)).city == "Gdańsk"
    assert not await AuditEvent.filter(customer_id=customer.id, kind=AuditKind.CONTACT_DATA_CHANGED)
    assert await Event.all().count() == 0
