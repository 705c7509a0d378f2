"""Invoices with their lines, and payments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from backend.clock import now, today
from backend.models import Customer, Invoice, InvoiceLine, Payment
from backend.models.enums import InvoiceStatus, PaymentMethod, PaymentPurpose, PaymentStatus
from backend.services.billing import invoice_totals, vat_from_gross, vat_summary
from tests.factories import sequences

VAT_RATE = 23


async def make_invoice(
    customer: Customer,
    *,
    issued_on: date | None = None,
    due_on: date | None = None,
    gross: int | None = None,
    lines: int = 2,
    status: InvoiceStatus = InvoiceStatus.UNPAID,
    number: str | None = None,
    line_gross: Sequence[int] | None = None,
    **overrides: Any,
) -> Invoice:
    """An invoice with ``lines`` lines of 50 zł gross each (amounts in grosze), or ``gross``
    split over the lines, or one line per amount of ``line_gross``; all at 23 % VAT, the totals
    computed per rate as the product does (``billing.vat_summary``). Issued 5 days ago
    and due 14 days after issue by default (issued 14 days before ``due_on`` when only that is
    given); the number comes from one sequence unless ``number``; ``overrides`` set any other
    column (``seller={...}``, ``footer=...``: by default none of the snapshots, as an invoice
    made before them)."""
    if issued_on is None:
        issued_on = due_on - timedelta(days=14) if due_on else today() - timedelta(days=5)
    due_on = due_on or issued_on + timedelta(days=14)
    if line_gross is None:
        gross = 5000 * lines if gross is None else gross
        line_gross = [
            gross // lines + (gross % lines if i == lines - 1 else 0) for i in range(lines)
        ]
    rows = [
        InvoiceLine(
            position=i + 1,
            description=f"Abonament pakiet {i + 1} — żółć",
            unit_net=g - vat_from_gross(g, VAT_RATE),
            net=g - vat_from_gross(g, VAT_RATE),
            vat_rate=VAT_RATE,
            vat=vat_from_gross(g, VAT_RATE),
            gross=g,
        )
        for i, g in enumerate(line_gross)
    ]
    net, vat, gross = invoice_totals(vat_summary(rows))
    invoice = await Invoice.create(
        customer=customer,
        number=number or sequences.invoice_number(),
        period_start=issued_on.replace(day=1),
        period_end=issued_on.replace(day=28),
        issued_on=issued_on,
        due_on=due_on,
        net=net,
        vat=vat,
        gross=gross,
        status=status,
        paid_at=now() if status is InvoiceStatus.PAID else None,
        **overrides,
    )
    for row in rows:
        row.invoice = invoice
    await InvoiceLine.bulk_create(rows)
    return invoice


async def make_payment(
    customer: Customer,
    invoices: list[Invoice] | None = None,
    *,
    amount: int | None = None,
    status: PaymentStatus = PaymentStatus.PAID,
    purpose: PaymentPurpose = PaymentPurpose.INVOICES,
    **overrides: Any,
) -> Payment:
    """A BLIK payment through the sandbox for ``invoices`` (their gross by default, else
    ``amount`` grosze, else 10 zł), paid now unless ``status`` says otherwise; ``overrides``
    set any other column (``provider="payu"``, ``provider_order_id=...``)."""
    payment = await Payment.create(
        **{
            "customer": customer,
            "purpose": purpose,
            "amount": amount or sum(i.gross for i in invoices or []) or 1000,
            "method": PaymentMethod.BLIK,
            "provider": "sandbox",
            "status": status,
            "idempotency_key": sequences.idempotency_key(),
            "created_at": now(),
            "paid_at": now() if status is PaymentStatus.PAID else None,
            **overrides,
        }
    )
    if invoices:
        await payment.invoices.add(*invoices)
    return payment
