"""``upsertInvoices``, ``upsertInvoicePayments`` and ``upsertUsage``: the operator's billing
(``backend.services.feed.billing``), keyed by invoice number and by service and billing period.
Amounts are integer grosze."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from backend.operator.context import OperatorInfo
from backend.operator.feed import FeedPayload, upsert
from backend.operator.permissions import requires
from backend.schema.enums import FeedInvoiceStatus
from backend.schema.mutation import mutation
from backend.services.operator_keys import Scope


@strawberry.input(description="One line of an invoice in gross prices (art. 106e ust. 7-8).")
class InvoiceLineInput:
    description: str = strawberry.field(description="At most 200 characters.")
    quantity: int | None = strawberry.field(default=None, description="At least 1 (default 1).")
    unit_gross: int = strawberry.field(description="The unit price with VAT, grosze.")
    vat_rate: int = strawberry.field(description="Percent: 23, 8, 5 or 0.")
    net: int = strawberry.field(description="gross - vat, grosze.")
    vat: int = strawberry.field(
        description="The line's gross x rate / (100 + rate), rounded half up, grosze."
    )
    gross: int = strawberry.field(description="unitGross x quantity, grosze.")


@strawberry.input(description="The buyer as the invoice prints it.")
class InvoiceBuyerInput:
    name: str
    street: str | None = None
    postal_code: str | None = strawberry.field(default=None, description="NN-NNN.")
    city: str | None = None


@strawberry.input(description="An invoice, keyed by its number.")
class InvoiceInput:
    number: str = strawberry.field(description="The invoice number (at most 32).")
    customer_number: str
    contract_number: str | None = strawberry.field(
        default=None, description="One of the customer's contracts."
    )
    period_start: date
    period_end: date
    issued_on: date
    due_on: date = strawberry.field(description="Not before issuedOn.")
    net: int = strawberry.field(description="The sum of the per-rate nets, grosze.")
    vat: int = strawberry.field(
        description="The sum of the per-rate VAT, each from the rate's gross total, grosze."
    )
    gross: int = strawberry.field(description="The sum of the lines' gross, grosze.")
    lines: list[InvoiceLineInput] = strawberry.field(description="1 to 100 lines.")
    buyer: InvoiceBuyerInput | None = strawberry.field(
        default=None, description="Default: the customer's data when the invoice is created."
    )
    bank_account: str | None = strawberry.field(
        default=None, description="An IBAN; default: the customer's account from the settings."
    )
    status: FeedInvoiceStatus | None = strawberry.field(
        default=None, description="UNPAID (default) or CANCELLED; PAID comes with a payment."
    )


@strawberry.input
class UpsertInvoicesInput:
    items: list[InvoiceInput] = strawberry.field(description="At most 500 invoices.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


@strawberry.input(description="An invoice paid outside the portal, keyed by its number.")
class InvoicePaymentInput:
    invoice_number: str
    paid_at: datetime = strawberry.field(description="With its offset.")
    amount: int = strawberry.field(description="The invoice's gross, grosze.")
    reference: str | None = strawberry.field(
        default=None, description="The payment's reference, e.g. the transfer's id (at most 64)."
    )


@strawberry.input
class RecordInvoicePaymentsInput:
    items: list[InvoicePaymentInput] = strawberry.field(description="At most 500 payments.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


@strawberry.input(description="A usage reading of a service in one billing period.")
class UsageInput:
    service_identifier: str
    period_start: date
    period_end: date
    data_used_mb: int
    data_limit_mb: int | None = strawberry.field(default=None, description="Null: no limit.")
    read_at: datetime = strawberry.field(
        description="When it was read (with its offset): an older reading changes nothing."
    )


@strawberry.input
class UpsertUsageInput:
    items: list[UsageInput] = strawberry.field(description="At most 500 readings.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


@strawberry.type
class Mutation:
    @mutation(
        description="Create or update invoices with their lines by invoice number "
        "(scope billing:write).",
        permission_classes=[requires(Scope.BILLING_WRITE)],
    )
    async def upsert_invoices(self, info: OperatorInfo, input: UpsertInvoicesInput) -> FeedPayload:
        return await upsert(info, "invoice", input.items, dry_run=input.dry_run)

    @mutation(
        description="Mark invoices paid outside the portal, e.g. by a bank transfer "
        "(scope billing:write).",
        permission_classes=[requires(Scope.BILLING_WRITE)],
    )
    async def record_invoice_payments(
        self, info: OperatorInfo, input: RecordInvoicePaymentsInput
    ) -> FeedPayload:
        return await upsert(info, "invoice_payment", input.items, dry_run=input.dry_run)

    @mutation(
        description="Record usage readings per service and billing period (scope usage:write).",
        permission_classes=[requires(Scope.USAGE_WRITE)],
    )
    async def upsert_usage(self, info: OperatorInfo, input: UpsertUsageInput) -> FeedPayload:
        return await upsert(info, "usage", input.items, dry_run=input.dry_run)
