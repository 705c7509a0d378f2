"""Read side of the billing domain's invoices: invoices (with lines and the overdue rule),
upcoming payments with the next expected charge. Payments (made, read, and which invoices they
paid) live in ``services.payments``; the wallet is its own domain (``services.wallet``).

Invoices are priced in gross amounts (what the catalogue shows, VAT included), so the VAT of an
invoice is computed per rate from that rate's gross total (``vat_summary``), not summed from lines.

Billing periods are calendar months (of Warsaw calendar days, ``backend.clock``) invoiced on the
first day of the next month (as in ``services.subscriptions``); the next expected charge is the
customer's next invoice (``subscriptions.next_invoice``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from stdnum import iban
from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from backend.clock import today
from backend.config import Settings
from backend.models import Customer, Invoice, InvoiceLine, Service, Subscription
from backend.models.enums import InvoiceStatus, ServiceStatus, SuspensionReason
from backend.services import devices
from backend.services.batch import group
from backend.services.ownership import visible
from backend.services.paging import Keyset, Page, paginate
from backend.services.subscriptions import next_invoice, period_end

INVOICES = Keyset("invoices", (("issued_on", "date"), ("id", "int")))
PAYMENT_TERM_DAYS = 14


class InvoiceFilter(StrEnum):
    """What the invoice list can be filtered by: a stored status, or OVERDUE (unpaid and past
    its due date), which is computed from the due date and today."""

    UNPAID = "unpaid"
    PAID = "paid"
    CANCELLED = "cancelled"
    OVERDUE = "overdue"


def is_overdue(invoice: Invoice, day: date | None = None) -> bool:
    """Unpaid and its due day has ended: ``due_on`` is before ``day`` (default today, a Warsaw
    calendar day), so an invoice due 2026-12-01 is overdue from 00:00 on 2 December in Warsaw."""
    return invoice.status is InvoiceStatus.UNPAID and invoice.due_on < (day or today())


def overdue_on(day: date | None = None) -> Q:
    """:func:`is_overdue` as a query on invoices."""
    return Q(status=InvoiceStatus.UNPAID, due_on__lt=day or today())


def days_overdue(invoice: Invoice, day: date | None = None) -> int:
    """Whole Warsaw calendar days since the due day (1 on the day after it), 0 unless overdue."""
    return max(0, ((day or today()) - invoice.due_on).days) if is_overdue(invoice, day) else 0


async def in_debt(customer_id: int) -> bool:
    """True while the customer owes: an invoice is overdue (``is_overdue``, as a query) or a
    service is still suspended for debt (it comes back only once the debt is paid). Always two
    statements, whatever the data."""
    overdue = await Invoice.filter(overdue_on(), customer_id=customer_id).exists()
    suspended = await Service.filter(
        customer_id=customer_id,
        status=ServiceStatus.SUSPENDED,
        suspension_reason=SuspensionReason.DEBT,
    ).exists()
    return overdue or suspended


# --- What an invoice prints of the seller, the buyer and the account (snapshots) ---------------


def seller_snapshot(settings: Settings) -> dict[str, str]:
    """The seller as an invoice made now prints it, from the settings (``Invoice.seller``):
    ``{"name", "address", "nip", "bank_name", "issue_place"}``, the NIP as 10 digits."""
    return {
        "name": settings.operator_name,
        "address": settings.operator_address,
        "nip": settings.seller_nip,
        "bank_name": settings.bank_name,
        "issue_place": settings.issue_place,
    }


def buyer_snapshot(customer: Customer) -> dict[str, str]:
    """The buyer as an invoice made now prints it, from the customer's current data
    (``Invoice.buyer``): ``{"name", "street", "postal_code", "city"}``."""
    return {
        "name": customer.full_name,
        "street": customer.street,
        "postal_code": customer.postal_code,
        "city": customer.city,
    }


def payment_account(settings: Settings, customer_id: int) -> str:
    """The IBAN (compact, no spaces) a customer's invoices are paid to: the fixed
    ``ICOK_BANK_ACCOUNT`` when set, else the customer's individual (virtual) account, a Polish
    IBAN whose account part is the bank's sort code and the customer's id in 16 digits, so the
    operator matches incoming transfers to the customer."""
    if settings.bank_account:
        return settings.bank_account
    bban = f"{settings.bank_routing}{customer_id:016d}"
    return f"PL{iban.calc_check_digits('PL00' + bban)}{bban}"


# --- Rule: VAT of an invoice priced in gross amounts (the one definition) -----------------------


def vat_from_gross(gross: int, rate: int) -> int:
    """The VAT contained in ``gross`` grosze at ``rate`` percent: gross x rate / (100 + rate),
    rounded to a full grosz, half a grosz and more up, less dropped (art. 106e ust. 11 of the
    VAT act); symmetric for negative amounts (corrections). 13131 at 23 % -> 2455."""
    numerator, denominator = 2 * abs(gross) * rate, 2 * (100 + rate)
    vat = (numerator + (100 + rate)) // denominator
    return vat if gross >= 0 else -vat


class GrossLine(Protocol):
    """What ``vat_summary`` reads of an invoice line (``models.InvoiceLine`` has both)."""

    @property
    def vat_rate(self) -> int: ...

    @property
    def gross(self) -> int: ...


@dataclass(frozen=True)
class RateTotal:
    """The totals of one VAT rate on an invoice, grosze (``rate`` in percent)."""

    rate: int
    net: int
    vat: int
    gross: int


def vat_summary(lines: Iterable[GrossLine]) -> list[RateTotal]:
    """The invoice's summary per VAT rate, lowest rate first: for each rate the gross total of
    its lines, the VAT computed once from that total (``vat_from_gross``) and net = gross - VAT
    (art. 106e ust. 7-8: an invoice in gross prices computes the tax from the sum of the gross
    values of a rate). Four 23 % lines of 89.99, 29.99, 8.00 and 3.33 zl give gross 131.31,
    VAT 24.55, net 106.76 (summing per-line rounded VAT would give 24.56)."""
    gross_by_rate: dict[int, int] = {}
    for line in lines:
        gross_by_rate[line.vat_rate] = gross_by_rate.get(line.vat_rate, 0) + line.gross
    summary = []
    for rate, gross in sorted(gross_by_rate.items()):
        vat = vat_from_gross(gross, rate)
        summary.append(RateTotal(rate=rate, net=gross - vat, vat=vat, gross=gross))
    return summary


def invoice_totals(summary: Iterable[RateTotal]) -> tuple[int, int, int]:
    """(net, VAT, gross) of the whole invoice: the sums over its rates (``vat_summary``)."""
    rows = list(summary)
    return sum(r.net for r in rows), sum(r.vat for r in rows), sum(r.gross for r in rows)


async def invoices_page(
    customer_id: int,
    *,
    status: InvoiceFilter | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[Invoice]:
    query = visible(Invoice, customer_id)
    if status is InvoiceFilter.OVERDUE:
        query = query.filter(status=InvoiceStatus.UNPAID, due_on__lt=today())
    elif status is not None:
        query = query.filter(status=InvoiceStatus(status.value))
    return await paginate(query, INVOICES, first=first, after=after)


UPCOMING_INVOICES, UPCOMING_INVOICES_MAX = 5, 20
"""Unpaid invoices the start screen lists by default, and at most (the rest are counted)."""


async def unpaid_invoices(customer_id: int, first: int = UPCOMING_INVOICES) -> list[Invoice]:
    """The first ``first`` unpaid invoices (clamped to 0..:data:`UPCOMING_INVOICES_MAX`), the
    one due first at the top (then by id). One statement."""
    limit = max(0, min(first, UPCOMING_INVOICES_MAX))
    if limit == 0:
        return []
    rows = visible(Invoice, customer_id).filter(status=InvoiceStatus.UNPAID)
    return list(await rows.order_by("due_on", "id").limit(limit))


@dataclass(frozen=True)
class Unpaid:
    """The customer's unpaid invoices in figures (grosze): all of them, and the overdue ones
    (:func:`is_overdue`)."""

    count: int
    total: int
    overdue_count: int
    overdue_total: int


async def unpaid(customer_id: int, day: date | None = None) -> Unpaid:
    """:class:`Unpaid` on ``day`` (default today), counted and summed in SQL: one statement
    whatever the number of invoices."""
    overdue = overdue_on(day)
    row = (
        await visible(Invoice, customer_id)
        .filter(status=InvoiceStatus.UNPAID)
        .annotate(
            n=Count("id"),
            total=Sum("gross"),
            overdue_n=Count("id", _filter=overdue),
            overdue_total=Sum("gross", _filter=overdue),
        )
        .first()
        .values("n", "total", "overdue_n", "overdue_total")
    )
    row = row or {}
    return Unpaid(
        count=int(row.get("n") or 0),
        total=int(row.get("total") or 0),
        overdue_count=int(row.get("overdue_n") or 0),
        overdue_total=int(row.get("overdue_total") or 0),
    )


async def unpaid_total(customer_id: int, invoice_ids: Sequence[int]) -> int:
    """What paying ``invoice_ids`` together costs, in grosze: the gross sum of those that are the
    customer's unpaid invoices (others count nothing). It is the amount
    ``payments.start_invoice_payment`` charges for them, shown before the customer leaves for the
    provider's page."""
    rows = visible(Invoice, customer_id).filter(id__in=invoice_ids, status=InvoiceStatus.UNPAID)
    return sum(invoice.gross for invoice in await rows)


async def lines_by_invoice(customer_id: int, ids: Sequence[int]) -> dict[int, list[InvoiceLine]]:
    rows = await visible(InvoiceLine, customer_id).filter(invoice_id__in=ids).order_by("position")
    return group(rows, "invoice_id")


@dataclass(frozen=True)
class ExpectedCharge:
    """The customer's next invoice (``subscriptions.next_invoice``), grosze."""

    issued_on: date
    due_on: date
    period_start: date
    period_end: date
    amount: int


def next_charge(
    subscriptions: Sequence[Subscription], day: date | None = None
) -> ExpectedCharge | None:
    """The invoice issued on the first day of next month for next month (grosze): the
    customer's next invoice (``subscriptions.next_invoice``: every service's monthly fee plus
    the pro-rata charges of packages added this month, the figure a quote promises); None when
    nothing will be charged."""
    day = day or today()
    invoice = next_invoice(subscriptions, day)
    start = invoice.issued_on
    end = period_end(start)
    amount = invoice.total
    if amount <= 0:
        return None
    return ExpectedCharge(
        issued_on=start,
        due_on=start + timedelta(days=PAYMENT_TERM_DAYS),
        period_start=start,
        period_end=end,
        amount=amount,
    )


async def lift_debt_suspensions(settings: Settings, customer_id: int) -> list[Service]:
    """Once none of the customer's invoices is overdue (``is_overdue``), bring back their
    services suspended for debt (other suspensions stay) and queue a signal refresh for each,
    so the card gets its entitlements again. Returns the services brought back (each by a
    conditional UPDATE: concurrent callers bring a service back once). Called after every
    payment of invoices, in the portal (``payments``) or outside it (the operator's feed)."""
    overdue = await Invoice.filter(overdue_on(), customer_id=customer_id).exists()
    if overdue:
        return []
    restored = []
    suspended = await Service.filter(
        customer_id=customer_id,
        status=ServiceStatus.SUSPENDED,
        suspension_reason=SuspensionReason.DEBT,
    )
    for service in suspended:
        if await Service.filter(id=service.id, status=ServiceStatus.SUSPENDED).update(
            status=ServiceStatus.ACTIVE, suspension_reason=None, suspended_at=None
        ):
            service.status = ServiceStatus.ACTIVE
            await devices.queue_signal_refresh(settings, service)
            restored.append(service)
    return restored
