"""Invoices with their lines, payments, and the upcoming payments summary."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from backend import models as m
from backend.schema.context import Info
from backend.schema.enums import InvoiceStatus, PaymentMethod, PaymentPurpose, PaymentStatus
from backend.schema.loaders import loaders
from backend.schema.relay import Node, register_model_node, to_global_id
from backend.schema.scalars import Money
from backend.services import billing, payments

if TYPE_CHECKING:
    from backend.schema.subscriptions.types import Contract


@strawberry.type(description="One line of an invoice.")
class InvoiceLine:
    position: int
    description: str
    quantity: int
    unit_net: Money = strawberry.field(
        description="Net unit price, rounded per line (informative: see `net`)."
    )
    net: Money = strawberry.field(
        description="Net value of the line, rounded per line. Informative only: the invoice's "
        "tax is computed per rate from the rates' gross totals (`Invoice.vatSummary`, art. 106e "
        "ust. 7-8 of the VAT act), so lines' `net` and `vat` may differ from it by a grosz."
    )
    vat_rate: int = strawberry.field(description="VAT rate in percent, e.g. 23.")
    vat: Money = strawberry.field(
        description="VAT of the line, rounded per line. Informative only: the tax the invoice "
        "charges is in `Invoice.vatSummary` (per rate)."
    )
    gross: Money = strawberry.field(description="Gross value of the line: what the customer pays.")

    @classmethod
    def from_model(cls, row: m.InvoiceLine) -> InvoiceLine:
        return cls(
            position=row.position,
            description=row.description,
            quantity=row.quantity,
            unit_net=Money.of(row.unit_net),
            net=Money.of(row.net),
            vat_rate=row.vat_rate,
            vat=Money.of(row.vat),
            gross=Money.of(row.gross),
        )


@strawberry.type(
    description="The totals of one VAT rate on an invoice: the VAT computed once from the "
    "rate's gross total (invoices are priced in gross amounts)."
)
class VatRateTotal:
    vat_rate: int = strawberry.field(description="VAT rate in percent, e.g. 23.")
    net: Money
    vat: Money
    gross: Money

    @classmethod
    def from_total(cls, total: billing.RateTotal) -> VatRateTotal:
        return cls(
            vat_rate=total.rate,
            net=Money.of(total.net),
            vat=Money.of(total.vat),
            gross=Money.of(total.gross),
        )


@strawberry.type(description="An invoice (Faktura VAT).")
class Invoice(Node):
    pk: strawberry.Private[int]
    contract_id: strawberry.Private[int | None]
    number: str
    period_start: date
    period_end: date
    issued_on: date
    due_on: date
    net: Money
    vat: Money
    gross: Money
    status: InvoiceStatus
    paid_at: datetime | None
    overdue: bool = strawberry.field(
        description="Unpaid and past the due date (as of today in Warsaw)."
    )
    days_overdue: int

    @classmethod
    def from_model(cls, row: m.Invoice) -> Invoice:
        return cls(
            id=to_global_id("Invoice", row.id),
            pk=row.id,
            contract_id=row.contract_id,
            number=row.number,
            period_start=row.period_start,
            period_end=row.period_end,
            issued_on=row.issued_on,
            due_on=row.due_on,
            net=Money.of(row.net),
            vat=Money.of(row.vat),
            gross=Money.of(row.gross),
            status=row.status,
            paid_at=row.paid_at,
            overdue=billing.is_overdue(row),
            days_overdue=billing.days_overdue(row),
        )

    @strawberry.field
    async def lines(self, info: Info) -> list[InvoiceLine]:
        rows = await loaders(info).lines_by_invoice.load(self.pk)
        return [InvoiceLine.from_model(r) for r in rows]

    @strawberry.field(description="Totals per VAT rate, lowest rate first.")
    async def vat_summary(self, info: Info) -> list[VatRateTotal]:
        rows = await loaders(info).lines_by_invoice.load(self.pk)
        return [VatRateTotal.from_total(t) for t in billing.vat_summary(rows)]

    @strawberry.field(description="Download address of the PDF (needs the same session).")
    def pdf_url(self, info: Info) -> str:
        return f"{info.context.settings.base_url}/invoices/{self.id}.pdf"

    @strawberry.field(description="The contract it bills, if any.")
    async def contract(
        self, info: Info
    ) -> Annotated[Contract, strawberry.lazy("backend.schema.subscriptions.types")] | None:
        from backend.schema.subscriptions.types import Contract

        if self.contract_id is None:
            return None
        row = await loaders(info).objects(m.Contract).load(self.contract_id)
        return Contract.from_model(row) if row else None

    @strawberry.field(description="Payments that covered (or tried to cover) this invoice.")
    async def payments(self, info: Info) -> list[Payment]:
        rows = await loaders(info).payments_by_invoice.load(self.pk)
        return [Payment.from_model(r) for r in rows]


register_model_node("Invoice", m.Invoice, Invoice.from_model)


@strawberry.type(description="A payment through a payment provider.")
class Payment(Node):
    pk: strawberry.Private[int]
    purpose: PaymentPurpose
    amount: Money
    method: PaymentMethod
    provider: str
    status: PaymentStatus
    created_at: datetime
    paid_at: datetime | None
    failure_reason: str

    @classmethod
    def from_model(cls, row: m.Payment) -> Payment:
        return cls(
            id=to_global_id("Payment", row.id),
            pk=row.id,
            purpose=row.purpose,
            amount=Money.of(row.amount, row.currency),
            method=row.method,
            provider=row.provider,
            status=row.status,
            created_at=row.created_at,
            paid_at=row.paid_at,
            failure_reason=row.failure_reason,
        )

    @strawberry.field(description="The invoices it pays (empty for a wallet top-up).")
    async def invoices(self, info: Info) -> list[Invoice]:
        rows = await loaders(info).invoices_by_payment.load(self.pk)
        return [Invoice.from_model(r) for r in rows]

    @strawberry.field(
        description="What it pays, in the reader's language: \"Faktury FV/2026/11/0001, "
        'FV/2026/11/0002" / "Invoices …", "Doładowanie portmonetki" / "Wallet top-up".'
    )
    async def title(self, info: Info) -> str:
        rows = await loaders(info).invoices_by_payment.load(self.pk)
        numbers = [r.number for r in rows]
        return payments.title(self.purpose, numbers, info.context.language)


register_model_node("Payment", m.Payment, Payment.from_model)


@strawberry.type(description="The next invoice the active subscriptions will produce.")
class ExpectedCharge:
    issued_on: date
    due_on: date
    period_start: date
    period_end: date
    amount: Money

    @classmethod
    def from_charge(cls, charge: billing.ExpectedCharge) -> ExpectedCharge:
        return cls(
            issued_on=charge.issued_on,
            due_on=charge.due_on,
            period_start=charge.period_start,
            period_end=charge.period_end,
            amount=Money.of(charge.amount),
        )


@strawberry.type(description="What the customer has to pay: unpaid invoices and what comes next.")
class UpcomingPayments:
    customer_id: strawberry.Private[int]

    @strawberry.field(
        description=(
            "Unpaid invoices, due first on top: the first `first` "
            f"({billing.UPCOMING_INVOICES} by default, at most {billing.UPCOMING_INVOICES_MAX}); "
            "unpaidCount says how many there are."
        )
    )
    async def invoices(self, first: int = billing.UPCOMING_INVOICES) -> list[Invoice]:
        rows = await billing.unpaid_invoices(self.customer_id, first=first)
        return [Invoice.from_model(i) for i in rows]

    unpaid_count: int = strawberry.field(description="Unpaid invoices, all of them.")
    total_due: Money
    overdue_total: Money
    overdue_count: int
    next_charge: ExpectedCharge | None = strawberry.field(
        description="The next invoice: every service's monthly fee plus the pro-rata charges of "
        "packages added this period (what a quote's nextInvoiceTotal promises)."
    )
