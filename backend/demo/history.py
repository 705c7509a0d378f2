"""Twelve months of invoices and payments, and the wallet ledger, for one demo customer.

Billing follows ``services.billing``: a calendar month is invoiced on the first day of the next
month, payable within 14 days. A subscription that started during a month is charged pro rata
for that month (``services.subscriptions.prorate``). Lines keep the advertised gross price;
the invoice's VAT is computed per rate from the gross total (``services.billing.vat_summary``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from backend.clock import at_local, now, today
from backend.config import Settings
from backend.demo.dates import VAT_RATE, add_months
from backend.demo.people import CustomerSpec
from backend.models import (
    Customer,
    Invoice,
    InvoiceLine,
    Payment,
    Purchase,
    Service,
    Subscription,
    Title,
    Wallet,
    WalletTransaction,
)
from backend.models.enums import (
    InvoiceStatus,
    PaymentMethod,
    PaymentPurpose,
    PaymentStatus,
    TitleKind,
    WalletTransactionKind,
)
from backend.services.billing import (
    buyer_snapshot,
    invoice_totals,
    payment_account,
    seller_snapshot,
    vat_from_gross,
    vat_summary,
)
from backend.services.subscriptions import prorate

MONTHS = 12
PAYMENT_TERM_DAYS = 14
PROVIDER = "sandbox"


def billing_periods(day: date, months: int = MONTHS) -> list[tuple[date, date]]:
    """The last ``months`` complete calendar months before ``day``, newest first."""
    first = day.replace(day=1)
    periods = []
    for i in range(1, months + 1):
        start = add_months(first, -i)
        periods.append((start, add_months(start, 1) - timedelta(days=1)))
    return periods


@dataclass(frozen=True)
class Charge:
    description: str
    gross: int


def _charges(subs: list[Subscription], start: date, end: date) -> list[Charge]:
    charges = []
    for sub in subs:
        if sub.starts_on > end or (sub.ends_on is not None and sub.ends_on < start):
            continue
        service: Service = sub.service
        what = f"Abonament {sub.package.name}, {_service_label(service)}"
        if sub.starts_on > start:
            gross = prorate(sub.monthly_price, sub.starts_on)
            period = f"{sub.starts_on:%d.%m}–{end:%d.%m.%Y}"
        else:
            gross = sub.monthly_price
            period = f"{start:%d.%m}–{end:%d.%m.%Y}"
        charges.append(Charge(f"{what}, {period}"[:200], gross))
    return charges


def _service_label(service: Service) -> str:
    if len(service.identifier) == 12:
        return f"karta {service.identifier}"
    return f"nr {service.identifier}"


@dataclass
class BillingResult:
    invoices: list[Invoice]
    overdue_total: int


async def seed_invoices(
    settings: Settings,
    spec: CustomerSpec,
    customer: Customer,
    contract_id: int,
    subs: list[Subscription],
) -> BillingResult:
    """Invoices (newest unpaid until the customer's usual payment day), payments for the paid;
    each prints the seller, buyer, account and footer of today's settings and customer data."""
    day = today()
    seller, buyer = seller_snapshot(settings), buyer_snapshot(customer)
    account = payment_account(settings, customer.id)
    invoices: list[Invoice] = []
    overdue_total = 0
    for index, (start, end) in enumerate(billing_periods(day)):
        charges = _charges(subs, start, end)
        if not charges:
            continue
        issued = end + timedelta(days=1)
        due = issued + timedelta(days=PAYMENT_TERM_DAYS)
        pay_day = issued + timedelta(days=spec.pays_days_after_issue)
        paid = index >= spec.overdue_months and pay_day < day
        lines = []
        for position, charge in enumerate(charges, start=1):
            vat = vat_from_gross(charge.gross, VAT_RATE)
            net = charge.gross - vat
            lines.append(
                InvoiceLine(
                    position=position,
                    description=charge.description,
                    quantity=1,
                    unit_net=net,
                    net=net,
                    vat_rate=VAT_RATE,
                    vat=vat,
                    gross=charge.gross,
                )
            )
        net, vat, gross = invoice_totals(vat_summary(lines))
        invoice = await Invoice.create(
            customer=customer,
            contract_id=contract_id,
            number=f"FV/{issued.year}/{issued.month:02d}/{spec.invoice_seq:06d}",
            period_start=start,
            period_end=end,
            issued_on=issued,
            due_on=due,
            net=net,
            vat=vat,
            gross=gross,
            status=InvoiceStatus.PAID if paid else InvoiceStatus.UNPAID,
            paid_at=at_local(pay_day, 10, 5 + index) if paid else None,
            seller=seller,
            buyer=buyer,
            bank_account=account,
            footer=settings.invoice_footer,
        )
        for line in lines:
            line.invoice = invoice
        await InvoiceLine.bulk_create(lines)
        if paid:
            await _payment(
                customer,
                PaymentPurpose.INVOICES,
                invoice.gross,
                spec.payment_method,
                at_local(pay_day, 10, index),
                key=f"{issued:%Y%m}",
                invoices=[invoice],
            )
        elif due < day:
            overdue_total += invoice.gross
        invoices.append(invoice)
    await _failed_attempt(spec, customer, invoices)
    return BillingResult(invoices, overdue_total)


async def _failed_attempt(spec: CustomerSpec, customer: Customer, invoices: list[Invoice]) -> None:
    """A customer in arrears tried to pay once, and the bank declined the card."""
    overdue = [i for i in invoices if i.status is InvoiceStatus.UNPAID and i.due_on < today()]
    if not spec.overdue_months or not overdue:
        return
    await _payment(
        customer,
        PaymentPurpose.INVOICES,
        sum(i.gross for i in overdue),
        PaymentMethod.CARD,
        now().replace(microsecond=0) - timedelta(days=19, hours=3),
        key="failed-1",
        invoices=overdue,
        status=PaymentStatus.FAILED,
        failure_reason="Transakcja odrzucona przez bank wydawcę karty.",
    )


async def _payment(
    customer: Customer,
    purpose: PaymentPurpose,
    amount: int,
    method: PaymentMethod,
    when: datetime,
    *,
    key: str,
    invoices: list[Invoice] | None = None,
    status: PaymentStatus = PaymentStatus.PAID,
    failure_reason: str = "",
) -> Payment:
    payment = await Payment.create(
        customer=customer,
        purpose=purpose,
        amount=amount,
        method=method,
        provider=PROVIDER,
        provider_ref=f"sbx_demo_{customer.number}_{key}",
        status=status,
        idempotency_key=f"demo-{customer.number}-{key}",
        created_at=when - timedelta(minutes=2),
        paid_at=when if status is PaymentStatus.PAID else None,
        failure_reason=failure_reason,
    )
    if invoices:
        await payment.invoices.add(*invoices)
    return payment


async def seed_wallet(spec: CustomerSpec, customer: Customer, titles: dict[str, Title]) -> Wallet:
    """The wallet and its ledger, each entry carrying the balance it produced."""
    wallet = await Wallet.create(customer=customer, balance=0)
    balance = 0
    moment = now().replace(microsecond=0)
    for number, entry in enumerate(sorted(spec.wallet, key=lambda e: -e.days_ago), start=1):
        when = moment - timedelta(days=entry.days_ago)
        payment = None
        if entry.kind is WalletTransactionKind.TOP_UP:
            amount = entry.amount
            description = "Doładowanie portmonetki"
            payment = await _payment(
                customer,
                PaymentPurpose.WALLET_TOP_UP,
                amount,
                entry.method,
                when,
                key=f"wallet-{number}",
            )
        else:
            title = titles[entry.title]
            label = "Wypożyczenie VOD" if title.kind is TitleKind.VOD else "Bilet PPV"
            if entry.kind is WalletTransactionKind.PURCHASE:
                amount = -title.price
                description = f"{label}: {title.name}"
            else:
                amount = title.price
                description = f"Zwrot: {title.name}"
        balance += amount
        if balance < 0:
            raise ValueError(f"demo wallet of {spec.key} would go negative")
        transaction = await WalletTransaction.create(
            wallet=wallet,
            kind=entry.kind,
            amount=amount,
            balance_after=balance,
            description=description[:200],
            payment=payment,
            created_at=when,
        )
        if entry.kind is WalletTransactionKind.PURCHASE:
            await Purchase.create(
                customer=customer,
                title=title,
                price=title.price,
                transaction=transaction,
                created_at=when,
                available_until=_watchable_until(title, when),
            )
    wallet.balance = balance
    await wallet.save(update_fields=["balance"])
    return wallet


def _watchable_until(title: Title, bought: datetime) -> datetime | None:
    if title.kind is TitleKind.PPV:
        return title.available_until
    return bought + timedelta(hours=title.rental_hours)
