"""``PackageQuote``: what adding a package does to the next invoice (shown before and after)."""

from __future__ import annotations

from datetime import date

import strawberry

from backend.schema.catalog.types import Package
from backend.schema.scalars import Money
from backend.schema.subscriptions.types import Service
from backend.services import subscriptions


@strawberry.type(description="The effect of adding a package: when it starts and what it costs.")
class PackageQuote:
    service: Service
    package: Package
    effective_on: date = strawberry.field(description="The day the package becomes active.")
    billing_period_end: date = strawberry.field(description="Last day of the current period.")
    prorated_amount: Money = strawberry.field(
        description="Pro-rata charge from effectiveOn to the end of the period (on the next invoice)."
    )
    monthly_price: Money = strawberry.field(
        description="Its price this month: the offer's when one is accepted, else the list price."
    )
    regular_price: Money = strawberry.field(description="The list price (after any offer).")
    promo_until: date | None = strawberry.field(
        description="Last day at the offer's price; null without an offer."
    )
    current_monthly_total: Money = strawberry.field(
        description="What the service's packages cost per month now (from the next period)."
    )
    new_monthly_total: Money = strawberry.field(description="The monthly total with the package.")
    next_invoice_on: date
    next_invoice_total: Money = strawberry.field(
        description="The customer's next invoice (all services) with the package: every service's "
        "monthly fee plus the pro-rata charges of packages added this period (= nextCharge)."
    )

    @classmethod
    def from_quote(cls, quote: subscriptions.PackageQuote) -> PackageQuote:
        return cls(
            service=Service.from_model(quote.service),
            package=Package.from_model(quote.package),
            effective_on=quote.effective_on,
            billing_period_end=quote.period_end,
            prorated_amount=Money.of(quote.prorated_amount),
            monthly_price=Money.of(quote.monthly_price),
            regular_price=Money.of(quote.package.monthly_price),
            promo_until=quote.promo_until,
            current_monthly_total=Money.of(quote.current_monthly_total),
            new_monthly_total=Money.of(quote.new_monthly_total),
            next_invoice_on=quote.next_invoice_on,
            next_invoice_total=Money.of(quote.next_invoice_total),
        )
