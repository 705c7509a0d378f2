"""Payments of the billing domain: paying invoices and topping up the wallet through a payment
provider, and reading payments (the customer's list, which invoices a payment paid and which
payments an invoice had).

Starting a payment writes a PENDING ``Payment`` and returns the provider's redirect URL. The
``idempotency_key`` (unique per customer) makes starting safe to retry: the same key with the
same parameters returns the same payment, with other parameters ``IDEMPOTENCY_KEY_REUSED``.

A payment settles exactly once: the provider's verified webhook moves it with one conditional
UPDATE (``status = PENDING → PAID | FAILED | CANCELLED``), and only the request whose UPDATE
changed the row applies the effects (invoices marked paid, or the wallet credited with a ledger
entry) in the same transaction. Replays find nothing to change; forged, late, unknown or
wrongly-priced webhooks are rejected before anything is touched. Paying the last overdue
invoices lifts a debt suspension (and re-sends the decoder entitlements) in that transaction.

A payment left ``PENDING`` for ``payment_timeout_seconds`` (the customer closed the provider's
page) expires with the same kind of conditional UPDATE (``PENDING → EXPIRED``), so a late
failure or cancellation changes nothing. Money is never left behind: a provider's PAID settles
an EXPIRED payment too (``EXPIRED → PAID``), and a payment with an order at a real provider
expires only after the provider was asked (:func:`reconcile`). Expiry happens lazily wherever a
payment is read, retried or settled, and periodically for all payments (:func:`expire_stale`,
run by the background worker and by ``icok cleanup``). A customer may have at most
``MAX_PENDING`` payments pending at once.

A notification can be lost (our server down, a network fault): :func:`reconcile` asks the
provider about every payment still pending a few minutes after it started and settles or expires
it by the same rules (``icok payments reconcile``, and the background worker before each expiry
sweep).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.i18n import translate
from backend.models import Account, Customer, Invoice, Payment
from backend.models.enums import (
    AuditKind,
    InvoiceStatus,
    Language,
    PaymentMethod,
    PaymentPurpose,
    PaymentStatus,
    WalletTransactionKind,
)
from backend.payments import (
    OrderRequest,
    PaymentProvider,
    ProviderEvent,
    ProviderUnavailable,
    WebhookRejected,
    get_provider,
)
from backend.services import audit, billing, emails, outbox, wallet
from backend.services.batch import related
from backend.services.errors import DomainError, ErrorCode
from backend.services.money import decimal_string, format_money
from backend.services.outbox import EventType
from backend.services.ownership import visible
from backend.services.paging import Keyset, Page, paginate
from backend.services.request import SYSTEM, RequestMeta

log = logging.getLogger("icok.payments")

# One top-up rule: what the customer is told (the wallet's topUpMin / topUpMax, which the SPA
# shows and checks before the payment page) is what start_top_up accepts: 10 to 500 zł.
TOP_UP_MIN = 1_000  # 10 zł
TOP_UP_MAX = 50_000  # 500 zł
MAX_INVOICES = 50
MAX_PENDING = 5
IN_PROGRESS_WAIT = 3.0
"""Seconds a retried start waits for the first start's order (the provider's own timeout is
longer: after this the customer is told the payment is still being started)."""
IN_PROGRESS_POLL = 0.1
"""Payments one customer may have pending at once (a retry of an existing key is not counted)."""
EXPIRED_REASON = "not completed in time"
ORDER_GRACE = timedelta(days=1)
"""How long past the timeout a payment with a provider's order waits for the provider to be
asked (:func:`reconcile`) before it expires without an answer."""
_KEY = re.compile(r"^[A-Za-z0-9_\-:.]{8,64}$")
_AMOUNT = re.compile(r"^([0-9]{1,7})(?:[.,]([0-9]{1,2}))?\Z")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+(?:[.,][0-9]{1,2})?\Z")
PAYMENTS = Keyset("payments", (("created_at", "datetime"), ("id", "int")))


async def invoices_by_payment(customer_id: int, ids: Sequence[int]) -> dict[int, list[Invoice]]:
    query = visible(Payment, customer_id).filter(id__in=ids)
    found = await related(query, "invoices", visible(Invoice, customer_id))
    return {k: sorted(v, key=lambda i: (i.issued_on, i.id)) for k, v in found.items()}


async def payments_by_invoice(customer_id: int, ids: Sequence[int]) -> dict[int, list[Payment]]:
    query = visible(Invoice, customer_id).filter(id__in=ids)
    found = await related(query, "payments", visible(Payment, customer_id))
    return {
        k: sorted(v, key=lambda p: (p.created_at, p.id), reverse=True) for k, v in found.items()
    }


def title(purpose: PaymentPurpose, invoice_numbers: Sequence[str], language: Language) -> str:
    """What a payment paid, in ``language``: "Faktura FV/2026/11/0001" / "Invoice …" for one
    invoice, "Faktury FV/2026/11/0001, FV/2026/11/0002" / "Invoices …" for several (in the order
    given), "Doładowanie portmonetki" / "Wallet top-up" for a top-up."""
    if purpose is PaymentPurpose.WALLET_TOP_UP:
        return translate("payment.title.top_up", language)
    key = "payment.title.invoice" if len(invoice_numbers) == 1 else "payment.title.invoices"
    return translate(key, language, numbers=", ".join(invoice_numbers))


def event_title(kind: AuditKind, details: object, language: Language) -> str | None:
    """The :func:`title` of the payment a payment event (started, settled, failed) is about,
    from the event's details ``purpose`` and ``invoices`` (numbers); None for other events and
    for payment events recorded before the details named them."""
    if kind not in (
        AuditKind.PAYMENT_STARTED,
        AuditKind.PAYMENT_SETTLED,
        AuditKind.PAYMENT_FAILED,
    ) or not isinstance(details, dict):
        return None
    try:
        purpose = PaymentPurpose(str(details.get("purpose")))
    except ValueError:
        return None
    numbers = details.get("invoices") or []
    if purpose is PaymentPurpose.INVOICES and not numbers:
        return None
    return title(purpose, [str(n) for n in numbers], language)


async def _invoice_numbers(payment: Payment) -> list[str]:
    """The numbers of the invoices ``payment`` pays, oldest first (empty for a top-up)."""
    rows = await payment.invoices.all().order_by("issued_on", "id").values_list("number", flat=True)
    return [str(n) for n in rows]


async def payments_page(
    customer_id: int, *, first: int | None = None, after: str | None = None
) -> Page[Payment]:
    return await paginate(visible(Payment, customer_id), PAYMENTS, first=first, after=after)


@dataclass(frozen=True)
class StartedPayment:
    payment: Payment
    redirect_url: str | None
    """Where the customer pays; ``None`` once the payment is no longer pending."""


@dataclass(frozen=True)
class WebhookOutcome:
    payment: Payment
    settled: bool
    """False when the payment had already reached a final status (a replay or a late event)."""


def parse_amount(raw: str, *, field: str = "amount") -> int:
    """A typed amount in złoty (``"12.5"``, ``"12,50"``, ``"12"``, ``"1 000,50"``) as grosze.

    Amounts travel as decimal strings, like ``Money.amount`` in the schema, so a client sends
    back what it shows and no binary floating point is involved. A space (or no-break space)
    is only a thousands separator ("1 000"): "1 0 0" is not 100. Raises ``REQUIRED`` for an
    empty amount, ``INVALID`` for anything else that is not such a number."""
    value = (raw or "").strip()
    if _GROUPED.match(value):
        value = re.sub(r"[ \u00a0\u202f]", "", value)
    if not value:
        raise DomainError(ErrorCode.REQUIRED, field)
    match = _AMOUNT.match(value)
    if not match:
        raise DomainError(ErrorCode.INVALID, field)
    return int(match.group(1)) * 100 + int((match.group(2) or "").ljust(2, "0"))


def parse_method(raw: str, *, field: str = "method") -> PaymentMethod:
    try:
        return PaymentMethod((raw or "").strip().lower())
    except ValueError:
        raise DomainError(ErrorCode.INVALID, field) from None


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not key:
        raise DomainError(ErrorCode.REQUIRED, "idempotency_key")
    if not _KEY.match(key):
        raise DomainError(ErrorCode.INVALID, "idempotency_key")
    return key


async def expire_stale(
    settings: Settings,
    *,
    customer_id: int | None = None,
    payment_id: int | None = None,
    asked: bool = False,
) -> int:
    """Expire pending payments started more than ``payment_timeout_seconds`` ago (all of them,
    one customer's, or one payment); returns how many expired.

    A payment with an order at its provider (``provider_order_id``) may have been paid there
    although no notification came: it expires only once :func:`reconcile` has asked the
    provider (``asked=True``), or, if the provider cannot be asked, ``ORDER_GRACE`` after the
    timeout. Should the provider report it paid after all, it still settles (:func:`settle`).

    One conditional UPDATE (``status = PENDING``): a payment that a webhook settles at the same
    moment either settles first (and is left alone here) or expires first."""
    at = now()
    timeout = timedelta(seconds=settings.payment_timeout_seconds)
    query = Payment.filter(status=PaymentStatus.PENDING, created_at__lte=at - timeout)
    if not asked:
        query = query.filter(
            Q(provider_order_id=None) | Q(created_at__lte=at - timeout - ORDER_GRACE)
        )
    if customer_id is not None:
        query = query.filter(customer_id=customer_id)
    if payment_id is not None:
        query = query.filter(id=payment_id)
    expired = await query.update(
        status=PaymentStatus.EXPIRED, updated_at=at, failure_reason=EXPIRED_REASON
    )
    if expired:
        log.info("expired %d pending payment(s)", expired)
    return expired


RECONCILE_BATCH = 100
"""Payments one :func:`reconcile` run asks about at most (the oldest first)."""
RECONCILE_GIVE_UP = 3
"""After this many provider failures in a row, :func:`reconcile` leaves that provider's other
payments for the next run (a provider that is down would otherwise hold the run for a timeout
per payment)."""


@dataclass(frozen=True)
class Reconciled:
    """A payment :func:`reconcile` asked its provider about and what it did with the answer.

    ``old`` and ``new`` are its status before and after (equal when nothing changed);
    ``provider_status`` is what the provider said (``None``: it knows no order for it);
    ``problem`` says why nothing could be done (the provider did not answer, or its answer was
    refused), for the operator."""

    payment_id: int
    reference: str
    provider: str
    old: PaymentStatus
    new: PaymentStatus
    provider_status: PaymentStatus | None = None
    problem: str = ""

    @property
    def changed(self) -> bool:
        return self.new is not self.old

    @property
    def paid_but_not_settled(self) -> bool:
        """The provider says paid but the payment had ended as failed or cancelled here (the
        provider contradicted itself): nothing was credited, an operator must look at it and
        refund it through the provider (or credit it by hand)."""
        return self.provider_status is PaymentStatus.PAID and self.new is not PaymentStatus.PAID


@dataclass(frozen=True)
class ReconcileReport:
    """What one :func:`reconcile` run did: one :class:`Reconciled` per payment asked about, in
    the order asked (oldest first), and how many pending payments it left for a provider that
    is not configured here (``skipped``) or that failed repeatedly (``deferred``)."""

    payments: list[Reconciled]
    skipped: int = 0
    deferred: int = 0

    @property
    def changes(self) -> list[Reconciled]:
        return [r for r in self.payments if r.changed]

    @property
    def problems(self) -> list[Reconciled]:
        return [r for r in self.payments if r.problem]

    @property
    def unchanged(self) -> int:
        """Payments asked about that stay as they were (still pending at the provider, or
        settled by a notification meanwhile), without a problem."""
        return sum(1 for r in self.payments if not r.changed and not r.problem)

    def describe(self) -> list[str]:
        """What ``icok payments reconcile`` prints: a line per payment changed or not handled,
        then a summary."""
        lines = []
        for item in self.payments:
            said = "no order" if item.provider_status is None else item.provider_status.value
            head = f"payment {item.payment_id} ({item.provider} {item.reference})"
            if item.problem:
                lines.append(f"{head}: left {item.old.value}: {item.problem}")
            elif item.paid_but_not_settled:
                lines.append(
                    f"{head}: {item.new.value}, but {item.provider} says paid: PAID BUT NOT "
                    "SETTLED, nothing was credited; refund it through the provider (or settle "
                    "it by hand)"
                )
            elif item.changed:
                lines.append(
                    f"{head}: {item.old.value} -> {item.new.value} ({item.provider}: {said})"
                )
        lines.append(
            f"asked about {len(self.payments)} pending payment(s): {len(self.changes)} changed, "
            f"{self.unchanged} unchanged, {len(self.problems)} not answered or refused; "
            f"{self.deferred} left for the next run, {self.skipped} of providers not "
            "configured here"
        )
        return lines


async def reconcile(
    settings: Settings,
    *,
    older_than: timedelta = timedelta(minutes=5),
    limit: int = RECONCILE_BATCH,
) -> ReconcileReport:
    """Ask the providers about payments still PENDING ``older_than`` after they started (the
    oldest ``limit`` of them) and act on the answers, so a lost notification never leaves money
    unaccounted for (``icok payments reconcile``, and the background sweep before it expires
    anything).

    Per payment (each on its own: one failure does not stop the run):

    - a final status (PAID, FAILED, CANCELLED) is applied like a notification
      (:func:`apply_event`: the amount and currency must match, it settles at most once, so a
      notification arriving at the same moment is harmless; a PAID answer for a payment that
      expired meanwhile still settles it; one that had failed is reported as
      ``paid_but_not_settled``);
    - still pending at the provider, or no order there: nothing, until
      ``payment_timeout_seconds`` have passed, then it expires (:func:`expire_stale` with
      ``asked=True``);
    - the provider does not answer (:class:`ProviderUnavailable`) or its answer is refused:
      left as it is and reported; the next run asks again. After ``RECONCILE_GIVE_UP`` such
      failures in a row the provider's remaining payments wait for the next run (``deferred``).

    Payments of a provider not configured here (the sandbox's in production, PayU's without its
    settings) are left alone with a log line (``skipped``); the expiry sweep still ends them."""
    before = now() - older_than
    due = Payment.filter(status=PaymentStatus.PENDING, created_at__lte=before)
    usable: dict[str, PaymentProvider] = {}
    skipped = 0
    for name in sorted({str(n) for n in await due.values_list("provider", flat=True)}):
        try:
            usable[name] = get_provider(settings, name)
        except LookupError:
            count = await due.filter(provider=name).count()
            skipped += count
            log.warning(
                "reconcile: %d pending payment(s) of provider %r left alone: "
                "it is not configured here",
                count,
                name,
            )
    candidates = (
        await due.filter(provider__in=list(usable)).order_by("created_at", "id").limit(limit)
        if usable
        else []
    )
    results: list[Reconciled] = []
    failures = dict.fromkeys(usable, 0)
    deferred = 0
    for payment in candidates:
        if failures[payment.provider] >= RECONCILE_GIVE_UP:
            deferred += 1
            continue
        result = await _reconcile_one(settings, usable[payment.provider], payment)
        failures[payment.provider] = failures[payment.provider] + 1 if result.problem else 0
        results.append(result)
    report = ReconcileReport(results, skipped=skipped, deferred=deferred)
    if report.changes or report.problems or deferred:
        log.info(
            "reconcile: asked about %d payment(s), %d changed, %d problem(s), %d deferred",
            len(results),
            len(report.changes),
            len(report.problems),
            deferred,
        )
    return report


async def _reconcile_one(
    settings: Settings, provider: PaymentProvider, payment: Payment
) -> Reconciled:
    """Ask ``provider`` about the pending ``payment`` and act on the answer (see :func:`reconcile`)."""
    old = payment.status

    def result(problem: str = "", said: PaymentStatus | None = None) -> Reconciled:
        return Reconciled(
            payment_id=payment.id,
            reference=payment.provider_ref or "",
            provider=payment.provider,
            old=old,
            new=payment.status,
            provider_status=said,
            problem=problem,
        )

    try:
        event = await provider.fetch_status(payment)
    except ProviderUnavailable as exc:
        log.warning(
            "reconcile: %s did not answer for payment %s: %s", provider.name, payment.id, exc
        )
        return result(f"{provider.name} did not answer: {exc}")
    except Exception as exc:  # an adapter's bug must not stop the run for the other payments
        log.exception("reconcile: asking %s about payment %s failed", provider.name, payment.id)
        return result(f"asking {provider.name} failed: {type(exc).__name__}")
    said = None if event is None else event.status
    if event is None or event.status is PaymentStatus.PENDING:
        # not paid at the provider: it expires here once the timeout has passed
        if await expire_stale(settings, payment_id=payment.id, asked=True):
            await payment.refresh_from_db()
        return result(said=said)
    try:
        outcome = await apply_event(settings, payment, event)
    except WebhookRejected as exc:
        return result(f"{provider.name}'s answer refused: {exc.reason}", said)
    payment = outcome.payment
    if not outcome.settled and payment.status is not PaymentStatus.EXPIRED:
        old = payment.status  # a notification settled it first: not this run's change
    return result(said=said)


async def refresh_status(settings: Settings, payment: Payment) -> Payment:
    """``payment`` with its status brought up to date (expired if it has been pending too long)."""
    if payment.status is PaymentStatus.PENDING and await expire_stale(
        settings, payment_id=payment.id
    ):
        await payment.refresh_from_db()
    return payment


async def _existing(
    customer_id: int,
    key: str,
    purpose: PaymentPurpose,
    amount: int | None,
    method: PaymentMethod,
    invoice_ids: Sequence[int],
) -> Payment | None:
    """The payment already started with ``key``, if its parameters are the same."""
    payment = await Payment.get_or_none(customer_id=customer_id, idempotency_key=key)
    if payment is None:
        return None
    same = payment.purpose is purpose and payment.method is method
    if purpose is PaymentPurpose.WALLET_TOP_UP:
        same = same and payment.amount == amount
    else:
        paid_for = await payment.invoices.all().values_list("id", flat=True)
        same = same and sorted(paid_for) == sorted(invoice_ids)
    if not same:
        raise DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, "idempotency_key")
    return payment


async def _resumed(settings: Settings, payment: Payment) -> StartedPayment:
    """A retried start with the same key: the payment as it stands now, and its redirect URL.

    While the first start is still waiting for the provider's order (a double click), waits up
    to ``IN_PROGRESS_WAIT`` seconds for it; then raises ``PAYMENT_IN_PROGRESS`` (or
    ``PAYMENT_PROVIDER_UNAVAILABLE`` if the provider refused it and the payment was removed)."""
    for _ in range(int(IN_PROGRESS_WAIT / IN_PROGRESS_POLL)):
        payment = await refresh_status(settings, payment)
        if payment.status is not PaymentStatus.PENDING:
            return StartedPayment(payment, None)
        if payment.redirect_url is not None:
            return StartedPayment(payment, payment.redirect_url)
        await asyncio.sleep(IN_PROGRESS_POLL)
        fresh = await Payment.get_or_none(id=payment.id)
        if fresh is None:  # the provider refused the first start's order
            raise DomainError(ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE, None)
        payment = fresh
    raise DomainError(ErrorCode.PAYMENT_IN_PROGRESS, None)


async def _create(
    settings: Settings,
    customer_id: int,
    *,
    key: str,
    purpose: PaymentPurpose,
    amount: int,
    method: PaymentMethod,
    invoices: Sequence[Invoice] = (),
    meta: RequestMeta,
) -> StartedPayment:
    """Start a payment of ``amount`` grosze: the PENDING row (one transaction, with the cap and
    the idempotency key), the provider's order (outside any transaction), then the order's id
    and redirect URL with the ``PAYMENT_STARTED`` audit event (one transaction). When the
    provider refuses, or storing its order fails (the error is raised as it came), the payment
    is removed so the same key can start again: nothing was shown to the customer to pay."""
    provider = get_provider(settings)
    ids = [i.id for i in invoices]
    existing: Payment | None = None
    try:
        async with in_transaction():
            # Starts of one customer take turns from here to the commit: the no-op UPDATE locks
            # the customer's row on PostgreSQL (SQLite runs one write transaction at a time), so
            # the count below cannot be raced past the cap by simultaneous starts.
            await Customer.filter(id=customer_id).update(language=F("language"))
            existing = await _existing(customer_id, key, purpose, amount, method, ids)
            if existing is None:  # else a retry with this key committed while we waited
                await _check_cap(settings, customer_id)
                payment = await Payment.create(
                    customer_id=customer_id,
                    purpose=purpose,
                    amount=amount,
                    method=method,
                    provider=provider.name,
                    provider_ref=provider.new_reference(),
                    idempotency_key=key,
                    created_at=now(),
                )
                if invoices:
                    await payment.invoices.add(*invoices)
    except IntegrityError:
        # A concurrent request with the same key won: answer as if this were its retry.
        existing = await _existing(customer_id, key, purpose, amount, method, ids)
        if existing is None:
            raise
    if existing is not None:
        return await _resumed(settings, existing)
    request = await _order_request(settings, payment, invoices, meta)
    try:
        order = await provider.create_order(request)
    except ProviderUnavailable as exc:
        log.warning("%s did not create the order of payment %s: %s", provider.name, payment.id, exc)
        await _discard(payment)
        raise DomainError(ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE, None) from None
    try:
        async with in_transaction():
            await Payment.filter(id=payment.id).update(
                provider_order_id=order.order_id, redirect_url=order.redirect_url
            )
            await audit.record(
                AuditKind.PAYMENT_STARTED,
                customer_id,
                meta,
                payment=payment.id,
                purpose=purpose.value,
                invoices=[i.number for i in sorted(invoices, key=lambda i: (i.issued_on, i.id))],
                amount=decimal_string(amount),
                method=method.value,
            )
    except Exception as exc:
        # The provider has an order nobody was sent to (its redirect URL is not stored, so it
        # cannot be paid: it lapses at the provider). Remove the payment so the same key can
        # start again; if even that fails, expiry ends it (the provider says it is unpaid).
        log.warning(
            "payment %s: %s created order %s but storing it failed: %s: %s",
            payment.id,
            provider.name,
            order.order_id,
            type(exc).__name__,
            exc,
        )
        try:
            await _discard(payment)
        except Exception as discard_exc:
            log.warning(
                "payment %s: discarding it failed too (expiry will end it): %s: %s",
                payment.id,
                type(discard_exc).__name__,
                discard_exc,
            )
        raise
    payment.provider_order_id = order.order_id
    payment.redirect_url = order.redirect_url
    return StartedPayment(payment, order.redirect_url)


async def _order_request(
    settings: Settings, payment: Payment, invoices: Sequence[Invoice], meta: RequestMeta
) -> OrderRequest:
    """What the provider is told of ``payment``: what it pays, who pays, where to come back."""
    customer = await Customer.get(id=payment.customer_id)
    account = await Account.get_or_none(customer_id=payment.customer_id)
    email = account.email if account is not None else (customer.email or "")
    if payment.purpose is PaymentPurpose.WALLET_TOP_UP:
        description = f"ICOK: doładowanie portmonetki {customer.number}"
        lines: tuple[tuple[str, int], ...] = (("Doładowanie portmonetki", payment.amount),)
    else:
        ordered = sorted(invoices, key=lambda i: (i.issued_on, i.id))
        description = "ICOK: " + ", ".join(i.number for i in ordered)
        lines = tuple((f"Faktura {i.number}", i.gross) for i in ordered)
    return OrderRequest(
        payment=payment,
        description=description[:200],
        lines=lines,
        buyer_email=email,
        language=customer.language,
        customer_ip=meta.ip,
        notify_url=f"{settings.base_url}/payments/webhook/{payment.provider}",
        continue_url=f"{settings.base_url}/payments/continue/{payment.provider_ref}",
    )


async def _discard(payment: Payment) -> None:
    """Remove a payment whose order the provider did not create: nothing was charged, and the
    same idempotency key may start it again."""
    async with in_transaction():
        if await Payment.filter(
            id=payment.id, status=PaymentStatus.PENDING, redirect_url=None
        ).exists():
            await payment.invoices.clear()
            await Payment.filter(id=payment.id).delete()


async def _check_cap(settings: Settings, customer_id: int) -> None:
    """Refuse a new payment while the customer has ``MAX_PENDING`` live pending ones."""
    await expire_stale(settings, customer_id=customer_id)
    pending = Payment.filter(customer_id=customer_id, status=PaymentStatus.PENDING)
    if await pending.count() < MAX_PENDING:
        return
    oldest = await pending.order_by("created_at").first()
    assert oldest is not None
    ends = oldest.created_at + timedelta(seconds=settings.payment_timeout_seconds)
    minutes = max(1, -(-int((ends - now()).total_seconds()) // 60))
    raise DomainError(
        ErrorCode.TOO_MANY_PENDING_PAYMENTS, None, {"max": MAX_PENDING, "minutes": minutes}
    )


async def start_invoice_payment(
    settings: Settings,
    customer_id: int,
    invoice_ids: Sequence[int],
    method: str,
    idempotency_key: str,
    *,
    meta: RequestMeta,
) -> StartedPayment:
    key = _check_key(idempotency_key)
    chosen = parse_method(method)
    ids = list(dict.fromkeys(invoice_ids))
    if not ids:
        raise DomainError(ErrorCode.NOTHING_TO_PAY, "invoice_ids")
    if len(ids) > MAX_INVOICES:
        raise DomainError(ErrorCode.INVALID, "invoice_ids")
    existing = await _existing(customer_id, key, PaymentPurpose.INVOICES, None, chosen, ids)
    if existing is not None:
        return await _resumed(settings, existing)
    invoices = await Invoice.filter(id__in=ids, customer_id=customer_id)
    if len(invoices) != len(ids):
        raise DomainError(ErrorCode.NOT_FOUND, "invoice_ids")
    for invoice in sorted(invoices, key=lambda i: i.id):
        if invoice.status is InvoiceStatus.PAID:
            raise DomainError(
                ErrorCode.INVOICE_ALREADY_PAID, "invoice_ids", {"number": invoice.number}
            )
        if invoice.status is not InvoiceStatus.UNPAID:  # cancelled: nothing to pay
            raise DomainError(ErrorCode.NOTHING_TO_PAY, "invoice_ids")
    return await _create(
        settings,
        customer_id,
        key=key,
        purpose=PaymentPurpose.INVOICES,
        amount=sum(i.gross for i in invoices),
        method=chosen,
        invoices=invoices,
        meta=meta,
    )


async def start_top_up(
    settings: Settings,
    customer_id: int,
    amount: str,
    method: str,
    idempotency_key: str,
    *,
    meta: RequestMeta,
) -> StartedPayment:
    """Top up the wallet by ``amount``, a decimal string in złoty (e.g. ``"50"``, ``"12.50"``)."""
    key = _check_key(idempotency_key)
    chosen = parse_method(method)
    grosze = parse_amount(amount)
    if not TOP_UP_MIN <= grosze <= TOP_UP_MAX:
        raise DomainError(
            ErrorCode.AMOUNT_OUT_OF_RANGE,
            "amount",
            {
                "min": format_money(TOP_UP_MIN, language=meta.language),
                "max": format_money(TOP_UP_MAX, language=meta.language),
            },
        )
    existing = await _existing(customer_id, key, PaymentPurpose.WALLET_TOP_UP, grosze, chosen, [])
    if existing is not None:
        return await _resumed(settings, existing)
    return await _create(
        settings,
        customer_id,
        key=key,
        purpose=PaymentPurpose.WALLET_TOP_UP,
        amount=grosze,
        method=chosen,
        meta=meta,
    )


async def get_payment(
    customer_id: int, payment_id: int, settings: Settings | None = None
) -> Payment:
    """One of the customer's payments; with ``settings``, a stale pending one is expired first."""
    payment = await Payment.get_or_none(id=payment_id, customer_id=customer_id)
    if payment is None:
        raise DomainError(ErrorCode.NOT_FOUND, "id")
    return payment if settings is None else await refresh_status(settings, payment)


async def by_reference(reference: str) -> Payment | None:
    """The payment with our reference ``reference`` (``provider_ref``), if any."""
    if not reference or len(reference) > 64:
        return None
    return await Payment.get_or_none(provider_ref=reference)


async def handle_webhook(
    settings: Settings, provider_name: str, headers: Mapping[str, str], body: bytes
) -> WebhookOutcome:
    """Verify a provider's notification and settle the payment (raises ``WebhookRejected``)."""
    try:
        provider = get_provider(settings, provider_name)
    except LookupError:
        raise WebhookRejected(404, "unknown provider") from None
    event = provider.verify_webhook(headers, body)
    payment = await by_reference(event.provider_ref)
    if payment is None or payment.provider != provider.name:
        raise WebhookRejected(404, "unknown payment")
    return await apply_event(settings, payment, event)


async def apply_event(settings: Settings, payment: Payment, event: ProviderEvent) -> WebhookOutcome:
    """Act on what the provider says of ``payment`` (a notification or a status it was asked
    for): a final status settles it once; PENDING changes nothing.

    Raises ``WebhookRejected(409)`` when the provider's amount, currency or order id is not the
    payment's (nothing is touched)."""
    if event.amount != payment.amount:
        log.warning("provider event for payment %s has the wrong amount: %s", payment.id, event)
        raise WebhookRejected(409, "amount does not match the payment")
    if event.currency != payment.currency:
        log.warning("provider event for payment %s has the wrong currency: %s", payment.id, event)
        raise WebhookRejected(409, "currency does not match the payment")
    if event.order_id and payment.provider_order_id not in (None, event.order_id):
        log.warning("provider event for payment %s names another order: %s", payment.id, event)
        raise WebhookRejected(409, "order does not match the payment")
    if event.order_id and payment.provider_order_id is None:
        await Payment.filter(id=payment.id, provider_order_id=None).update(
            provider_order_id=event.order_id
        )
    await refresh_status(settings, payment)  # a notification after the timeout settles nothing
    if event.status is PaymentStatus.PENDING:
        return WebhookOutcome(payment=payment, settled=False)
    return await settle(settings, payment, event)


async def settle(settings: Settings, payment: Payment, event: ProviderEvent) -> WebhookOutcome:
    """Move ``payment`` to the event's final status once, with its effects, its audit record and,
    when paid, its ``payment.settled`` event, atomically; the request that settled it as paid
    then mails the receipt (:func:`send_receipt`)."""
    if event.status is PaymentStatus.PAID and payment.purpose is PaymentPurpose.WALLET_TOP_UP:
        target_wallet = await wallet.ensure_wallet(payment.customer_id)
    at = now()
    changes: dict[str, object] = {"status": event.status, "updated_at": at}
    if event.method is not None:
        changes["method"] = event.method
    if event.status is PaymentStatus.PAID:
        changes["paid_at"] = at
        changes["failure_reason"] = ""
    else:
        changes["failure_reason"] = event.reason[:200]
    # Money the provider took is always accounted for: PAID also settles a payment that expired
    # here (its notification came late, or reconciliation had not asked yet); a failure only
    # ends a pending one.
    open_statuses = [PaymentStatus.PENDING]
    if event.status is PaymentStatus.PAID:
        open_statuses.append(PaymentStatus.EXPIRED)
    async with in_transaction():
        won = await Payment.filter(id=payment.id, status__in=open_statuses).update(**changes)
        if won:
            numbers = await _invoice_numbers(payment)
            if event.status is PaymentStatus.PAID:
                if payment.purpose is PaymentPurpose.WALLET_TOP_UP:
                    await wallet.credit(
                        target_wallet.id,
                        payment.amount,
                        kind=WalletTransactionKind.TOP_UP,
                        description=f"Doładowanie / top-up #{payment.id}",
                        payment_id=payment.id,
                    )
                else:
                    await _mark_invoices_paid(settings, payment)
            kind = (
                AuditKind.PAYMENT_SETTLED
                if event.status is PaymentStatus.PAID
                else AuditKind.PAYMENT_FAILED
            )
            await audit.record(
                kind,
                payment.customer_id,
                SYSTEM,  # the provider's notification or the expiry job, not the customer's client
                payment=payment.id,
                purpose=payment.purpose.value,
                invoices=numbers,
                status=event.status.value,
                amount=decimal_string(payment.amount),
            )
            if event.status is PaymentStatus.PAID:
                await outbox.emit(
                    settings,
                    EventType.PAYMENT_SETTLED,
                    payment.customer_id,
                    await settled_event(payment, numbers, event.method or payment.method, at),
                )
    await payment.refresh_from_db()
    if not won and event.status is PaymentStatus.PAID and payment.status is not PaymentStatus.PAID:
        # The provider says paid, but it had said failed or cancelled before: nothing is credited
        # automatically, an operator has to look at it (and refund through the provider).
        log.warning("paid event for payment %s which is %s", payment.id, payment.status)
    if won and event.status is PaymentStatus.PAID:
        await send_receipt(settings, payment)
    return WebhookOutcome(payment=payment, settled=bool(won))


async def settled_event(
    payment: Payment, invoice_numbers: Sequence[str], method: PaymentMethod, paid_at: datetime
) -> dict[str, object]:
    """The payload of ``payment.settled`` (version 1) for ``payment``, paid at ``paid_at`` with
    ``method``: the customer number, what it paid (``purpose`` ``invoices`` with the invoice
    numbers oldest first, or ``wallet_top_up`` with none), ``amount`` in grosze, the currency,
    the method (enums as their stored values: ``card``), the provider and its reference (``null`` before the provider gave one), and the
    portal's payment id."""
    customer = await Customer.get(id=payment.customer_id)
    return {
        "customerNumber": customer.number,
        "paymentId": payment.id,
        "purpose": PaymentPurpose(payment.purpose).value,
        "invoiceNumbers": list(invoice_numbers),
        "amount": payment.amount,
        "currency": payment.currency,
        "method": PaymentMethod(method).value,
        "provider": payment.provider,
        "reference": payment.provider_ref,
        "paidAt": paid_at.isoformat(),
    }


async def send_receipt(settings: Settings, payment: Payment) -> None:
    """Mail the receipt of ``payment`` (settled, committed) to the customer's contact address (the
    login e-mail when there is none), in their language, in the background.

    Called once per payment, by the request whose UPDATE settled it (a replayed notification
    changes nothing and sends nothing). Never raises: the money has already moved, a mail
    problem is logged (and an SMTP failure recorded in the outbox by the mailer)."""
    try:
        customer = await Customer.get(id=payment.customer_id)
        account = await Account.get_or_none(customer_id=customer.id)
        to = customer.email or (account.email if account else None)
        if not to:
            log.warning("no e-mail address for the receipt of payment %s", payment.id)
            return
        language = customer.language
        mail = emails.payment_receipt(
            settings,
            language,
            to,
            title=title(payment.purpose, await _invoice_numbers(payment), language),
            amount=format_money(payment.amount, payment.currency, language),
            paid_at=payment.paid_at or now(),
            method=payment.method,
            reference=payment.provider_ref or str(payment.id),
        )
        emails.deliver_later(settings, mail)
    except Exception:
        log.exception("could not send the receipt of payment %s", payment.id)


async def _mark_invoices_paid(settings: Settings, payment: Payment) -> None:
    """Mark the payment's invoices paid; an invoice another payment settled first (two tabs,
    two payments) is credited to the wallet as a refund, so no money goes missing."""
    customer_id = payment.customer_id
    overpaid = 0
    for invoice in await payment.invoices.all().order_by("id"):
        if not await Invoice.filter(id=invoice.id, status=InvoiceStatus.UNPAID).update(
            status=InvoiceStatus.PAID, paid_at=now()
        ):
            overpaid += invoice.gross
    if overpaid:
        purse = await wallet.ensure_wallet(customer_id)
        await wallet.credit(
            purse.id,
            overpaid,
            kind=WalletTransactionKind.REFUND,
            description=f"Nadpłata / overpayment #{payment.id}",
        )
    await billing.lift_debt_suspensions(settings, customer_id)
