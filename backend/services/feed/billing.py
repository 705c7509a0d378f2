"""The operator's billing: invoices with their lines (keyed by the invoice number), invoices
paid outside the portal (keyed by the invoice number), usage readings (keyed by
``"{service_identifier}/{period_start}"``).

Invoices are priced in gross amounts, as the portal's own (``services.billing``): each line
gives its gross unit price, and the tax is computed per VAT rate from the rate's gross total
(``vat_summary``, art. 106e ust. 7-8). A line's own ``net``/``vat`` are informative (its gross
split at its rate, ``vat_from_gross``); the invoice's ``net``/``vat``/``gross`` must be the sums
of the per-rate summary. Every amount is checked and a mismatch names the expected and the given
value (``TOTALS_DO_NOT_ADD_UP``, grosze).

A new invoice keeps what it prints as it is now (``Invoice.seller``/``buyer``/``bank_account``/
``footer``): the seller and footer from the settings, the buyer sent or the customer's current
data, the account sent or the customer's default (``billing.payment_account``). A paid invoice's
amounts and lines never change again; neither do those of an invoice whose payment the customer
has started in the portal.

The customer reads these tables directly (invoice list, dashboard, PDF, usage), so a write shows
at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from stdnum import iban
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from backend.clock import now
from backend.config import Settings
from backend.models import Contract, Customer, Invoice, InvoiceLine, Payment, Service, ServiceUsage
from backend.models.enums import InvoiceStatus, PaymentStatus, ServiceKind
from backend.services.billing import (
    buyer_snapshot,
    invoice_totals,
    lift_debt_suspensions,
    payment_account,
    seller_snapshot,
    vat_from_gross,
    vat_summary,
)
from backend.services.errors import ErrorCode
from backend.services.feed.engine import FeedRun, Kind, Problems
from backend.services.feed.reader import MAX_BIGINT, MAX_INT, Reader, normalised
from backend.services.identifiers import normalise_identifier, normalise_postal_code

NUMBER_MAX = 32
CUSTOMER_NUMBER_MAX = 16
CONTRACT_NUMBER_MAX = 24
LINES_MAX = 100
DESCRIPTION_MAX = 200
QUANTITY_MAX = 100_000
AMOUNT_MAX = MAX_INT
"""The largest amount in grosze (a column's ``integer``); line amounts may be negative
(a discount), an invoice's totals may not."""
VAT_RATES = (23, 8, 5, 0)
"""The VAT rates (percent) an invoice line may have."""
BUYER_NAME_MAX = 200
STREET_MAX = 120
CITY_MAX = 80
REFERENCE_MAX = 64


class FeedInvoiceStatus(StrEnum):
    """What the operator may set: PAID comes only with ``invoice_payment`` (or the portal)."""

    UNPAID = "unpaid"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class LineItem:
    description: str
    quantity: int
    unit_gross: int
    """Grosze, VAT included."""
    vat_rate: int
    net: int
    vat: int
    gross: int

    def columns(self, position: int) -> dict[str, Any]:
        """The ``InvoiceLine`` columns; ``unit_net`` is the unit price's net part (informative,
        like the line's net and VAT)."""
        return {
            "position": position,
            "description": self.description,
            "quantity": self.quantity,
            "unit_net": self.unit_gross - vat_from_gross(self.unit_gross, self.vat_rate),
            "net": self.net,
            "vat_rate": self.vat_rate,
            "vat": self.vat,
            "gross": self.gross,
        }


@dataclass(frozen=True)
class InvoiceItem:
    number: str
    customer_number: str
    contract_number: str | None
    period_start: date
    period_end: date
    issued_on: date
    due_on: date
    net: int
    vat: int
    gross: int
    lines: tuple[LineItem, ...]
    buyer: dict[str, str] | None
    """None: the customer's current data when the invoice is created (kept on updates)."""
    bank_account: str | None
    """A compact IBAN, None: the customer's default when created (kept on updates)."""
    status: InvoiceStatus

    def line_rows(self) -> list[dict[str, Any]]:
        return [line.columns(i) for i, line in enumerate(self.lines, start=1)]


@dataclass(frozen=True)
class StoredInvoice:
    row: Invoice
    customer_number: str
    contract_number: str | None
    lines: list[dict[str, Any]]
    payment_pending: bool
    """A payment of this invoice started in the portal is still pending."""


LINE_COLUMNS = (
    "position",
    "description",
    "quantity",
    "unit_net",
    "net",
    "vat_rate",
    "vat",
    "gross",
)
DATE_COLUMNS = ("period_start", "period_end", "issued_on", "due_on")
AMOUNT_COLUMNS = ("net", "vat", "gross")


class Invoices(Kind[InvoiceItem, StoredInvoice]):
    """``invoice``: number (≤32), customerNumber, contractNumber (optional, the customer's),
    periodStart, periodEnd, issuedOn, dueOn (not before issuedOn), net, vat, gross (grosze, the
    per-rate summary's totals), lines (1-100: description, quantity ≥ 1, unitGross, vatRate
    23/8/5/0, net, vat, gross), buyer (optional {name, street, postalCode, city}), bankAccount
    (optional IBAN), status (UNPAID, the default, or CANCELLED). Scope ``billing:write``."""

    name = "invoice"
    key_fields = ("number",)
    scope = "billing:write"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # What resolve() read, for the engine's stored() call that follows it in the same batch
        # (an instance serves one request or one import, one batch at a time).
        self._resolved: tuple[frozenset[str], Mapping[str, StoredInvoice]] | None = None

    def read(self, reader: Reader) -> InvoiceItem:
        number = reader.text("number", NUMBER_MAX)
        customer_number = reader.text("customer_number", CUSTOMER_NUMBER_MAX)
        contract_number = reader.optional_text("contract_number", CONTRACT_NUMBER_MAX) or None
        period_start = reader.day("period_start")
        period_end = reader.day("period_end")
        issued_on = reader.day("issued_on")
        due_on = reader.day("due_on")
        if period_start and period_end and period_end < period_start:
            reader.errors.add(ErrorCode.ENDS_BEFORE_START, "period_end", start=period_start)
        if issued_on and due_on and due_on < issued_on:
            reader.errors.add(ErrorCode.DUE_BEFORE_ISSUE, "due_on", issued_on=issued_on)
        net = reader.integer("net", maximum=AMOUNT_MAX)
        vat = reader.integer("vat", maximum=AMOUNT_MAX)
        gross = reader.integer("gross", maximum=AMOUNT_MAX)
        lines = [_line(r) for r in reader.objects("lines", maximum=LINES_MAX)]
        status = reader.choice("status", FeedInvoiceStatus, required=False)
        item = InvoiceItem(
            number=number,
            customer_number=customer_number,
            contract_number=contract_number,
            period_start=period_start or date.min,
            period_end=period_end or date.min,
            issued_on=issued_on or date.min,
            due_on=due_on or date.min,
            net=net or 0,
            vat=vat or 0,
            gross=gross or 0,
            lines=tuple(line for line in lines if line is not None),
            buyer=_buyer(reader),
            bank_account=_iban(reader, "bank_account"),
            status=InvoiceStatus(status.value) if status else InvoiceStatus.UNPAID,
        )
        if not reader.errors.errors:
            _check_totals(reader, item)
        return item

    def key(self, item: InvoiceItem) -> str:
        return item.number

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, InvoiceItem]], problems: Problems
    ) -> None:
        """The customer must exist, the contract too and be the customer's; a paid invoice (or
        one being paid in the portal) keeps its amounts, lines and customer, and a paid one
        cannot be cancelled."""
        customers = await run.ids(
            Customer, "number", (item.customer_number for _, item in items), "customer"
        )
        contract_numbers = [item.contract_number for _, item in items if item.contract_number]
        contracts = await run.ids(Contract, "number", contract_numbers, "contract")
        owners = dict(
            await Contract.filter(id__in=[i for i in contracts.values() if i]).values_list(
                "id", "customer_id"
            )
        )
        keys = [item.number for _, item in items]
        stored = await self._read_stored(keys)
        self._resolved = (frozenset(keys), stored)
        for index, item in items:
            customer_id = customers.get(item.customer_number)
            if customer_id is None:
                _unknown(problems, index, "customer_number", "customer", item.customer_number)
            if item.contract_number:
                contract_id = contracts.get(item.contract_number)
                if contract_id is None:
                    _unknown(problems, index, "contract_number", "contract", item.contract_number)
                elif customer_id and contract_id and owners.get(contract_id) != customer_id:
                    problems.add(
                        index,
                        ErrorCode.DIFFERENT_CUSTOMER,
                        "contract_number",
                        key=item.contract_number,
                        kind="invoice",
                    )
            was = stored.get(item.number)
            if was is not None:
                _check_locked(index, item, was, problems)

    async def stored(self, keys: Sequence[str]) -> Mapping[str, StoredInvoice]:
        """The stored invoices by number: those resolve() has just read for these keys (the
        engine asks for the items resolve() left valid), else read now."""
        resolved, self._resolved = self._resolved, None
        if resolved is not None and resolved[0].issuperset(keys):
            return {key: resolved[1][key] for key in keys if key in resolved[1]}
        return await self._read_stored(keys)

    async def _read_stored(self, keys: Sequence[str]) -> Mapping[str, StoredInvoice]:
        rows = await Invoice.filter(number__in=list(keys))
        if not rows:
            return {}
        ids = [row.id for row in rows]
        lines: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        for line in (
            await InvoiceLine.filter(invoice_id__in=ids)
            .order_by("position")
            .values("invoice_id", *LINE_COLUMNS)
        ):
            lines[line.pop("invoice_id")].append(line)
        customers = dict(
            await Customer.filter(id__in={r.customer_id for r in rows}).values_list("id", "number")
        )
        contract_ids = {r.contract_id for r in rows if r.contract_id}
        contracts = dict(await Contract.filter(id__in=contract_ids).values_list("id", "number"))
        pending = set(
            await Payment.filter(status=PaymentStatus.PENDING, invoices__id__in=ids).values_list(
                "invoices__id", flat=True
            )
        )
        return {
            row.number: StoredInvoice(
                row=row,
                customer_number=customers[row.customer_id],
                contract_number=contracts.get(row.contract_id) if row.contract_id else None,
                lines=lines[row.id],
                payment_pending=row.id in pending,
            )
            for row in rows
        }

    def differs(self, item: InvoiceItem, stored: StoredInvoice) -> bool:
        return bool(_changes(item, stored)) or item.line_rows() != stored.lines

    async def write(
        self, new: Sequence[InvoiceItem], changed: Sequence[tuple[InvoiceItem, StoredInvoice]]
    ) -> None:
        items = [*new, *(item for item, _ in changed)]
        customers = {
            c.number: c
            for c in await Customer.filter(number__in={item.customer_number for item in items})
        }
        contracts = dict(
            await Contract.filter(
                number__in={item.contract_number for item in items if item.contract_number}
            ).values_list("number", "id")
        )
        if new:
            seller = seller_snapshot(self.settings)
            invoices = []
            for item in new:
                customer = customers[item.customer_number]
                invoices.append(
                    Invoice(
                        number=item.number,
                        customer_id=customer.id,
                        contract_id=contracts.get(item.contract_number or ""),
                        **{name: getattr(item, name) for name in (*DATE_COLUMNS, *AMOUNT_COLUMNS)},
                        status=item.status,
                        seller=seller,
                        buyer=item.buyer or buyer_snapshot(customer),
                        bank_account=item.bank_account
                        or payment_account(self.settings, customer.id),
                        footer=self.settings.invoice_footer,
                    )
                )
            await Invoice.bulk_create(invoices)
        relined: dict[str, InvoiceItem] = {item.number: item for item in new}
        cleared: list[int] = []
        for item, stored in changed:
            changes = _changes(item, stored)
            if "customer_number" in changes:
                changes["customer_id"] = customers[changes.pop("customer_number")].id
            if "contract_number" in changes:
                changes["contract_id"] = contracts.get(changes.pop("contract_number") or "")
            # Unchanged since read: a portal payment settling in between makes this a conflict.
            if changes and not await Invoice.filter(
                id=stored.row.id, status=stored.row.status, gross=stored.row.gross
            ).update(**changes):
                raise IntegrityError(f"invoice {item.number} changed while it was written")
            if item.line_rows() != stored.lines:
                relined[item.number] = item
                cleared.append(stored.row.id)
        if cleared:
            await InvoiceLine.filter(invoice_id__in=cleared).delete()
        if relined:
            ids = dict(await Invoice.filter(number__in=list(relined)).values_list("number", "id"))
            await InvoiceLine.bulk_create(
                [
                    InvoiceLine(invoice_id=ids[number], **columns)
                    for number, item in relined.items()
                    for columns in item.line_rows()
                ]
            )


def _line(reader: Reader) -> LineItem | None:
    description = reader.text("description", DESCRIPTION_MAX)
    quantity = reader.integer("quantity", minimum=1, maximum=QUANTITY_MAX, default=1)
    unit_gross = reader.integer("unit_gross", minimum=-AMOUNT_MAX, maximum=AMOUNT_MAX)
    rate = reader.integer("vat_rate", maximum=100)
    if rate is not None and rate not in VAT_RATES:
        allowed = ", ".join(str(r) for r in VAT_RATES)
        reader.errors.add(ErrorCode.INVALID_CHOICE, reader.path("vat_rate"), allowed=allowed)
        rate = None
    net = reader.integer("net", minimum=-AMOUNT_MAX, maximum=AMOUNT_MAX)
    vat = reader.integer("vat", minimum=-AMOUNT_MAX, maximum=AMOUNT_MAX)
    gross = reader.integer("gross", minimum=-AMOUNT_MAX, maximum=AMOUNT_MAX)
    if quantity is None or unit_gross is None or rate is None:
        return None
    if net is None or vat is None or gross is None:
        return None
    return LineItem(description, quantity, unit_gross, rate, net, vat, gross)


def _check_totals(reader: Reader, item: InvoiceItem) -> None:
    """Each line: gross = unit gross x quantity, VAT = its gross's VAT at its rate, net = gross -
    VAT; the invoice: net, VAT and gross of the per-rate summary (``TOTALS_DO_NOT_ADD_UP``
    naming the expected and the given grosze)."""
    for i, line in enumerate(item.lines):
        gross = line.unit_gross * line.quantity
        vat = vat_from_gross(gross, line.vat_rate)
        for name, expected, given in (
            ("gross", gross, line.gross),
            ("vat", vat, line.vat),
            ("net", gross - vat, line.net),
        ):
            if expected != given:
                reader.errors.add(
                    ErrorCode.TOTALS_DO_NOT_ADD_UP,
                    f"{reader.path('lines')}.{i}.{name}",
                    expected=expected,
                    given=given,
                )
    if reader.errors.errors:
        return
    net, vat, gross = invoice_totals(vat_summary(item.lines))
    for name, expected, given in (
        ("net", net, item.net),
        ("vat", vat, item.vat),
        ("gross", gross, item.gross),
    ):
        if expected != given:
            reader.errors.add(
                ErrorCode.TOTALS_DO_NOT_ADD_UP, reader.path(name), expected=expected, given=given
            )


def _buyer(reader: Reader) -> dict[str, str] | None:
    """The buyer as the invoice prints it: ``{name, street, postal_code, city}``."""
    buyer = reader.object("buyer", required=False)
    if buyer is None:
        return None
    return {
        "name": buyer.text("name", BUYER_NAME_MAX),
        "street": buyer.text("street", STREET_MAX, required=False),
        "postal_code": normalised(buyer, "postal_code", 10, normalise_postal_code, required=False)
        or "",
        "city": buyer.text("city", CITY_MAX, required=False),
    }


def _iban(reader: Reader, name: str) -> str | None:
    value = reader.optional_text(name, 50)
    if not value:
        return None
    try:
        return str(iban.validate(value))
    except ValueError:
        reader.errors.add(ErrorCode.INVALID_IBAN, reader.path(name))
        return None


def _unknown(problems: Problems, index: int, field: str, kind: str, key: str) -> None:
    problems.add(index, ErrorCode.UNKNOWN_REFERENCE, field, kind=kind, key=key)


def _check_locked(index: int, item: InvoiceItem, was: StoredInvoice, problems: Problems) -> None:
    row = was.row
    paid = row.status is InvoiceStatus.PAID
    if not (paid or was.payment_pending):
        return
    locked = (
        any(getattr(item, name) != getattr(row, name) for name in AMOUNT_COLUMNS)
        or item.customer_number != was.customer_number
        or item.line_rows() != was.lines
    )
    code = ErrorCode.INVOICE_PAID_LOCKED if paid else ErrorCode.INVOICE_PAYMENT_PENDING
    if locked:
        problems.add(index, code, None, number=item.number)
    elif paid and item.status is InvoiceStatus.CANCELLED:
        problems.add(index, code, "status", number=item.number)


def _changes(item: InvoiceItem, stored: StoredInvoice) -> dict[str, Any]:
    """The columns of the stored invoice that ``item`` changes (``customer_number`` and
    ``contract_number`` for the references); its status stays PAID once paid, and its buyer
    and account are kept when the item does not send them."""
    row = stored.row
    wanted: dict[str, Any] = {
        name: getattr(item, name) for name in (*DATE_COLUMNS, *AMOUNT_COLUMNS)
    }
    if row.status is not InvoiceStatus.PAID:
        wanted["status"] = item.status
    if item.buyer is not None:
        wanted["buyer"] = item.buyer
    if item.bank_account is not None:
        wanted["bank_account"] = item.bank_account
    changes = {name: value for name, value in wanted.items() if getattr(row, name) != value}
    if item.customer_number != stored.customer_number:
        changes["customer_number"] = item.customer_number
    if item.contract_number != stored.contract_number:
        changes["contract_number"] = item.contract_number
    return changes


# --- invoice_payment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentItem:
    invoice_number: str
    paid_at: datetime
    amount: int
    reference: str


CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of our clock a payment's time may be (the operator's clock may run fast)."""


class InvoicePayments(Kind[PaymentItem, Invoice]):
    """``invoice_payment``: invoiceNumber, paidAt (a moment with its offset), amount (grosze,
    the invoice's gross), reference (≤64, e.g. the bank transfer's id). Marks the invoice PAID,
    paid outside the portal. Scope ``billing:write``.

    A portal payment of the same invoice still pending then settles later as an overpayment:
    ``payments.settle`` finds the invoice paid and credits the money to the customer's wallet,
    so nothing is lost. As after a payment in the portal, services suspended for debt come back
    once nothing is overdue (``billing.lift_debt_suspensions``). An invoice already paid in the portal is refused
    (``INVOICE_ALREADY_PAID``: the customer paid twice, the operator refunds one)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    name = "invoice_payment"
    key_fields = ("invoice_number",)
    scope = "billing:write"

    def read(self, reader: Reader) -> PaymentItem:
        paid_at = reader.instant("paid_at")
        if paid_at is not None and paid_at > now() + CLOCK_SKEW:
            reader.errors.add(ErrorCode.IN_THE_FUTURE, reader.path("paid_at"))
        return PaymentItem(
            invoice_number=reader.text("invoice_number", NUMBER_MAX),
            paid_at=paid_at or datetime.min,
            amount=reader.integer("amount", minimum=1, maximum=AMOUNT_MAX) or 0,
            reference=reader.text("reference", REFERENCE_MAX, required=False),
        )

    def key(self, item: PaymentItem) -> str:
        return item.invoice_number

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, PaymentItem]], problems: Problems
    ) -> None:
        """The invoice must exist, be neither cancelled nor paid in the portal, and the amount
        must be its gross (an invoice the run would create in a dry run is not checked)."""
        numbers = [item.invoice_number for _, item in items]
        known = await run.ids(Invoice, "number", numbers, "invoice")
        rows = {row.number: row for row in await Invoice.filter(number__in=numbers)}
        for index, item in items:
            if item.invoice_number not in known:
                _unknown(problems, index, "invoice_number", "invoice", item.invoice_number)
                continue
            row = rows.get(item.invoice_number)
            if row is None:
                continue  # dry run: created earlier in this run
            if row.status is InvoiceStatus.CANCELLED:
                problems.add(
                    index, ErrorCode.INVOICE_CANCELLED, "invoice_number", number=row.number
                )
            elif row.status is InvoiceStatus.PAID and not row.paid_outside:
                problems.add(
                    index, ErrorCode.INVOICE_ALREADY_PAID, "invoice_number", number=row.number
                )
            elif item.amount != row.gross:
                problems.add(
                    index,
                    ErrorCode.TOTALS_DO_NOT_ADD_UP,
                    "amount",
                    expected=row.gross,
                    given=item.amount,
                )

    async def stored(self, keys: Sequence[str]) -> Mapping[str, Invoice]:
        """The invoices already paid outside the portal (others are "new" payments)."""
        rows = await Invoice.filter(number__in=list(keys), paid_outside=True)
        return {row.number: row for row in rows}

    def differs(self, item: PaymentItem, row: Invoice) -> bool:
        return (row.paid_at, row.payment_reference) != (item.paid_at, item.reference)

    async def write(
        self, new: Sequence[PaymentItem], changed: Sequence[tuple[PaymentItem, Invoice]]
    ) -> None:
        for item in new:
            # Only an unpaid invoice: a portal payment settling in between makes it a conflict.
            if not await Invoice.filter(
                number=item.invoice_number, status=InvoiceStatus.UNPAID
            ).update(
                status=InvoiceStatus.PAID,
                paid_at=item.paid_at,
                paid_outside=True,
                payment_reference=item.reference,
            ):
                raise IntegrityError(f"invoice {item.invoice_number} was paid meanwhile")
        paid = [item.invoice_number for item in new]
        paid_by = await Invoice.filter(number__in=paid).only("id", "customer_id")
        for customer_id in sorted({invoice.customer_id for invoice in paid_by}):
            await lift_debt_suspensions(self.settings, customer_id)
        for item, row in changed:
            await Invoice.filter(id=row.id, paid_outside=True).update(
                paid_at=item.paid_at, payment_reference=item.reference
            )


# --- usage --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageItem:
    service_identifier: str
    period_start: date
    period_end: date
    data_used_mb: int
    data_limit_mb: int | None
    read_at: datetime


USAGE_COLUMNS = ("period_end", "data_used_mb", "data_limit_mb", "read_at")


class UsageReadings(Kind[UsageItem, ServiceUsage]):
    """``usage``: serviceIdentifier, periodStart, periodEnd (not before periodStart),
    dataUsedMb, dataLimitMb (optional, null: no limit), readAt (a moment with its offset).
    One row per service and billing period, kept as history; a reading older than the stored
    one changes nothing (``unchanged``). Only internet and mobile-TV services have data usage
    (a satellite-TV card: ``USAGE_NOT_METERED``). Scope ``usage:write``."""

    name = "usage"
    key_fields = ("service_identifier", "period_start")
    scope = "usage:write"

    def read(self, reader: Reader) -> UsageItem:
        identifier = normalised(reader, "service_identifier", 40, normalise_identifier) or ""
        start = reader.day("period_start")
        end = reader.day("period_end")
        if start and end and end < start:
            reader.errors.add(ErrorCode.ENDS_BEFORE_START, "period_end", start=start)
        return UsageItem(
            service_identifier=identifier,
            period_start=start or date.min,
            period_end=end or date.min,
            data_used_mb=reader.integer("data_used_mb", maximum=MAX_BIGINT) or 0,
            data_limit_mb=reader.integer("data_limit_mb", maximum=MAX_BIGINT, required=False),
            read_at=reader.instant("read_at") or datetime.min,
        )

    def key(self, item: UsageItem) -> str:
        return f"{item.service_identifier}/{item.period_start.isoformat()}"

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, UsageItem]], problems: Problems
    ) -> None:
        identifiers = [item.service_identifier for _, item in items]
        known = await run.ids(Service, "identifier", identifiers, "service")
        unmetered = set(
            await Service.filter(
                identifier__in=identifiers, kind=ServiceKind.SATELLITE_TV
            ).values_list("identifier", flat=True)
        )
        for index, item in items:
            if item.service_identifier not in known:
                _unknown(problems, index, "service_identifier", "service", item.service_identifier)
            elif item.service_identifier in unmetered:
                problems.add(index, ErrorCode.USAGE_NOT_METERED, "service_identifier")

    async def stored(self, keys: Sequence[str]) -> Mapping[str, ServiceUsage]:
        pairs = [key.rsplit("/", 1) for key in keys]
        services = dict(
            await Service.filter(identifier__in={i for i, _ in pairs}).values_list(
                "id", "identifier"
            )
        )
        rows = await ServiceUsage.filter(
            service_id__in=list(services),
            period_start__in={date.fromisoformat(d) for _, d in pairs},
        )
        wanted = set(keys)
        found = {f"{services[r.service_id]}/{r.period_start.isoformat()}": r for r in rows}
        return {key: row for key, row in found.items() if key in wanted}

    def differs(self, item: UsageItem, row: ServiceUsage) -> bool:
        if row.read_at is not None and item.read_at < row.read_at:
            return False  # an older reading never replaces a newer one
        return any(getattr(row, name) != getattr(item, name) for name in USAGE_COLUMNS)

    async def write(
        self, new: Sequence[UsageItem], changed: Sequence[tuple[UsageItem, ServiceUsage]]
    ) -> None:
        at = now()
        if new:
            services = dict(
                await Service.filter(
                    identifier__in={item.service_identifier for item in new}
                ).values_list("identifier", "id")
            )
            await ServiceUsage.bulk_create(
                [
                    ServiceUsage(
                        service_id=services[item.service_identifier],
                        period_start=item.period_start,
                        updated_at=at,
                        **{name: getattr(item, name) for name in USAGE_COLUMNS},
                    )
                    for item in new
                ]
            )
        for item, row in changed:
            # Unless a newer reading was written in between.
            await ServiceUsage.filter(
                Q(read_at__isnull=True) | Q(read_at__lte=item.read_at), id=row.id
            ).update(updated_at=at, **{name: getattr(item, name) for name in USAGE_COLUMNS})
