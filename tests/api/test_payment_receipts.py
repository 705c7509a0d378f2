"""The receipt e-mail of a settled payment: one per payment, in the customer's language, naming
what it paid; sent after the settlement commits and never able to undo it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from backend import cli
from backend.config import Settings
from backend.models import Customer, Invoice, OutboxMessage, Payment, Wallet
from backend.models.enums import InvoiceStatus, Language, PaymentMethod, PaymentStatus
from backend.payments import SandboxProvider
from backend.services import emails, payments
from backend.services.mailer import Mail
from tests.checkout import free_port
from tests.factories import make_account, make_customer, make_invoice, make_meta
from tests.smtp import Mailbox

URL = "/payments/webhook/sandbox"


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


def _signed(settings: Settings, payment: Payment, status: str = "paid") -> dict[str, Any]:
    """The sandbox's notification that ``payment`` ended with ``status`` (paid by BLIK), as the
    keyword arguments of ``client.post``."""
    sandbox = SandboxProvider(settings)
    body = sandbox.event_body(payment, status, PaymentMethod.BLIK)
    headers = {"X-Sandbox-Signature": sandbox.signature_header(body)}
    return {"content": body, "headers": {**headers, "Content-Type": "application/json"}}


async def test_invoices_receipt_in_polish_once_for_a_replay(client, settings, db, mailbox) -> None:
    customer = await make_customer(settings, email="anna@example.com", language="pl")
    first = await make_invoice(customer, number="FV/2026/10/0007", gross=12345)
    second = await make_invoice(customer, number="FV/2026/11/0001", gross=100000)
    started = await payments.start_invoice_payment(
        settings, customer.id, [second.id, first.id], "card", "receipt-key-01", meta=make_meta()
    )
    payment = started.payment
    notification = _signed(settings, payment)
    assert (await client.post(URL, **notification)).json()["result"] == "settled"
    assert (await client.post(URL, **notification)).json()["result"] == "already-final"
    await mailbox.settle()
    [mail] = mailbox.messages(to="anna@example.com")
    assert mail["Subject"] == "ICOK: potwierdzenie płatności 1\u00a0123,45\u00a0zł"
    text = Mailbox.text(mail).replace("\r\n", "\n")
    assert "Tytuł: Faktury FV/2026/10/0007, FV/2026/11/0001\n" in text
    assert "Kwota: 1\u00a0123,45\u00a0zł\n" in text
    # 2026-11-18 09:00 UTC is 10:00 in Warsaw (winter time)
    assert "Data: 18 listopada 2026, 10:00 (czas środkowoeuropejski standardowy)\n" in text
    assert "Metoda: BLIK\n" in text  # the method the provider reported
    assert f"Numer płatności: {payment.provider_ref}\n" in text
    assert "http://testserver/payments" in text
    assert "Faktury FV/2026/10/0007, FV/2026/11/0001" in Mailbox.html(mail)
    assert await Invoice.filter(status=InvoiceStatus.PAID).count() == 2


async def test_top_up_receipt_in_english(client, settings, db, mailbox) -> None:
    customer = await make_customer(settings, email="ben@example.com", language="en")
    payment = (
        await payments.start_top_up(
            settings, customer.id, "50", "card", "receipt-key-02", meta=make_meta()
        )
    ).payment
    assert (await client.post(URL, **_signed(settings, payment))).json()["result"] == "settled"
    mail = await mailbox.receive(to="ben@example.com")
    assert mail["Subject"] == "ICOK: payment receipt PLN\u00a050.00"
    text = Mailbox.text(mail).replace("\r\n", "\n")
    assert "For: Wallet top-up\n" in text
    assert "Amount: PLN\u00a050.00\n" in text
    assert "Date: 18 November 2026, 10:00 (Central European Standard Time)\n" in text
    assert "Method: BLIK\n" in text
    assert f"Reference: {payment.provider_ref}\n" in text
    assert len(mailbox.messages(to="ben@example.com")) == 1


async def test_no_receipt_for_a_declined_payment(client, settings, db, mailbox) -> None:
    customer = await make_customer(settings, email="cora@example.com")
    invoice = await make_invoice(customer)
    payment = (
        await payments.start_invoice_payment(
            settings, customer.id, [invoice.id], "blik", "receipt-key-03", meta=make_meta()
        )
    ).payment
    assert (await client.post(URL, **_signed(settings, payment, "failed"))).status_code == 200
    await mailbox.settle()
    assert mailbox.messages(to="cora@example.com") == []


async def test_a_mail_failure_does_not_undo_the_settlement(client, settings, db) -> None:
    # nothing listens on this port: the SMTP delivery fails
    settings = settings.with_overrides(mail_url=f"smtp://127.0.0.1:{free_port()}")
    customer = await make_customer(settings, email="dan@example.com")
    payment = (
        await payments.start_top_up(
            settings, customer.id, "20", "card", "receipt-key-04", meta=make_meta()
        )
    ).payment
    notification = _signed(settings, payment)
    outcome = await payments.handle_webhook(
        settings, "sandbox", notification["headers"], notification["content"]
    )
    assert outcome.settled
    await emails.drain()
    await payment.refresh_from_db()
    assert payment.status is PaymentStatus.PAID
    assert (await Wallet.get(customer_id=customer.id)).balance == 2000
    [record] = await OutboxMessage.filter(to="dan@example.com")
    assert record.error and record.sent_at is None


async def test_no_address_no_receipt_and_the_payment_still_settles(client, settings, db) -> None:
    customer = await make_customer(settings)
    await Customer.filter(id=customer.id).update(email=None)  # no contact address, no login
    payment = (
        await payments.start_top_up(
            settings, customer.id, "15", "card", "receipt-key-05", meta=make_meta()
        )
    ).payment
    assert (await client.post(URL, **_signed(settings, payment))).json()["result"] == "settled"
    await emails.drain()
    assert await OutboxMessage.all().count() == 0
    assert (await Wallet.get(customer_id=customer.id)).balance == 1500


async def test_the_login_address_when_there_is_no_contact_address(
    client, settings, db, mailbox
) -> None:
    customer = await make_customer(settings)
    await make_account(customer, email="login@example.com")
    await Customer.filter(id=customer.id).update(email=None)
    payment = (
        await payments.start_top_up(
            settings, customer.id, "15", "card", "receipt-key-06", meta=make_meta()
        )
    ).payment
    assert (await client.post(URL, **_signed(settings, payment))).json()["result"] == "settled"
    mail = await mailbox.receive(to="login@example.com")
    assert "Doładowanie portmonetki" in Mailbox.text(mail)


def test_the_receipt_date_is_warsaw_time_in_summer_too(settings) -> None:
    # 22:30 UTC on 30 June is 00:30 on 1 July in Warsaw (summer time, UTC+2)
    paid_at = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    pl, en = (
        emails.payment_receipt(
            settings,
            language,
            "a@example.com",
            title="t",
            amount="x",
            paid_at=paid_at,
            method=PaymentMethod.TRANSFER,
            reference="r",
        )
        for language in (Language.PL, Language.EN)
    )
    assert "Data: 1 lipca 2026, 00:30 (czas środkowoeuropejski letni)\n" in pl.text
    assert "Metoda: przelew\n" in pl.text
    assert "Date: 1 July 2026, 00:30 (Central European Summer Time)\n" in en.text
    assert "Method: bank transfer\n" in en.text


async def test_mail_a_cli_command_queued_goes_out_before_it_closes_the_database(
    settings, db, mailbox
) -> None:
    # e.g. the receipts of the payments `icok payments reconcile` settles
    async def command() -> None:
        emails.deliver_later(settings, Mail(to="eve@example.com", subject="s", text="t"))

    await cli._with_db_closed(command)
    assert len(mailbox.messages(to="eve@example.com")) == 1  # already sent, nothing awaited
