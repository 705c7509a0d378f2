"""Invoices with their lines, and payments."""

from __future__ import annotations

from datetime import date, timedelta

from backend.clock import now, today
from backend.models import Customer, Invoice, InvoiceLine, Payment
from backend.models.enums import InvoiceStatus, PaymentMethod, PaymentPurpose, PaymentStatus
from tests.factories import sequences

VAT_RATE = 0.23


async def make_invoice(
    customer: Customer,
    *,
    issued_on: date | None = None,
    due_on: date | None = None,
    gross: int | None = None,
    lines: int = 2,
    status: InvoiceStatus = InvoiceStatus.UNPAID,
    number: str | None = None,
) -> Invoice:
    """An invoice with ``lines`` lines of 50 zł gross each (amounts in grosze), or ``gross``
    split over the lines; the totals are the sums of the lines (23% VAT). Issued 5 days ago
    and due 14 days after issue by default (issued 14 days before ``due_on`` when only that is
    given); the number comes from one sequence unless ``number``."""
    if issued_on is None:
        issued_on = due_on - timedelta(days=14) if due_on else today() - timedelta(days=5)
    due_on = due_on or issued_on + timedelta(days=14)
    gross = 5000 * lines if gross is None else gross
    line_gross = [gross // lines + (gross % lines if i == lines - 1 else 0) for i in range(lines)]
    line_net = [round(g / (1 + VAT_RATE)) for g in line_gross]
    invoice = await Invoice.create(
        customer=customer,
        number=number or sequences.invoice_number(),
        period_start=issued_on.replace(day=1),
        period_end=issued_on.replace(day=28),
        issued_on=issued_on,
        due_on=due_on,
        net=sum(line_net),
        vat=gross - sum(line_net),
        gross=gross,
        status=status,
        paid_at=now() if status is InvoiceStatus.PAID else None,
    )
    await InvoiceLine.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=i + 1,
                description=f"Abonament pakiet {i + 1} — żółć",
                unit_net=net,
                net=net,
                vat=g - net,
                gross=g,
            )
            for i, (g, net) in enumerate(zip(line_gross, line_net, strict=True))
        ]
    )
    return invoice


async def make_payment(
    customer: Customer,
    invoices: list[Invoice] | None = None,
    *,
    amount: int | None = None,
    status: PaymentStatus = PaymentStatus.PAID,
    purpose: PaymentPurpose = PaymentPurpose.INVOICES,
) -> Payment:
    """A BLIK payment through the sandbox for ``invoices`` (their gross by default, else
    ``amount`` grosze, else 10 zł), paid now unless ``status`` says otherwise."""
    payment = await Payment.create(
        customer=customer,
        purpose=purpose,
        amount=amount or sum(i.gross for i in invoices or []) or 1000,
        method=PaymentMethod.BLIK,
        provider="sandbox",
        status=status,
        idempotency_key=sequences.idempotency_key(),
        created_at=now(),
        paid_at=now() if status is PaymentStatus.PAID else None,
    )
    if invoices:
        await payment.invoices.add(*invoices)
    return payment
