"""Complaints (reklamacje): filing one, its statutory deadline and state, and answering it.

The rules follow the Polish electronic-communications law (Prawo komunikacji elektronicznej,
art. 378) and the regulation on complaints (Dz.U. 2025 poz. 1371), as summarised in
REFERENCE.md section 3: a complaint is acknowledged on a durable medium (here: the
acknowledgement e-mail with its whole content, reg. §2), answered within 30 days of receipt,
and an unanswered complaint past that deadline is deemed accepted. The answer states the
decision, the amount and how it is paid, the reasons, the further path (out-of-court dispute
resolution at Prezes UKE, or court) and the name of the staff member who gave it.

Days are Warsaw calendar days (``backend.clock``); money is integer grosze.
"""

from __future__ import annotations

import logging
from calendar import monthrange
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from stdnum import iban
from stdnum.exceptions import ValidationError as StdnumError
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.clock import day_of, now, today
from backend.config import Settings
from backend.i18n import translate
from backend.models import (
    Complaint,
    ContactReply,
    ContactRequest,
    Contract,
    Customer,
    Device,
    Invoice,
    Message,
    Service,
    StaffMember,
    WalletTransaction,
)
from backend.models.enums import (
    AuditKind,
    ComplaintDecision,
    ComplaintSubject,
    ContactKind,
    ContactStatus,
    ContactTopic,
    Language,
    MessageCategory,
    RefundMethod,
    ReplyAuthor,
    WalletTransactionKind,
)
from backend.services import after_commit, audit, contact, emails, mailer, outbox, ratelimit, wallet
from backend.services.dates import format_day, format_instant
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.money import format_money
from backend.services.outbox import EventType
from backend.services.ownership import visible
from backend.services.request import RequestMeta
from backend.services.text import check_text

log = logging.getLogger("icok.complaints")
_E = TypeVar("_E", bound=StrEnum)
_M = TypeVar("_M", Invoice, Service, Device)

DEADLINE_DAYS = 30
"""Days from the Warsaw day of receipt to the deadline of the answer (REFERENCE §3)."""
DESCRIPTION_MAX = 5000
REASON_MAX = 5000
BANK_REFUND_DAYS = 14
"""The operator's promise: a sum granted to a bank account is transferred by the Warsaw day of
the answer + this many days (the answer names that day)."""
AMOUNT_MAX = 1_000_000
"""The most a complaint not about an invoice may claim, in grosze (10 000 zł)."""
COMPLAINTS_PER_DAY = 5
"""Complaints one customer may file in ICOK in 24 hours (COMPLAINTS_TODAY_LIMIT after: the
other channels, ``Settings.operator_contact``, stay open for a statutory right)."""
PERIOD_WITHOUT_CONTRACT_MONTHS = 12
"""With no contract, how far back (months before the Warsaw day of receipt) a period may
start."""
_TOPICS = {
    ComplaintSubject.INVOICE: ContactTopic.BILLING,
    ComplaintSubject.SERVICE: ContactTopic.TECHNICAL,
    ComplaintSubject.EQUIPMENT: ContactTopic.TECHNICAL,
    ComplaintSubject.OTHER: ContactTopic.OTHER,
}


async def earliest_period_start(customer_id: int, day: date) -> tuple[date, str]:
    """The first Warsaw day a complaint received on ``day`` may concern, and why (an i18n key):
    the start (``signed_on``) of the customer's first contract, or with no contract
    ``PERIOD_WITHOUT_CONTRACT_MONTHS`` months before ``day`` (the same day of the month, the
    month's last day when it has no such day)."""
    first = await Contract.filter(customer_id=customer_id).order_by("signed_on").first()
    if first is not None:
        return first.signed_on, "complaint.earliest.contract"
    months = day.year * 12 + day.month - 1 - PERIOD_WITHOUT_CONTRACT_MONTHS
    year, month = divmod(months, 12)
    last = monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last)), "complaint.earliest.months"


class ComplaintState(StrEnum):
    """Where a complaint stands for everyone who reads it (customer, staff, supervisor)."""

    PENDING = "pending"
    """Not answered yet, the deadline not passed."""
    DEEMED_ACCEPTED = "deemed_accepted"
    """Not answered and the deadline has passed: accepted by law (REFERENCE §3)."""
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"


_ANSWERED = {
    ComplaintDecision.ACCEPTED: ComplaintState.ACCEPTED,
    ComplaintDecision.PARTLY_ACCEPTED: ComplaintState.PARTLY_ACCEPTED,
    ComplaintDecision.REJECTED: ComplaintState.REJECTED,
}


def deadline_for(received: date) -> date:
    """The last Warsaw day to answer a complaint received on the Warsaw day ``received``."""
    return received + timedelta(days=DEADLINE_DAYS)


def complaint_state(complaint: Complaint, day: date | None = None) -> ComplaintState:
    """The complaint's state on the Warsaw day ``day`` (default today): its decision once
    answered; unanswered, PENDING up to and including its ``deadline`` and DEEMED_ACCEPTED
    from the day after (``overdue()`` is the same rule as a query)."""
    if complaint.decision is not None:
        return _ANSWERED[complaint.decision]
    if (day or today()) > complaint.deadline:
        return ComplaintState.DEEMED_ACCEPTED
    return ComplaintState.PENDING


def deemed_accepted_note(
    complaint: Complaint, language: Language, day: date | None = None
) -> str | None:
    """What a DEEMED_ACCEPTED complaint means for the customer on ``day`` (default today), in
    ``language``; None in any other state. It was accepted by law on the day after its
    deadline; a money claim will be credited to the ICOK wallet or transferred to the account
    (masked), and customer service confirms it. Payment stays a staff action (the supervisor's
    overdue list): nothing is paid by this."""
    if complaint_state(complaint, day) is not ComplaintState.DEEMED_ACCEPTED:
        return None
    accepted = format_day(complaint.deadline + timedelta(days=1), language)
    if not complaint.amount_claimed:
        key = "none"
    elif complaint.refund_method is RefundMethod.BANK_ACCOUNT:
        key = "bank"
    else:
        key = "wallet"
    return translate(
        f"complaint.deemed.{key}",
        language,
        day=accepted,
        amount=format_money(complaint.amount_claimed or 0, language=language),
        account=mask_account(complaint.bank_account or ""),
    )


def overdue(day: date | None = None) -> Q:
    """Unanswered complaints whose deadline has passed on ``day`` (default today): the ones
    ``complaint_state`` calls DEEMED_ACCEPTED, for the supervisor's overdue list."""
    return Q(decision__isnull=True, deadline__lt=day or today())


def due_within(days: int, day: date | None = None) -> Q:
    """Unanswered complaints not overdue whose deadline is within ``days`` Warsaw days of
    ``day`` (default today): deadline in [day, day + days]."""
    start = day or today()
    return Q(decision__isnull=True, deadline__gte=start, deadline__lte=start + timedelta(days=days))


def mask_account(account: str) -> str:
    """A compact IBAN shown with only its country and last 4 digits ("PL… 2874"); "" for ""."""
    return f"{account[:2]}… {account[-4:]}" if account else ""


async def customer_complaints(customer_id: int) -> list[Complaint]:
    """The customer's complaints, newest first."""
    return list(
        await Complaint.filter(request__customer_id=customer_id).order_by("-received_at", "-id")
    )


async def file_complaint(
    settings: Settings,
    customer_id: int,
    *,
    subject: str,
    invoice_id: int | None,
    service_id: int | None,
    device_id: int | None,
    period_from: date | None,
    period_to: date | None,
    amount_claimed: int | None,
    refund_method: str | None,
    bank_account: str | None,
    description: str,
    meta: RequestMeta,
) -> ContactRequest:
    """File the customer's complaint (reklamacja): a ``ContactRequest`` of kind COMPLAINT (its
    body the ``description``) and its ``Complaint``, numbered ``R/<year>/<6 digits>`` per year
    of the Warsaw day of receipt, with the deadline that day + 30 days (REFERENCE §3).

    ``subject`` is a ``ComplaintSubject`` value: INVOICE needs ``invoice_id``, SERVICE
    ``service_id``, EQUIPMENT ``device_id`` or ``service_id``; every id given must be one of the
    customer's own (NOT_FOUND otherwise). ``period_from`` ≤ ``period_to``, neither after today
    (Warsaw days), ``period_from`` not before :func:`earliest_period_start` (PERIOD_TOO_EARLY,
    params ``earliest``, ``why``). ``amount_claimed`` in grosze: 1 up to the invoice's gross for an invoice
    complaint, else ``AMOUNT_MAX``; a claim needs ``refund_method`` (``RefundMethod`` value) and
    BANK_ACCOUNT needs ``bank_account`` (an IBAN, stored compact). ``description`` at most
    ``DESCRIPTION_MAX`` characters. All checked at once (``ValidationErrors``: REQUIRED,
    INVALID, NOT_FOUND, ENDS_BEFORE_START, IN_THE_FUTURE, PERIOD_TOO_EARLY, AMOUNT_OUT_OF_RANGE,
    INVALID_IBAN, TOO_LONG, FORBIDDEN_CHARACTER), then COMPLAINTS_TODAY_LIMIT (``limit``, ``at``:
    the Warsaw time the next one is taken, ``contact``: the operator's other channels) after
    ``COMPLAINTS_PER_DAY``.

    One transaction writes the rows, the audit COMPLAINT_FILED, the ``complaint.created`` event
    and the portal notice; after it the acknowledgement (the durable medium, reg. §2) is
    e-mailed with the complaint's whole content to the contact address in the customer's
    language, and ``acknowledged_at`` set once the mailer took it."""
    errors = Collector()
    chosen = _choice(errors, ComplaintSubject, subject, "subject", required=True)
    invoice = await _own(errors, Invoice, customer_id, invoice_id, "invoice_id")
    service = await _own(errors, Service, customer_id, service_id, "service_id")
    device = await _own(errors, Device, customer_id, device_id, "device_id")
    if chosen is ComplaintSubject.INVOICE and invoice_id is None:
        errors.add(ErrorCode.REQUIRED, "invoice_id")
    if chosen is ComplaintSubject.SERVICE and service_id is None:
        errors.add(ErrorCode.REQUIRED, "service_id")
    if chosen is ComplaintSubject.EQUIPMENT and device_id is None and service_id is None:
        errors.add(ErrorCode.REQUIRED, "device_id")
    day = today()
    for value, field in ((period_from, "period_from"), (period_to, "period_to")):
        if value is not None and value > day:
            errors.add(ErrorCode.IN_THE_FUTURE, field)
    earliest, why = await earliest_period_start(customer_id, day)
    for value, field in ((period_from, "period_from"), (period_to, "period_to")):
        if value is not None and value < earliest and not _has_error(errors, field):
            errors.add(
                ErrorCode.PERIOD_TOO_EARLY,
                field,
                earliest=format_day(earliest, meta.language),
                why=translate(why, meta.language),
            )
    if period_from is not None and period_to is not None and period_to < period_from:
        errors.add(
            ErrorCode.ENDS_BEFORE_START, "period_to", start=format_day(period_from, meta.language)
        )
    method = _choice(errors, RefundMethod, refund_method, "refund_method", required=False)
    account: str | None = None
    if amount_claimed is not None:
        ceiling = invoice.gross if invoice is not None else AMOUNT_MAX
        if not 1 <= amount_claimed <= max(ceiling, 1):
            errors.add(
                ErrorCode.AMOUNT_OUT_OF_RANGE,
                "amount_claimed",
                min=format_money(1, language=meta.language),
                max=format_money(max(ceiling, 1), language=meta.language),
            )
        if method is None and not _has_error(errors, "refund_method"):
            errors.add(ErrorCode.REQUIRED, "refund_method")
        if method is RefundMethod.BANK_ACCOUNT:
            account = _iban(errors, bank_account)
    else:
        method = None
    description = check_text(
        errors, description or "", "description", DESCRIPTION_MAX, multiline=True, required=True
    )
    errors.raise_if_any()
    assert chosen is not None
    verdict = await ratelimit.hit(
        f"complaint:{customer_id}", limit=COMPLAINTS_PER_DAY, window=timedelta(days=1)
    )
    if not verdict.allowed:
        raise DomainError(
            ErrorCode.COMPLAINTS_TODAY_LIMIT,
            None,
            {
                "limit": COMPLAINTS_PER_DAY,
                "at": format_instant(verdict.retry_at, meta.language),
                "contact": settings.operator_contact,
            },
        )
    customer = await Customer.get(id=customer_id)
    received = now()
    for _ in range(5):
        try:
            async with in_transaction():
                request, complaint = await _write(
                    settings,
                    customer,
                    chosen,
                    invoice=invoice,
                    service=service,
                    device=device,
                    period=(period_from, period_to),
                    amount=amount_claimed,
                    method=method,
                    account=account,
                    description=description,
                    received=received,
                    meta=meta,
                )
            break
        except IntegrityError:  # a concurrent complaint took the number: take the next one
            continue
    else:
        raise DomainError(ErrorCode.WRITE_CONFLICT, None)
    await after_commit.attempt(
        f"acknowledging complaint {complaint.number}", acknowledge(settings, complaint)
    )
    return request


def _choice(
    errors: Collector, enum: type[_E], value: str | None, field: str, *, required: bool
) -> _E | None:
    text = (value or "").strip().lower()
    if not text:
        if required:
            errors.add(ErrorCode.REQUIRED, field)
        return None
    try:
        return enum(text)
    except ValueError:
        errors.add(ErrorCode.INVALID, field)
        return None


async def _own(
    errors: Collector, model: type[_M], customer_id: int, id: int | None, field: str
) -> _M | None:
    """The customer's own row ``id`` of ``model`` (None, with NOT_FOUND, for anyone else's)."""
    if id is None:
        return None
    row = await visible(model, customer_id).get_or_none(id=id)
    if row is None:
        errors.add(ErrorCode.NOT_FOUND, field)
    return row


def _has_error(errors: Collector, field: str) -> bool:
    return any(e.field == field for e in errors.errors)


def _iban(errors: Collector, value: str | None) -> str | None:
    """The compact IBAN of ``value`` (REQUIRED when empty, INVALID_IBAN when not one)."""
    text = (value or "").strip()
    if not text:
        errors.add(ErrorCode.REQUIRED, "bank_account")
        return None
    if len(text) > 60:
        errors.add(ErrorCode.INVALID_IBAN, "bank_account")
        return None
    try:
        return str(iban.validate(text))
    except StdnumError:
        errors.add(ErrorCode.INVALID_IBAN, "bank_account")
        return None


async def _next_number(year: int) -> str:
    prefix = f"R/{year}/"
    last = (
        await Complaint.filter(number__startswith=prefix)
        .order_by("-number")
        .limit(1)
        .values_list("number", flat=True)
    )
    following = int(str(last[0]).rsplit("/", 1)[1]) + 1 if last else 1
    return f"{prefix}{following:06d}"


async def _write(
    settings: Settings,
    customer: Customer,
    subject: ComplaintSubject,
    *,
    invoice: Invoice | None,
    service: Service | None,
    device: Device | None,
    period: tuple[date | None, date | None],
    amount: int | None,
    method: RefundMethod | None,
    account: str | None,
    description: str,
    received: Any,
    meta: RequestMeta,
) -> tuple[ContactRequest, Complaint]:
    """The rows of a new complaint, its audit record, event and portal notice (call inside the
    transaction; IntegrityError when its number was taken meanwhile)."""
    received_day = day_of(received)
    number = await _next_number(received_day.year)
    deadline = deadline_for(received_day)
    language = customer.language
    line = translate(f"complaint.title.{subject.value}", language, number=number)
    request = await ContactRequest.create(
        customer_id=customer.id,
        kind=ContactKind.COMPLAINT,
        topic=_TOPICS[subject],
        subject=line[:150],
        body=description,
        created_at=received,
    )
    complaint = await Complaint.create(
        request_id=request.id,
        number=number,
        subject=subject,
        invoice_id=invoice.id if invoice else None,
        service_id=service.id if service else None,
        device_id=device.id if device else None,
        period_from=period[0],
        period_to=period[1],
        amount_claimed=amount,
        refund_method=method,
        bank_account=account,
        received_at=received,
        deadline=deadline,
    )
    await audit.record(
        AuditKind.COMPLAINT_FILED,
        customer.id,
        meta,
        request=request.id,
        number=number,
        amount=amount,
    )
    await outbox.emit(
        settings,
        EventType.COMPLAINT_CREATED,
        customer.id,
        {
            "customerNumber": customer.number,
            "requestId": request.id,
            "number": number,
            "subject": subject.value,
            "invoiceNumber": invoice.number if invoice else None,
            "serviceIdentifier": service.identifier if service else None,
            "deviceSerial": device.serial_number if device else None,
            "periodFrom": period[0].isoformat() if period[0] else None,
            "periodTo": period[1].isoformat() if period[1] else None,
            "amountClaimed": amount,
            "refundMethod": method.value if method else None,
            "bankAccount": account,
            "description": description,
            "receivedAt": received.isoformat(),
            "deadline": deadline.isoformat(),
        },
    )
    await Message.create(
        customer_id=customer.id,
        category=MessageCategory.SERVICE,
        subject=translate("notice.complaint.subject", language, number=number)[:200],
        body=" ".join(
            part
            for part in (
                customer.email
                and translate("notice.complaint.mail", language, email=customer.email),
                translate(
                    "notice.complaint.body",
                    language,
                    number=number,
                    deadline=format_day(deadline, language),
                ),
            )
            if part
        ),
        published_at=received,
    )
    return request, complaint


def _period_text(start: date | None, end: date | None, language: Language) -> str | None:
    """The period as the acknowledgement says it: "1 – 9 listopada" style, or "od X" / "do Y"
    when only one end was given, None with neither."""
    if start and end:
        return f"{format_day(start, language)} – {format_day(end, language)}"
    if start:
        return translate("complaint.period.from", language, day=format_day(start, language))
    if end:
        return translate("complaint.period.until", language, day=format_day(end, language))
    return None


async def _acknowledgement(
    settings: Settings, request: ContactRequest, complaint: Complaint
) -> mailer.Mail:
    """The acknowledgement mail of ``complaint`` (its ``request`` with the customer fetched) to
    the customer's contact address (REFERENCE §3 content):
    who filed it (name, address, customer number), its number, receipt and deadline, subject
    and what it concerns, the period, the amount and refund (the IBAN grouped in fours), how the
    answer will be sent (ICOK and the contact e-mail address) and the description."""
    customer = request.customer
    assert customer.email
    language = customer.language
    address = ", ".join(
        part
        for part in (customer.street, f"{customer.postal_code} {customer.city}".strip())
        if part
    )
    lines = [
        (translate("complaint.field.number", language), complaint.number),
        (translate("complaint.field.customer", language), customer.full_name),
    ]
    if address:
        lines.append((translate("complaint.field.address", language), address))
    lines += [
        (translate("complaint.field.customer_number", language), customer.number),
        (
            translate("complaint.field.received", language),
            format_instant(complaint.received_at, language),
        ),
        (translate("complaint.field.deadline", language), format_day(complaint.deadline, language)),
        (
            translate("complaint.field.subject", language),
            translate(f"complaint.subject.{complaint.subject.value}", language),
        ),
    ]
    if complaint.invoice_id is not None:
        invoice = await Invoice.get(id=complaint.invoice_id)
        lines.append((translate("complaint.field.invoice", language), invoice.number))
    if complaint.service_id is not None:
        service = await Service.get(id=complaint.service_id)
        lines.append((translate("complaint.field.service", language), service.identifier))
    if complaint.device_id is not None:
        device = await Device.get(id=complaint.device_id)
        lines.append((translate("complaint.field.device", language), device.serial_number))
    period = _period_text(complaint.period_from, complaint.period_to, language)
    if period is not None:
        lines.append((translate("complaint.field.period", language), period))
    if complaint.amount_claimed:
        lines.append(
            (
                translate("complaint.field.amount", language),
                format_money(complaint.amount_claimed, language=language),
            )
        )
        assert complaint.refund_method is not None
        how = translate(f"complaint.refund.{complaint.refund_method.value}", language)
        if complaint.bank_account:
            how = f"{how}: {iban.format(complaint.bank_account)}"
        lines.append((translate("complaint.field.refund", language), how))
    lines.append(
        (
            translate("complaint.field.answer_channel", language),
            translate("complaint.answer_channel", language, email=customer.email),
        )
    )
    content = "\n".join(f"{label}: {value}" for label, value in lines)
    return emails.complaint_acknowledgement(
        settings,
        language,
        customer.email,
        number=complaint.number,
        content=content,
        description=request.body,
        deadline=format_day(complaint.deadline, language),
    )


async def acknowledge(settings: Settings, complaint: Complaint) -> bool:
    """E-mail the acknowledgement of ``complaint`` (the durable medium, reg. §2) and record
    ``acknowledged_at`` once the mailer took it; True when it did. A customer without a contact
    address, or a failing mailer (logged), leaves it null: :func:`resend_acknowledgements`
    tries again and the staff see it unacknowledged."""
    request = await ContactRequest.get(id=complaint.request_id).select_related("customer")
    if not request.customer.email:
        return False
    mail = await _acknowledgement(settings, request, complaint)
    try:
        sent = await mailer.send(settings, mail)
    except Exception:  # the complaint is filed: log, try again later
        log.exception("could not acknowledge complaint %s", complaint.number)
        return False
    if sent.sent_at is None:
        log.warning("the acknowledgement of complaint %s was not sent", complaint.number)
        return False
    complaint.acknowledged_at = sent.sent_at
    await Complaint.filter(id=complaint.id).update(acknowledged_at=sent.sent_at)
    return True


ACK_RETRY_AFTER = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
    timedelta(days=1),
    timedelta(days=3),
)
"""How long after receipt an unacknowledged complaint's acknowledgement is sent again: one
attempt per step, the gaps growing, ``len(ACK_RETRY_AFTER)`` attempts after the first at most;
after the last the complaint stays unacknowledged (logged as an error, the staff see it)."""
ACK_SWEEP_SECONDS = 60.0
"""How often the background worker looks for acknowledgements to send again."""
_ACK_MARK_KEEP = ACK_RETRY_AFTER[-1] + timedelta(days=2)


async def resend_acknowledgements(settings: Settings) -> int:
    """Send again the acknowledgements the mailer did not take (a housekeeping chore): each
    unacknowledged complaint of a customer with a contact address, once per step of
    :data:`ACK_RETRY_AFTER` it has reached (the step taken with a rate-limit mark, so two
    workers at once send it once). Returns how many were sent now."""
    moment = now()
    rows = await Complaint.filter(
        acknowledged_at__isnull=True,
        received_at__lte=moment - ACK_RETRY_AFTER[0],
        received_at__gt=moment - _ACK_MARK_KEEP,
        request__customer__email__isnull=False,
    ).order_by("id")
    sent = 0
    attempts = len(ACK_RETRY_AFTER)
    for complaint in rows:
        age = moment - complaint.received_at
        step = max(i for i, after in enumerate(ACK_RETRY_AFTER) if age >= after)
        mark = await ratelimit.hit(
            f"complaint-ack:{complaint.id}:{step}", limit=1, window=_ACK_MARK_KEEP
        )
        if not mark.allowed:
            continue
        log.warning(
            "sending the acknowledgement of complaint %s again (attempt %d of %d)",
            complaint.number,
            step + 1,
            attempts,
        )
        if await acknowledge(settings, complaint):
            sent += 1
        elif step == attempts - 1:
            log.error(
                "complaint %s still unacknowledged after %d attempts: giving up",
                complaint.number,
                attempts,
            )
    return sent


async def complaints_by_request(
    ids: Sequence[int], customer_id: int | None = None
) -> dict[int, Complaint]:
    """The complaints of the contact requests ``ids`` (for DataLoaders), by request id; only
    ``customer_id``'s when given (the customer API), anyone's for the staff (with the invoice,
    service and device they concern fetched)."""
    query = Complaint.filter(request_id__in=ids)
    if customer_id is not None:
        query = query.filter(request__customer_id=customer_id)
    else:
        query = query.prefetch_related("invoice", "service", "device")
    return {c.request_id: c for c in await query}


async def credits_by_id(customer_id: int, ids: Sequence[int]) -> dict[int, WalletTransaction]:
    """The customer's wallet entries ``ids`` (the credits of answered complaints), by id."""
    rows = await visible(WalletTransaction, customer_id).filter(id__in=ids)
    return {r.id: r for r in rows}


async def answer_complaint(
    settings: Settings,
    *,
    request_id: int,
    decision: ComplaintDecision,
    reason: str,
    amount_granted: int | None,
    staff: StaffMember,
    meta: RequestMeta,
) -> Complaint:
    """Answer the complaint of contact request ``request_id`` once, as ``staff``.

    ``decision`` ACCEPTED grants the claimed amount (``amount_granted`` in grosze defaults to
    it), PARTLY_ACCEPTED needs ``0 < amount_granted < amount_claimed`` (when money was claimed)
    and a ``reason``,
    REJECTED needs a ``reason`` and grants nothing. Past the deadline only ACCEPTED in full
    may be recorded (it is deemed accepted, REFERENCE §3). Money goes to the wallet
    (``wallet.credit`` kind COMPLAINT, same transaction) or is recorded for a bank transfer.
    The answer becomes an operator reply in the conversation (request ANSWERED) and is
    e-mailed; audit COMPLAINT_ANSWERED and event ``complaint.answered``. Returns the complaint.

    Raises ``ValidationErrors`` (REQUIRED / TOO_LONG / FORBIDDEN_CHARACTER on ``reason``,
    INVALID / AMOUNT_OVER_CLAIM (``max``) / AMOUNT_NOT_PARTIAL (``max``: PARTLY_ACCEPTED with
    0 or the whole claim) / AMOUNT_NOT_FULL (``max``: ACCEPTED with another amount than the
    claim) / AMOUNT_ON_REJECTION (REJECTED with an amount) / NO_MONEY_CLAIMED (an amount on a
    complaint that claimed no money) on ``amount_granted``), ``DomainError`` NOT_FOUND
    (``request_id``: no complaint), COMPLAINT_ANSWERED (answered already, also by a
    concurrent call), COMPLAINT_DEEMED_ACCEPTED (``deadline``) on ``decision``,
    ASSIGNED_TO_OTHER (``name``: an agent answers only an unassigned complaint, which answering
    takes, or their own; ``contact.check_writer``)."""
    complaint = await Complaint.get_or_none(request_id=request_id)
    if complaint is None:
        raise DomainError(ErrorCode.NOT_FOUND, "request_id")
    if complaint.decision is not None:
        raise DomainError(ErrorCode.COMPLAINT_ANSWERED, "decision")
    granted, reason = _check_answer(complaint, decision, reason, amount_granted)
    if complaint_state(complaint) is ComplaintState.DEEMED_ACCEPTED and (
        decision is not ComplaintDecision.ACCEPTED
    ):
        deadline = format_day(complaint.deadline, meta.language)
        raise DomainError(ErrorCode.COMPLAINT_DEEMED_ACCEPTED, "decision", {"deadline": deadline})
    request = await ContactRequest.get(id=complaint.request_id)
    customer = await Customer.get(id=request.customer_id)
    decided = now()
    body = _answer_text(complaint, decision, reason, granted, staff, customer.language, decided)
    async with in_transaction():
        await contact.check_writer(staff, request, take=True)
        won = await Complaint.filter(id=complaint.id, decision__isnull=True).update(
            decision=decision,
            decision_reason=reason,
            amount_granted=granted,
            decided_at=decided,
            decided_by_id=staff.id,
        )
        if not won:  # a concurrent answer came first
            raise DomainError(ErrorCode.COMPLAINT_ANSWERED, "decision")
        paid: dict[str, Any] = {}
        if granted and complaint.refund_method is RefundMethod.WALLET:
            purse = await wallet.ensure_wallet(customer.id)
            entry = await wallet.credit(
                purse.id,
                granted,
                kind=WalletTransactionKind.COMPLAINT,
                description=translate(
                    "complaint.credit", customer.language, number=complaint.number
                ),
            )
            paid = {"wallet_transaction_id": entry.id}
        elif granted and complaint.refund_method is RefundMethod.BANK_ACCOUNT:
            paid = {"bank_refund_recorded_at": decided}
        if paid:
            await Complaint.filter(id=complaint.id).update(**paid)
        await ContactReply.create(
            request_id=request.id,
            author=ReplyAuthor.OPERATOR,
            body=body,
            created_at=decided,
            staff_id=staff.id,
        )
        await ContactRequest.filter(id=request.id).update(
            status=ContactStatus.ANSWERED, updated_at=decided
        )
        await audit.record(
            AuditKind.COMPLAINT_ANSWERED,
            customer.id,
            meta,
            request=request.id,
            number=complaint.number,
            decision=decision.value,
            amount=granted,
            staff=staff.id,
            staff_name=staff.name,
        )
        await outbox.emit(
            settings,
            EventType.COMPLAINT_ANSWERED,
            customer.id,
            {
                "customerNumber": customer.number,
                "requestId": request.id,
                "number": complaint.number,
                "decision": decision.value,
                "reason": reason,
                "amountClaimed": complaint.amount_claimed,
                "amountGranted": granted,
                "refundMethod": complaint.refund_method.value if complaint.refund_method else None,
                "bankAccount": complaint.bank_account if granted else None,
                "decidedAt": decided.isoformat(),
                "staffName": staff.name,
            },
        )
    await contact.email_reply(settings, customer, request, body)
    return await Complaint.get(id=complaint.id)


def _check_answer(
    complaint: Complaint, decision: ComplaintDecision, reason: str, amount: int | None
) -> tuple[int | None, str]:
    """The amount granted (grosze, None when no money was claimed or none is granted) and the
    reason to store, or ``ValidationErrors`` with every problem of the answer."""
    errors = Collector()
    needs_reason = decision is not ComplaintDecision.ACCEPTED
    reason = check_text(
        errors, reason or "", "reason", REASON_MAX, multiline=True, required=needs_reason
    )
    claimed = complaint.amount_claimed or 0
    granted: int | None = None
    if decision is ComplaintDecision.REJECTED:
        if amount:  # a rejection grants nothing
            errors.add(ErrorCode.AMOUNT_ON_REJECTION, "amount_granted")
    elif not claimed:
        if amount:  # nothing was claimed: there is nothing to grant
            errors.add(ErrorCode.NO_MONEY_CLAIMED, "amount_granted")
    elif decision is ComplaintDecision.ACCEPTED:
        granted = claimed
        if amount is not None and amount != claimed:
            errors.add(ErrorCode.AMOUNT_NOT_FULL, "amount_granted", max=format_money(claimed))
    elif decision is ComplaintDecision.PARTLY_ACCEPTED:
        if amount is None:
            errors.add(ErrorCode.REQUIRED, "amount_granted")
        elif amount > claimed:
            errors.add(ErrorCode.AMOUNT_OVER_CLAIM, "amount_granted", max=format_money(claimed))
        elif amount <= 0 or amount == claimed:
            errors.add(ErrorCode.AMOUNT_NOT_PARTIAL, "amount_granted", max=format_money(claimed))
        else:
            granted = amount
    errors.raise_if_any()
    return granted, reason


def _answer_text(
    complaint: Complaint,
    decision: ComplaintDecision,
    reason: str,
    granted: int | None,
    staff: StaffMember,
    language: Language,
    decided: datetime,
) -> str:
    """The answer as the customer reads it (REFERENCE §3, answer content): the complaint's
    number and day of receipt, the decision (an answer after the deadline says the complaint
    was deemed accepted the day after it), the amount granted and how it is paid (a bank
    transfer by the Warsaw day ``decided`` + ``BANK_REFUND_DAYS``), the reasons, the further
    path (Prezes UKE, court) and the staff member's name."""
    received = format_day(day_of(complaint.received_at), language)
    parts = [
        translate(
            f"complaint.answer.{decision.value}",
            language,
            number=complaint.number,
            received=received,
        )
    ]
    if complaint_state(complaint, day_of(decided)) is ComplaintState.DEEMED_ACCEPTED:
        parts.append(
            translate(
                "complaint.answer.deemed",
                language,
                deadline=format_day(complaint.deadline, language),
                day=format_day(complaint.deadline + timedelta(days=1), language),
            )
        )
    if granted:
        how = "wallet" if complaint.refund_method is RefundMethod.WALLET else "bank"
        account = mask_account(complaint.bank_account or "")
        parts.append(
            translate(
                f"complaint.answer.paid.{how}",
                language,
                amount=format_money(granted, language=language),
                account=account,
                by=format_day(day_of(decided) + timedelta(days=BANK_REFUND_DAYS), language),
            )
        )
    if reason:
        parts.append(translate("complaint.answer.reason", language, reason=reason))
    if decision is not ComplaintDecision.ACCEPTED:
        parts.append(translate("complaint.answer.further", language))
    parts.append(translate("complaint.answer.signed", language, name=staff.name))
    return "\n\n".join(parts)
