"""Mutations of the billing domain: paying invoices and topping up the wallet.

Both return the PENDING payment and the provider's ``redirectUrl``; the provider sends the
customer back to ``/payments/return?payment=<id>&status=...`` and the ``payment(id)`` query shows
the settled status.
"""

from __future__ import annotations

import strawberry
from strawberry.permission import BasePermission

from backend.schema.billing.types import Payment
from backend.schema.context import Info
from backend.schema.enums import PaymentMethod
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.permissions import IsAuthenticated
from backend.schema.relay import decode_id
from backend.services import payments

AUTH: list[type[BasePermission]] = [IsAuthenticated]
KEY_HELP = (
    "A client-generated key (8-64 of A-Z a-z 0-9 _ - : .), new for each payment the customer "
    "means to make; retrying with the same key returns the same payment."
)


@strawberry.input
class PayInvoicesInput:
    invoice_ids: list[strawberry.ID]
    method: PaymentMethod
    idempotency_key: str = strawberry.field(description=KEY_HELP)


@strawberry.input
class TopUpWalletInput:
    amount: str = strawberry.field(
        description='Decimal string in PLN, e.g. "50" or "12.50", within '
        "`Wallet.topUpMin` and `Wallet.topUpMax`."
    )
    method: PaymentMethod
    idempotency_key: str = strawberry.field(description=KEY_HELP)


@strawberry.type
class StartPaymentPayload:
    payment: Payment | None = None
    redirect_url: str | None = strawberry.field(
        default=None, description="Send the customer's browser here to pay (the provider's page)."
    )
    errors: list[UserError]

    @classmethod
    def of(cls, started: payments.StartedPayment) -> StartPaymentPayload:
        return cls(
            payment=Payment.from_model(started.payment),
            redirect_url=started.redirect_url,
            errors=[],
        )


@strawberry.type
class Mutation:
    @mutation(description="Start paying unpaid invoices.", permission_classes=AUTH)
    async def pay_invoices(self, info: Info, input: PayInvoicesInput) -> StartPaymentPayload:
        ctx = info.context
        ids = [decode_id(i, "Invoice", field="invoiceIds") for i in input.invoice_ids]
        started = await payments.start_invoice_payment(
            ctx.settings,
            ctx.viewer_id,
            ids,
            input.method.value,
            input.idempotency_key,
            meta=ctx.meta,
        )
        return StartPaymentPayload.of(started)

    @mutation(description="Start topping up the VOD / PPV wallet.", permission_classes=AUTH)
    async def top_up_wallet(self, info: Info, input: TopUpWalletInput) -> StartPaymentPayload:
        ctx = info.context
        started = await payments.start_top_up(
            ctx.settings,
            ctx.viewer_id,
            input.amount,
            input.method.value,
            input.idempotency_key,
            meta=ctx.meta,
        )
        return StartPaymentPayload.of(started)
