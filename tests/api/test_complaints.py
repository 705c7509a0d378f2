"""Complaints (reklamacje): filing with every field's edges, the acknowledgement e-mail (the
durable medium), the 30-day deadline in Warsaw days, deemed acceptance, and answering once
(money credited once, also under a concurrent double answer)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend.clock import clock, now, today
from backend.i18n import translate
from backend.models import (
    Complaint,
    ContactReply,
    ContactRequest,
    Customer,
    Event,
    Message,
    OutboxMessage,
    Wallet,
    WalletTransaction,
)
from backend.models.enums import ComplaintDecision, ContactStatus, Language, RefundMethod
from backend.schema.relay import to_global_id
from backend.services import complaints
from backend.services.complaints import ComplaintState, complaint_state
from backend.services.dates import format_day, format_instant
from backend.services.errors import ErrorCode, ValidationErrors
from tests.factories import (
    login_as,
    login_staff,
    make_complaint,
    make_contract,
    make_customer,
    make_device,
    make_invoice,
    make_meta,
    make_service,
    make_staff,
)
from tests.raises import domain_error

pytestmark = pytest.mark.usefixtures("db")

IBAN = "PL61 1090 1014 0000 0712 1981 2874"


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


def _form(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "subject": "other",
        "invoice_id": None,
        "service_id": None,
        "device_id": None,
        "period_from": None,
        "period_to": None,
        "amount_claimed": None,
        "refund_method": None,
        "bank_account": None,
        "description": "Nie działa od tygodnia.",
        "meta": make_meta(),
    }
    return {**base, **fields}


async def _errors(settings, customer_id: int, **fields: Any) -> set[tuple[str | None, str]]:
    with pytest.raises(ValidationErrors) as caught:
        await complaints.file_complaint(settings, customer_id, **_form(**fields))
    return {(e.field, e.code.value) for e in caught.value.errors}


async def test_filing_writes_rows_event_notice_and_acknowledgement(settings, mailbox) -> None:
    customer = await make_customer(settings)
    invoice = await make_invoice(customer, gross=12345)
    request = await complaints.file_complaint(
        settings,
        customer.id,
        **_form(
            subject="invoice",
            invoice_id=invoice.id,
            period_from=today() - timedelta(days=40),
            period_to=today() - timedelta(days=10),
            amount_claimed=2500,
            refund_method="bank_account",
            bank_account=IBAN,
            description="Naliczono opłatę za pakiet, którego nie zamawiałem.",
        ),
    )
    complaint = await Complaint.get(request_id=request.id)
    assert request.kind.value == "complaint" and request.topic.value == "billing"
    assert complaint.number == f"R/{today().year}/000001"
    assert complaint.bank_account == "PL61109010140000071219812874"
    assert complaint.deadline == today() + timedelta(days=30)
    assert complaint.acknowledged_at is not None
    assert complaint_state(complaint) is ComplaintState.PENDING
    mail = await mailbox.receive(customer.email)
    text = mailbox.text(mail)
    assert complaint.number in mail["Subject"]
    for part in (
        complaint.number,
        invoice.number,
        "25,00",
        "PL61 1090 1014 0000 0712 1981 2874",
        "Naliczono opłatę za pakiet, którego nie zamawiałem.",
        "30 dni",
    ):
        assert part in text, part
    (event,) = await Event.filter(type="complaint.created")
    assert event.payload["invoiceNumber"] == invoice.number
    assert event.payload["amountClaimed"] == 2500
    assert event.payload["deadline"] == complaint.deadline.isoformat()
    second = await complaints.file_complaint(settings, customer.id, **_form())
    assert (await Complaint.get(request_id=second.id)).number.endswith("/000002")


async def test_every_field_is_checked_at_once(settings) -> None:
    customer = await make_customer(settings)
    other = await make_customer(settings)
    theirs = await make_invoice(other)
    their_service = await make_service(other)
    their_device = await make_device(their_service)
    errors = await _errors(
        settings,
        customer.id,
        subject="invoice",
        invoice_id=theirs.id,
        service_id=their_service.id,
        device_id=their_device.id,
        period_from=today() + timedelta(days=1),
        period_to=today(),
        amount_claimed=0,
        refund_method="bank_account",
        bank_account="PL61 1090 1014 0000 0712 1981 2875",
        description="a\x00b",
    )
    assert errors == {
        ("invoice_id", "NOT_FOUND"),
        ("service_id", "NOT_FOUND"),
        ("device_id", "NOT_FOUND"),
        ("period_from", "IN_THE_FUTURE"),
        ("period_to", "ENDS_BEFORE_START"),
        ("amount_claimed", "AMOUNT_OUT_OF_RANGE"),
        ("bank_account", "INVALID_IBAN"),
        ("description", "FORBIDDEN_CHARACTER"),
    }
    assert await _errors(settings, customer.id, subject="", description="") == {
        ("subject", "REQUIRED"),
        ("description", "REQUIRED"),
    }
    assert await _errors(settings, customer.id, subject="invoice", description="x" * 5001) == {
        ("invoice_id", "REQUIRED"),
        ("description", "TOO_LONG"),
    }
    assert await _errors(settings, customer.id, subject="equipment") == {("device_id", "REQUIRED")}
    assert await _errors(settings, customer.id, subject="service", refund_method="cash") == {
        ("service_id", "REQUIRED"),
        ("refund_method", "INVALID"),
    }
    assert await _errors(settings, customer.id, subject="bogus") == {("subject", "INVALID")}
    assert await _errors(settings, customer.id, amount_claimed=-1, refund_method="x") == {
        ("amount_claimed", "AMOUNT_OUT_OF_RANGE"),
        ("refund_method", "INVALID"),
    }
    assert await _errors(settings, customer.id, amount_claimed=10**12) == {
        ("amount_claimed", "AMOUNT_OUT_OF_RANGE"),
        ("refund_method", "REQUIRED"),
    }
    mine = await make_invoice(customer, gross=1000)
    assert await _errors(
        settings,
        customer.id,
        subject="invoice",
        invoice_id=mine.id,
        amount_claimed=1001,
        refund_method="bank_account",
        bank_account="",
    ) == {("amount_claimed", "AMOUNT_OUT_OF_RANGE"), ("bank_account", "REQUIRED")}
    assert await Complaint.all().count() == 0
    assert await ContactRequest.all().count() == 0


async def test_rate_limited_per_customer(settings) -> None:
    customer = await make_customer(settings)
    for _ in range(complaints.COMPLAINTS_PER_DAY):
        await complaints.file_complaint(settings, customer.id, **_form())
    clock.advance(hours=3)
    error = await domain_error(complaints.file_complaint(settings, customer.id, **_form()))
    assert error.code is ErrorCode.COMPLAINTS_TODAY_LIMIT
    assert error.params["contact"] == settings.operator_contact
    assert error.params["limit"] == complaints.COMPLAINTS_PER_DAY
    # the next one is taken 24 hours after the first, said as a Warsaw wall-clock time
    assert error.params["at"] == format_instant(now() - timedelta(hours=3) + timedelta(days=1))
    message = translate(error.code, Language.PL, **error.params)
    assert settings.operator_contact in message
    # the zone is named once, by format_instant ("(czas środkowoeuropejski standardowy)")
    assert message.count("(czas") == 1 and "warszawski" not in message
    params = {**error.params, "at": format_instant(now(), Language.EN)}
    english = translate(error.code, Language.EN, **params)
    assert english.count(" Time)") == 1 and "Warsaw" not in english
    assert "min" not in translate(error.code, Language.EN, **error.params).split("(")[0]


async def test_deadline_in_warsaw_days_across_dst(settings) -> None:
    customer = await make_customer(settings)
    # 23:30 UTC on 30 March 2026 is already 31 March in Warsaw (summer time, UTC+2).
    clock.travel_to(datetime(2026, 3, 30, 23, 30, tzinfo=UTC))
    request = await complaints.file_complaint(settings, customer.id, **_form())
    complaint = await Complaint.get(request_id=request.id)
    assert complaint.deadline.isoformat() == "2026-04-30"
    # Filed on 31 December Warsaw time, numbered in the new year.
    clock.travel_to(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    request = await complaints.file_complaint(settings, customer.id, **_form())
    complaint = await Complaint.get(request_id=request.id)
    assert complaint.number == "R/2027/000001"
    assert complaint.deadline.isoformat() == "2027-01-31"


async def test_deemed_accepted_after_the_deadline(settings) -> None:
    customer = await make_customer(settings)
    complaint = await make_complaint(customer)
    clock.advance(days=30)
    assert complaint_state(complaint) is ComplaintState.PENDING
    assert await Complaint.filter(complaints.overdue()).count() == 0
    assert await Complaint.filter(complaints.due_within(3)).count() == 1
    clock.advance(days=1)
    assert complaint_state(complaint) is ComplaintState.DEEMED_ACCEPTED
    assert await Complaint.filter(complaints.overdue()).count() == 1
    error = await domain_error(
        _answer(settings, complaint, ComplaintDecision.REJECTED, reason="Bez podstaw.")
    )
    assert error.code is ErrorCode.COMPLAINT_DEEMED_ACCEPTED
    answered = await _answer(settings, complaint, ComplaintDecision.ACCEPTED)
    assert complaint_state(answered) is ComplaintState.ACCEPTED
    assert answered.amount_granted == 5000


async def _answer(settings, complaint: Complaint, decision: ComplaintDecision, **kw: Any) -> Any:
    staff = kw.pop("staff", None) or await make_staff(name="Anna Nowak")
    return await complaints.answer_complaint(
        settings,
        request_id=complaint.request_id,
        decision=decision,
        reason=kw.pop("reason", ""),
        amount_granted=kw.pop("amount_granted", None),
        staff=staff,
        meta=make_meta(),
    )


async def test_accepted_credits_the_wallet_once_and_answers_in_the_conversation(
    settings, mailbox
) -> None:
    customer = await make_customer(settings)
    complaint = await make_complaint(customer, amount_claimed=4200)
    answered = await _answer(settings, complaint, ComplaintDecision.ACCEPTED)
    assert answered.amount_granted == 4200 and answered.decided_by_id is not None
    entry = await WalletTransaction.get(id=answered.wallet_transaction_id)
    assert entry.amount == 4200 and entry.kind.value == "complaint"
    assert (await Wallet.get(customer_id=customer.id)).balance == 4200
    request = await ContactRequest.get(id=complaint.request_id)
    assert request.status is ContactStatus.ANSWERED
    (reply,) = await ContactReply.filter(request_id=request.id)
    assert reply.staff_id == answered.decided_by_id
    assert "Anna Nowak" in reply.body and "42,00" in reply.body
    (event,) = await Event.filter(type="complaint.answered")
    assert event.payload["decision"] == "accepted" and event.payload["amountGranted"] == 4200
    mail = await mailbox.receive(customer.email)
    assert complaint.number in mailbox.text(mail)
    again = await domain_error(_answer(settings, complaint, ComplaintDecision.ACCEPTED))
    assert again.code is ErrorCode.COMPLAINT_ANSWERED
    assert await WalletTransaction.all().count() == 1


async def test_partly_accepted_and_rejected_need_reasons_and_bounded_amounts(settings) -> None:
    customer = await make_customer(settings)
    complaint = await make_complaint(
        customer,
        refund_method=RefundMethod.BANK_ACCOUNT,
        bank_account="PL61109010140000071219812874",
    )
    with pytest.raises(ValidationErrors) as caught:
        await _answer(settings, complaint, ComplaintDecision.PARTLY_ACCEPTED, amount_granted=5001)
    assert {(e.field, e.code.value) for e in caught.value.errors} == {
        ("reason", "REQUIRED"),
        ("amount_granted", "AMOUNT_OVER_CLAIM"),
    }
    for amount in (0, -5, None):
        with pytest.raises(ValidationErrors):
            await _answer(
                settings,
                complaint,
                ComplaintDecision.PARTLY_ACCEPTED,
                reason="Część",
                amount_granted=amount,
            )
    with pytest.raises(ValidationErrors) as caught:
        await _answer(settings, complaint, ComplaintDecision.REJECTED, reason="\x00")
    assert {e.code.value for e in caught.value.errors} == {"FORBIDDEN_CHARACTER"}
    answered = await _answer(
        settings,
        complaint,
        ComplaintDecision.PARTLY_ACCEPTED,
        reason="Przerwa trwała krócej.",
        amount_granted=2000,
    )
    assert complaint_state(answered) is ComplaintState.PARTLY_ACCEPTED
    assert answered.bank_refund_recorded_at is not None and answered.wallet_transaction_id is None
    reply = await ContactReply.get(request_id=complaint.request_id)
    assert "Prezes" in reply.body and "PL\u2026 2874" in reply.body
    rejected = await make_complaint(customer)
    answered = await _answer(settings, rejected, ComplaintDecision.REJECTED, reason="Bez podstaw.")
    assert answered.amount_granted is None and answered.wallet_transaction_id is None
    assert complaint_state(answered) is ComplaintState.REJECTED
    assert await WalletTransaction.all().count() == 0


async def test_concurrent_double_answer_credits_once(settings) -> None:
    customer = await make_customer(settings)
    complaint = await make_complaint(customer, amount_claimed=999)
    staff = await make_staff()
    results = await asyncio.gather(
        *(_answer(settings, complaint, ComplaintDecision.ACCEPTED, staff=staff) for _ in range(2)),
        return_exceptions=True,
    )
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1
    assert getattr(failures[0], "code", None) is ErrorCode.COMPLAINT_ANSWERED
    assert await WalletTransaction.all().count() == 1
    assert (await Wallet.get(customer_id=customer.id)).balance == 999
    assert await ContactReply.filter(request_id=complaint.request_id).count() == 1
    assert await Event.filter(type="complaint.answered").count() == 1


FILE = """
mutation($input: FileComplaintInput!) {
  fileComplaint(input: $input) {
    contactRequest { id kind complaint { number state deadline } }
    errors { field code message }
  }
}"""
REQUESTS = """{ viewer { contactRequests { kind replies { body } complaint {
  number subject invoiceId period: periodFrom amountClaimed { minorUnits } refundMethod
  bankAccountMasked deadline state decision decisionReason amountGranted { minorUnits }
  walletCredit { amount { minorUnits } kind } bankRefundRecordedAt } } } }"""


async def test_file_and_read_through_the_api(gql, client, settings, mailbox) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    other = await make_customer(settings)
    theirs = await make_invoice(other)
    refused = await gql(
        FILE,
        {
            "input": {
                "subject": "INVOICE",
                "invoiceId": to_global_id("Invoice", theirs.id),
                "description": "x",
                "bankAccount": "PL00",
                "refundMethod": "BANK_ACCOUNT",
                "amountClaimed": 100,
            }
        },
    )
    assert {(e["field"], e["code"]) for e in refused["fileComplaint"]["errors"]} == {
        ("invoiceId", "NOT_FOUND"),
        ("bankAccount", "INVALID_IBAN"),
    }
    mine = await make_invoice(customer, gross=5000)
    filed = await gql(
        FILE,
        {
            "input": {
                "subject": "INVOICE",
                "invoiceId": to_global_id("Invoice", mine.id),
                "description": "Za dużo.",
                "amountClaimed": 1500,
                "refundMethod": "WALLET",
            }
        },
    )
    assert filed["fileComplaint"]["errors"] == []
    request = filed["fileComplaint"]["contactRequest"]
    assert request["kind"] == "COMPLAINT" and request["complaint"]["state"] == "PENDING"
    await mailbox.receive(customer.email)
    complaint = await Complaint.get(number=request["complaint"]["number"])
    await _answer(settings, complaint, ComplaintDecision.ACCEPTED)
    (read,) = (await gql(REQUESTS))["viewer"]["contactRequests"]
    assert read["complaint"]["state"] == "ACCEPTED"
    assert read["complaint"]["walletCredit"] == {
        "amount": {"minorUnits": 1500},
        "kind": "COMPLAINT",
    }
    assert read["complaint"]["invoiceId"] == to_global_id("Invoice", mine.id)
    assert "Anna Nowak" in read["replies"][0]["body"]
    await make_complaint(customer, received_at=now() - timedelta(days=31))
    states = [r["complaint"]["state"] for r in (await gql(REQUESTS))["viewer"]["contactRequests"]]
    assert states == ["ACCEPTED", "DEEMED_ACCEPTED"]


async def test_concurrent_filings_get_distinct_numbers(settings) -> None:
    customers = [await make_customer(settings) for _ in range(3)]
    requests = await asyncio.gather(
        *(complaints.file_complaint(settings, c.id, **_form()) for c in customers)
    )
    numbers = {(await Complaint.get(request_id=r.id)).number for r in requests}
    year = today().year
    assert numbers == {f"R/{year}/00000{n}" for n in (1, 2, 3)}


async def test_acknowledgement_in_english_and_an_answer_without_money(settings, mailbox) -> None:
    customer = await make_customer(settings, language=Language.EN)
    service = await make_service(customer)
    device = await make_device(service)
    request = await complaints.file_complaint(
        settings,
        customer.id,
        **_form(subject="equipment", device_id=device.id, description="It reboots."),
    )
    complaint = await Complaint.get(request_id=request.id)
    assert complaint.amount_claimed is None and complaint.refund_method is None
    text = mailbox.text(await mailbox.receive(customer.email))
    assert "we have received your complaint" in text and device.serial_number in text
    assert "It reboots." in text and "30 days" in text
    answered = await _answer(settings, complaint, ComplaintDecision.ACCEPTED, reason="Replaced.")
    assert answered.amount_granted is None and answered.wallet_transaction_id is None
    reply = await ContactReply.get(request_id=request.id)
    assert "accepted complaint no." in reply.body and "Replaced." in reply.body
    missing = Complaint(request_id=request.id + 1000)
    error = await domain_error(_answer(settings, missing, ComplaintDecision.ACCEPTED))
    assert error.code is ErrorCode.NOT_FOUND


@pytest.mark.parametrize("blank", ["\u200b", "\u00a0", "\u3000", "\ufeff", "\u2028", " \u200b\n"])
async def test_a_description_that_shows_nothing_is_required(settings, blank: str) -> None:
    customer = await make_customer(settings)
    assert await _errors(settings, customer.id, description=blank) == {("description", "REQUIRED")}
    assert await Complaint.all().count() == 0


async def test_the_period_starts_no_earlier_than_the_first_contract_or_12_months(settings) -> None:
    customer = await make_customer(settings)
    a_year_ago = today().replace(year=today().year - 1)
    errors = await _errors(
        settings,
        customer.id,
        period_from=a_year_ago - timedelta(days=1),
        period_to=a_year_ago - timedelta(days=1),
        description="",
    )
    assert errors == {
        ("period_from", "PERIOD_TOO_EARLY"),
        ("period_to", "PERIOD_TOO_EARLY"),
        ("description", "REQUIRED"),
    }
    await complaints.file_complaint(settings, customer.id, **_form(period_from=a_year_ago))
    contract = await make_contract(customer)  # signed 400 days ago: now the first contract
    older = await make_contract(customer)
    await type(older).filter(id=older.id).update(signed_on=contract.signed_on - timedelta(days=9))
    start = contract.signed_on - timedelta(days=9)
    with pytest.raises(ValidationErrors) as caught:
        await complaints.file_complaint(
            settings, customer.id, **_form(period_from=start - timedelta(days=1))
        )
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("period_from", ErrorCode.PERIOD_TOO_EARLY)
    assert error.params["earliest"] == format_day(start)
    assert "umowy" in translate(error.code, Language.PL, **error.params)
    await complaints.file_complaint(settings, customer.id, **_form(period_from=start))
    assert await Complaint.filter(period_from=start).count() == 1


async def test_each_wrong_amount_has_its_own_error(settings) -> None:
    customer = await make_customer(settings)
    complaint = await make_complaint(customer, amount_claimed=5000)
    cases = [
        (ComplaintDecision.ACCEPTED, 4000, ErrorCode.AMOUNT_NOT_FULL, "częściowe"),
        (ComplaintDecision.ACCEPTED, 6000, ErrorCode.AMOUNT_NOT_FULL, "50,00"),
        (ComplaintDecision.REJECTED, 100, ErrorCode.AMOUNT_ON_REJECTION, "żadnej kwoty"),
    ]
    for decision, amount, code, words in cases:
        with pytest.raises(ValidationErrors) as caught:
            await _answer(settings, complaint, decision, reason="Powód", amount_granted=amount)
        assert [(e.field, e.code) for e in caught.value.errors] == [("amount_granted", code)]
        assert words in translate(code, Language.PL, **caught.value.errors[0].params)
        assert "INVALID" not in translate(code, Language.EN, **caught.value.errors[0].params)
    no_money = await make_complaint(customer, amount_claimed=None, refund_method=None)
    for decision in (ComplaintDecision.ACCEPTED, ComplaintDecision.PARTLY_ACCEPTED):
        with pytest.raises(ValidationErrors) as caught:
            await _answer(settings, no_money, decision, reason="Powód", amount_granted=1000)
        assert [(e.field, e.code) for e in caught.value.errors] == [
            ("amount_granted", ErrorCode.NO_MONEY_CLAIMED)
        ]
        assert "0,00" not in translate(ErrorCode.NO_MONEY_CLAIMED, Language.PL)
    # the full claim (given or left out) and no amount on a rejection are accepted
    accepted = await _answer(settings, complaint, ComplaintDecision.ACCEPTED, amount_granted=5000)
    assert accepted.amount_granted == 5000
    answered = await _answer(settings, no_money, ComplaintDecision.ACCEPTED, amount_granted=0)
    assert answered.amount_granted is None


async def test_a_partial_acceptance_grants_less_than_the_claim(settings) -> None:
    customer = await make_customer(settings)
    complaint = await make_complaint(customer, amount_claimed=5000)
    for amount in (5000, 0):
        with pytest.raises(ValidationErrors) as caught:
            await _answer(
                settings,
                complaint,
                ComplaintDecision.PARTLY_ACCEPTED,
                reason="Część",
                amount_granted=amount,
            )
        assert [(e.field, e.code) for e in caught.value.errors] == [
            ("amount_granted", ErrorCode.AMOUNT_NOT_PARTIAL)
        ]
    assert "całą kwotę" in translate(
        ErrorCode.AMOUNT_NOT_PARTIAL, Language.PL, **caught.value.errors[0].params
    )
    answered = await _answer(
        settings,
        complaint,
        ComplaintDecision.PARTLY_ACCEPTED,
        reason="Część",
        amount_granted=4999,
    )
    assert answered.amount_granted == 4999


async def test_the_acknowledgement_names_who_filed_it_and_how_the_answer_comes(
    settings, mailbox
) -> None:
    customer = await make_customer(settings)
    await Customer.filter(id=customer.id).update(
        street="ul. Długa 5/7", postal_code="00-950", city="Warszawa"
    )
    start = today() - timedelta(days=20)
    await complaints.file_complaint(
        settings,
        customer.id,
        **_form(
            period_from=start,
            amount_claimed=1000,
            refund_method="bank_account",
            bank_account=IBAN.replace(" ", ""),
        ),
    )
    text = mailbox.text(await mailbox.receive(customer.email))
    for part in (
        f"Składający: {customer.first_name} {customer.last_name}",
        "Adres: ul. Długa 5/7, 00-950 Warszawa",
        f"Numer klienta: {customer.number}",
        f"Sposób odpowiedzi: w ICOK (Kontakt) oraz e-mailem na adres {customer.email}",
        f"Okres: od {format_day(start)}",
        "na rachunek bankowy: PL61 1090 1014 0000 0712 1981 2874",
    ):
        assert part in text, part
    await complaints.file_complaint(settings, customer.id, **_form(period_to=start))
    text = mailbox.text(await mailbox.receive(customer.email, count=2))
    assert f"Okres: do {format_day(start)}" in text


async def test_a_lost_acknowledgement_is_sent_again_with_backoff_and_bounded(
    settings, mailbox
) -> None:
    down = settings.with_overrides(mail_url="smtp://127.0.0.1:1")
    customer = await make_customer(settings)
    request = await complaints.file_complaint(down, customer.id, **_form())
    complaint = await Complaint.get(request_id=request.id)
    assert complaint.acknowledged_at is None
    assert await OutboxMessage.filter(sent_at__isnull=True).count() == 1
    (notice,) = await Message.filter(customer_id=customer.id)
    assert f"wyślemy e-mailem na adres {customer.email}" in notice.body
    assert "wysłaliśmy" not in notice.body
    assert await complaints.resend_acknowledgements(settings) == 0  # not due yet
    clock.advance(minutes=5)
    assert await complaints.resend_acknowledgements(down) == 0  # tried, still down
    assert await complaints.resend_acknowledgements(down) == 0  # once per step
    assert await OutboxMessage.filter(sent_at__isnull=True).count() == 2
    clock.advance(minutes=25)
    assert await complaints.resend_acknowledgements(settings) == 1
    assert (await Complaint.get(id=complaint.id)).acknowledged_at == now()
    assert complaint.number in (await mailbox.receive(customer.email))["Subject"]
    clock.advance(hours=2)
    assert await complaints.resend_acknowledgements(settings) == 0
    assert len(mailbox.messages(customer.email)) == 1
    # never taken: one attempt per step, then the staff see it unacknowledged
    other = await make_customer(settings)
    lost = await complaints.file_complaint(down, other.id, **_form())
    for after in complaints.ACK_RETRY_AFTER:
        clock.travel_to(lost.created_at + after)
        await complaints.resend_acknowledgements(down)
        await complaints.resend_acknowledgements(down)
    clock.advance(days=30)
    await complaints.resend_acknowledgements(settings)
    assert await OutboxMessage.filter(to=other.email).count() == 1 + len(complaints.ACK_RETRY_AFTER)
    assert (await Complaint.get(request_id=lost.id)).acknowledged_at is None


async def test_the_answer_says_by_when_a_transfer_comes_and_when_it_was_deemed_accepted(
    settings, mailbox
) -> None:
    customer = await make_customer(settings)
    bank = await make_complaint(
        customer, refund_method=RefundMethod.BANK_ACCOUNT, bank_account=IBAN.replace(" ", "")
    )
    clock.advance(days=31)
    await _answer(settings, bank, ComplaintDecision.ACCEPTED)
    (reply,) = await ContactReply.filter(request_id=bank.request_id)
    by = format_day(today() + timedelta(days=complaints.BANK_REFUND_DAYS))
    assert f"najpóźniej {by}" in reply.body
    deemed = format_day(bank.deadline + timedelta(days=1))
    assert f"uznana za uwzględnioną {deemed}" in reply.body
    mail = await mailbox.receive(customer.email)
    assert f"reklamację nr {bank.number}" in mail["Subject"]
    assert f"nr {bank.request_id}" not in mail["Subject"]
    on_time = await make_complaint(customer)
    await _answer(settings, on_time, ComplaintDecision.REJECTED, reason="Bez podstaw.")
    (reply,) = await ContactReply.filter(request_id=on_time.request_id)
    assert "uznana" not in reply.body


DEEMED = """
{ viewer { contactRequests { complaint { number state acknowledgedAt deemedAcceptedNote } } } }
"""
CONSOLE_DETAIL = """
query($id: ID!) {
  contactRequest(id: $id) { request { complaint { number acknowledgedAt state } } }
}"""


async def test_a_deemed_accepted_complaint_says_what_it_means(
    gql, console, client, settings
) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    bank = await make_complaint(
        customer,
        refund_method=RefundMethod.BANK_ACCOUNT,
        bank_account=IBAN.replace(" ", ""),
        amount_claimed=4200,
        received_at=now() - timedelta(days=1),
    )
    wallet = await make_complaint(customer, amount_claimed=1234, acknowledged_at=None)
    (first, second) = [r["complaint"] for r in (await gql(DEEMED))["viewer"]["contactRequests"]]
    assert first["deemedAcceptedNote"] is None and second["deemedAcceptedNote"] is None
    clock.advance(days=31)
    await login_as(client, settings, customer)
    notes = {
        r["complaint"]["number"]: r["complaint"]["deemedAcceptedNote"]
        for r in (await gql(DEEMED))["viewer"]["contactRequests"]
    }
    on = format_day(bank.deadline + timedelta(days=1))
    assert notes[bank.number].startswith(f"Nie odpowiedzieliśmy w terminie, więc {on} ")
    assert "42,00" in notes[bank.number]
    assert "przelejemy na rachunek PL\u2026 2874" in notes[bank.number]
    assert "12,34" in notes[wallet.number]
    assert "dopisana do Twojej portmonetki ICOK" in notes[wallet.number]
    assert "Biuro Obsługi Klienta potwierdzi" in notes[wallet.number]
    assert await WalletTransaction.all().count() == 0  # nothing is paid by itself
    await login_staff(client, await make_staff())
    detail = await console(
        CONSOLE_DETAIL, {"id": to_global_id("ContactRequest", wallet.request_id)}
    )
    complaint = detail["contactRequest"]["request"]["complaint"]
    assert complaint["number"] == wallet.number and complaint["acknowledgedAt"] is None


async def test_the_complaint_forms_invoice_picker_reaches_older_invoices(
    gql, client, settings
) -> None:
    """The SPA's own operations (Contact, then ComplaintInvoices with its cursor) page through
    30 invoices 24 at a time: every invoice reachable, none twice, never all at once."""
    from tests.api.test_spa_operations import OPERATIONS

    documents = dict(OPERATIONS)
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    for month in range(30):
        await make_invoice(customer, issued_on=today() - timedelta(days=31 * month))
    first = (await gql(documents["customer:Contact"]))["viewer"]["invoices"]
    assert len(first["nodes"]) == 24 and first["pageInfo"]["hasNextPage"]
    assert first["totalCount"] == 30
    after = first["pageInfo"]["endCursor"]
    rest = (await gql(documents["customer:ComplaintInvoices"], {"after": after}))["viewer"][
        "invoices"
    ]
    assert len(rest["nodes"]) == 6 and not rest["pageInfo"]["hasNextPage"]
    ids = [n["id"] for n in first["nodes"] + rest["nodes"]]
    assert len(set(ids)) == 30
