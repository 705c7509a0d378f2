"""Viewer fields of the billing domain (invoices, payments). Mixed into ``Viewer``."""

from __future__ import annotations

import strawberry

from backend.schema.billing.types import ExpectedCharge, Invoice, Payment, UpcomingPayments
from backend.schema.context import Info
from backend.schema.enums import InvoiceFilter
from backend.schema.loaders import loaders
from backend.schema.pagination import After, Connection, First, connection
from backend.schema.relay import from_global_id
from backend.schema.scalars import Money
from backend.services import billing, payments


@strawberry.type
class BillingFields:
    customer_id: strawberry.Private[int]

    @strawberry.field(description="Invoices, newest first; filter by status or OVERDUE.")
    async def invoices(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: InvoiceFilter | None = None,
    ) -> Connection[Invoice]:
        return await connection(
            info.context.language,
            lambda: billing.invoices_page(
                self.customer_id, status=status, first=first, after=after
            ),
            Invoice.from_model,
        )

    @strawberry.field(description="Unpaid invoices and the next expected charge.")
    async def upcoming_payments(self, info: Info) -> UpcomingPayments:
        return await upcoming_payments(info, self.customer_id)

    @strawberry.field(
        description="What paying these invoices together costs (what payInvoices charges): the "
        "sum of those that are the customer's unpaid invoices; other IDs count nothing."
    )
    async def unpaid_total(self, info: Info, invoice_ids: list[strawberry.ID]) -> Money:
        parsed = [from_global_id(i) for i in invoice_ids[: payments.MAX_INVOICES]]
        ids = [p[1] for p in parsed if p and p[0] == "Invoice"]
        return Money.of(await billing.unpaid_total(self.customer_id, ids))

    @strawberry.field(description="Payment history, newest first.")
    async def payments(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Payment]:
        return await connection(
            info.context.language,
            lambda: payments.payments_page(self.customer_id, first=first, after=after),
            Payment.from_model,
        )


async def upcoming_payments(info: Info, customer_id: int) -> UpcomingPayments:
    """``viewer.upcomingPayments`` (also on the dashboard)."""
    unpaid = await billing.unpaid(customer_id)
    subs = await loaders(info).customer_subscriptions.load(customer_id)
    charge = billing.next_charge(subs)
    return UpcomingPayments(
        customer_id=customer_id,
        unpaid_count=unpaid.count,
        total_due=Money.of(unpaid.total),
        overdue_total=Money.of(unpaid.overdue_total),
        overdue_count=unpaid.overdue_count,
        next_charge=ExpectedCharge.from_charge(charge) if charge else None,
    )
