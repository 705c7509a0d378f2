"""The contact domain: what the operator and the customer say to each other. The operator's
messages (with per-customer read state for broadcasts) and marking them read; the customer's
contact requests (the contact form) with the operator's replies.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.i18n import translate
from backend.models import (
    Complaint,
    ContactNote,
    ContactReply,
    ContactRequest,
    Customer,
    Message,
    MessageRead,
    StaffMember,
)
from backend.models.enums import (
    AuditKind,
    ContactKind,
    ContactStatus,
    ContactTopic,
    MessageCategory,
    ReplyAuthor,
    StaffRole,
)
from backend.services import after_commit, audit, billing, complaints, emails, outbox, ratelimit
from backend.services.batch import group
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.notices import notify
from backend.services.outbox import EventType
from backend.services.ownership import visible
from backend.services.paging import Keyset, Page, paginate
from backend.services.request import RequestMeta
from backend.services.staff import role_allows
from backend.services.text import check_text, escaped

SUBJECT_MAX = 150
BODY_MAX = 5000
REQUESTS_PER_HOUR = 5
# Urgent first, then newest first.
MESSAGES = Keyset("messages", (("urgent", "bool"), ("published_at", "datetime"), ("id", "int")))


def _read_ids(customer_id: int) -> Subquery:
    return Subquery(MessageRead.filter(customer_id=customer_id).values("message_id"))


async def messages_page(
    customer_id: int,
    *,
    unread_only: bool = False,
    first: int | None = None,
    after: str | None = None,
) -> Page[Message]:
    query = visible(Message, customer_id)
    if unread_only:
        query = query.exclude(id__in=_read_ids(customer_id))
    return await paginate(query, MESSAGES, first=first, after=after)


async def unread_count(customer_id: int) -> int:
    return await visible(Message, customer_id).exclude(id__in=_read_ids(customer_id)).count()


async def urgent_unread(customer_id: int, limit: int = 5) -> list[Message]:
    """The unread urgent messages the start screen shows as banners, newest first.

    An urgent billing message (an overdue invoice, a service suspended for debt) is urgent only
    while the debt lasts (``billing.in_debt``): once everything is paid it leaves the banner (it
    stays in the message list, where it is history)."""
    query = visible(Message, customer_id).filter(urgent=True)
    query = query.exclude(id__in=_read_ids(customer_id))
    if not await billing.in_debt(customer_id):
        query = query.exclude(category=MessageCategory.BILLING)
    return list(await query.order_by("-published_at", "-id").limit(limit))


async def read_at_by_message(customer_id: int, ids: Sequence[int]) -> dict[int, datetime]:
    rows = await MessageRead.filter(customer_id=customer_id, message_id__in=ids)
    return {r.message_id: r.read_at for r in rows}


async def contact_requests(customer_id: int) -> list[ContactRequest]:
    return list(await visible(ContactRequest, customer_id).order_by("-created_at", "-id"))


async def replies_by_request(customer_id: int, ids: Sequence[int]) -> dict[int, list[ContactReply]]:
    rows = await ContactReply.filter(request_id__in=ids, request__customer_id=customer_id).order_by(
        "created_at", "id"
    )
    return group(rows, "request_id")


async def send_contact_request(
    settings: Settings,
    customer_id: int,
    *,
    topic: str,
    subject: str,
    body: str,
    meta: RequestMeta,
) -> ContactRequest:
    """Write the customer's contact request (the contact form) and tell them it arrived.

    ``topic`` is a ``ContactTopic`` value, ``subject`` one line of at most ``SUBJECT_MAX``
    characters, ``body`` at most ``BODY_MAX``; all checked at once (``ValidationErrors``), then
    ``RATE_LIMITED`` after ``REQUESTS_PER_HOUR``. The request, its audit record and its
    ``contact_request.created`` event are one transaction; the notice follows it."""
    errors = Collector()
    try:
        chosen = ContactTopic((topic or "").strip().lower())
    except ValueError:
        errors.add(ErrorCode.INVALID, "topic")
    subject = check_text(errors, subject or "", "subject", SUBJECT_MAX, required=True)
    body = check_text(errors, body or "", "body", BODY_MAX, multiline=True, required=True)
    errors.raise_if_any()
    verdict = await ratelimit.hit(
        f"contact-request:{customer_id}", limit=REQUESTS_PER_HOUR, window=timedelta(hours=1)
    )
    if not verdict.allowed:
        raise DomainError(ErrorCode.RATE_LIMITED, None, {"minutes": verdict.retry_minutes})
    customer = await Customer.get(id=customer_id)
    async with in_transaction():
        request = await ContactRequest.create(
            customer_id=customer_id, topic=chosen, subject=subject, body=body, created_at=now()
        )
        await audit.record(
            AuditKind.CONTACT_REQUEST_SENT,
            customer_id,
            meta,
            request=request.id,
            topic=chosen.value,
        )
        await outbox.emit(
            settings,
            EventType.CONTACT_REQUEST_CREATED,
            customer_id,
            {
                "customerNumber": customer.number,
                "requestId": request.id,
                "topic": chosen.value,
                "subject": subject,
                "body": body,
            },
        )
    await after_commit.attempt(
        f"the notice of contact request {request.id}",
        notify(
            settings,
            customer,
            category=MessageCategory.SERVICE,
            subject=translate(
                "notice.contact_request.subject", customer.language, number=request.id
            ),
            body=translate(
                "notice.contact_request.body",
                customer.language,
                number=request.id,
                subject=subject,
            ),
        ),
    )
    return request


async def mark_message_read(customer_id: int, message_id: int) -> tuple[Message, MessageRead]:
    """Idempotent: the first call records when it was read, later calls return that record.

    Read state lives in ``MessageRead`` for personal and broadcast messages alike (a broadcast
    is shared, so its read state cannot live on the message)."""
    message = await visible(Message, customer_id).get_or_none(id=message_id)
    if message is None:
        raise DomainError(ErrorCode.NOT_FOUND, "message_id")
    existing = await MessageRead.get_or_none(message_id=message.id, customer_id=customer_id)
    if existing is not None:
        return message, existing
    try:
        async with in_transaction():
            read = await MessageRead.create(message=message, customer_id=customer_id, read_at=now())
    except IntegrityError:  # a concurrent call recorded it first
        read = await MessageRead.get(message_id=message.id, customer_id=customer_id)
    return message, read


# --- replies: the operator's answers and the customer's replies back -----------------------------

REFERENCE_MAX = 64
REPLIES_PER_HOUR = 20


async def operator_reply(
    settings: Settings,
    *,
    reference: str,
    request_id: int,
    body: str,
    close: bool,
    writer: str,
    meta: RequestMeta,
) -> OperatorReply:
    """The operator answers the contact request ``request_id`` (any customer's: the operator
    answers everyone) with ``body`` under its own ``reference`` (at most 64 characters); the
    request becomes ANSWERED (CLOSED when ``close``) and the customer is e-mailed in their
    language (contact address, in the background) with a link to the request in the SPA.

    Idempotent by ``reference``: the same reference with the same request and body returns the
    stored reply with ``created`` False (nothing written, no e-mail again). ``writer`` (``key:<API key name>``) goes to the audit trail.

    Raises ``ValidationErrors`` (REQUIRED, TOO_LONG, FORBIDDEN_CHARACTER on ``reference`` and
    ``body``), ``DomainError`` NOT_FOUND (``request_id``: no such request), REFERENCE_REUSED
    (``reference``: already used for another request or another text)."""
    errors = Collector()
    reference = check_text(errors, reference or "", "reference", REFERENCE_MAX, required=True)
    body = check_text(errors, body or "", "body", BODY_MAX, multiline=True, required=True)
    errors.raise_if_any()
    stored = await _stored_reply(reference, request_id, body)
    if stored is not None:
        return await _answered(stored, created=False)
    request = await ContactRequest.get_or_none(id=request_id)
    if request is None:
        raise DomainError(ErrorCode.NOT_FOUND, "request_id")
    status = ContactStatus.CLOSED if close else ContactStatus.ANSWERED
    try:
        async with in_transaction():
            reply = await ContactReply.create(
                request_id=request.id,
                author=ReplyAuthor.OPERATOR,
                body=body,
                created_at=now(),
                reference=reference,
            )
            await ContactRequest.filter(id=request.id).update(status=status, updated_at=now())
            await audit.record(
                AuditKind.OPERATOR_WRITE,
                None,
                meta,
                writer=writer,
                type="contact_reply",
                request=request.id,
                reference=reference,
                status=status.value,
            )
    except IntegrityError:  # the same reference stored concurrently
        stored = await _stored_reply(reference, request_id, body)
        if stored is None:
            raise
        return await _answered(stored, created=False)
    await email_reply(settings, await Customer.get(id=request.customer_id), request, body)
    return OperatorReply(reply=reply, request_status=status, created=True)


async def email_reply(
    settings: Settings, customer: Customer, request: ContactRequest, body: str
) -> None:
    """E-mail the operator's reply ``body`` on ``request`` to ``customer``'s contact address in
    their language, in the background (nothing when they have no address); a complaint's reply
    names the complaint's number."""
    if customer.email:
        number = None
        if request.kind is ContactKind.COMPLAINT:
            found = await Complaint.get_or_none(request_id=request.id)
            number = found.number if found is not None else None
        mail = emails.contact_reply(
            settings,
            customer.language,
            customer.email,
            number=request.id,
            subject=request.subject,
            body=body,
            complaint=number,
        )
        emails.deliver_later(settings, mail)


@dataclass(frozen=True)
class OperatorReply:
    """The operator's stored ``reply``, its request's status now, and whether it was stored by
    this call (False: the reference was stored already)."""

    reply: ContactReply
    request_status: ContactStatus
    created: bool


async def _answered(reply: ContactReply, *, created: bool) -> OperatorReply:
    request = await ContactRequest.get(id=reply.request_id)
    return OperatorReply(reply=reply, request_status=request.status, created=created)


async def _stored_reply(reference: str, request_id: int, body: str) -> ContactReply | None:
    """The operator's reply stored under ``reference`` if it says the same (None if none);
    REFERENCE_REUSED if it is another request's or another text."""
    stored = await ContactReply.get_or_none(reference=reference)
    if stored is None:
        return None
    if stored.request_id != request_id or stored.body != body:
        raise DomainError(ErrorCode.REFERENCE_REUSED, "reference", {"key": reference})
    return stored


async def customer_reply(
    settings: Settings, customer_id: int, *, request_id: int, body: str, meta: RequestMeta
) -> ContactRequest:
    """The customer writes back on their own contact request ``request_id`` (``body``, at most
    5000 characters, several lines). A request that was ANSWERED, CLOSED or WAITING (for this
    very reply) goes back to IN_PROGRESS (the staff have something to read again); a NEW or
    IN_PROGRESS one keeps its status. The event ``contact_reply.created`` is written in the same transaction. At most
    ``REPLIES_PER_HOUR`` replies an hour per customer. Returns the request as it is now.

    Raises ``ValidationErrors`` (REQUIRED, TOO_LONG, FORBIDDEN_CHARACTER on ``body``),
    ``DomainError`` NOT_FOUND (``request_id``: none of this customer's), RATE_LIMITED
    (``minutes``)."""
    errors = Collector()
    body = check_text(errors, body or "", "body", BODY_MAX, multiline=True, required=True)
    errors.raise_if_any()
    request = await visible(ContactRequest, customer_id).get_or_none(id=request_id)
    if request is None:
        raise DomainError(ErrorCode.NOT_FOUND, "request_id")
    verdict = await ratelimit.hit(
        f"contact-reply:{customer_id}", limit=REPLIES_PER_HOUR, window=timedelta(hours=1)
    )
    if not verdict.allowed:
        raise DomainError(ErrorCode.RATE_LIMITED, None, {"minutes": verdict.retry_minutes})
    reopened = request.status in (
        ContactStatus.ANSWERED,
        ContactStatus.CLOSED,
        ContactStatus.WAITING,
    )
    status = ContactStatus.IN_PROGRESS if reopened else request.status
    customer_number = (await Customer.filter(id=customer_id).values_list("number", flat=True))[0]
    async with in_transaction():
        reply = await ContactReply.create(
            request_id=request.id, author=ReplyAuthor.CUSTOMER, body=body, created_at=now()
        )
        await ContactRequest.filter(id=request.id).update(status=status, updated_at=now())
        await outbox.emit(
            settings,
            EventType.CONTACT_REPLY_CREATED,
            customer_id,
            {
                "customerNumber": customer_number,
                "requestId": request.id,
                "replyId": reply.id,
                "body": body,
                "status": status.value,
                "createdAt": reply.created_at.isoformat(),
            },
        )
    return await ContactRequest.get(id=request.id)


# --- the staff's queue: contact requests and complaints, worked on in the console ------------
#
# Who may do what. Every staff member (AGENT and up) sees the whole queue, reads any request
# (each read audited), takes an unassigned request (or one already theirs), gives back their own,
# writes notes on any request, and replies, sets the status and answers complaints only on a
# request that is unassigned (replying or answering takes it) or assigned to them
# (``check_writer``: ASSIGNED_TO_OTHER, naming the holder, otherwise). Only a SUPERVISOR (or ADMIN)
# may: reply, set the status and answer on a request another member holds, list another
# member's work (``QueueFilter.member_id``), list the overdue complaints
# (``QueueFilter.overdue``), see the per-member overview (``workload``), assign a request to
# someone else, take over or give back a request another member holds. An agent trying any of
# these gets ROLE_REQUIRED (``role``, ``current``).

QUEUE = Keyset(
    "queue", (("kind", "str"), ("created_at", "datetime"), ("id", "int")), ascending=True
)
"""What needs work first: complaints before contact requests (``ContactKind.COMPLAINT`` sorts
before ``CONTACT``), each kind oldest first, which for complaints is also nearest deadline first
(the deadline is the Warsaw day of receipt + 30, and a complaint is received when filed)."""

OPEN_STATUSES = (ContactStatus.NEW, ContactStatus.IN_PROGRESS)
"""Statuses in which a request waits for the staff (the default of the queue screen)."""
NOTE_MAX = BODY_MAX
VIEW_AUDIT_WINDOW = timedelta(minutes=5)
"""A member's reads of one request are audited at most once in this window."""
DUE_SOON_MAX_DAYS = 30


class Assigned(StrEnum):
    """Whose requests the queue lists."""

    ANYONE = "anyone"
    ME = "me"
    UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters, all combined (AND). ``statuses`` empty: every status. ``member_id``
    (supervisors) lists one member's requests and overrides ``assigned``. ``overdue``
    (supervisors): unanswered complaints past their deadline (deemed accepted).
    ``due_within_days`` (0..30): unanswered complaints whose deadline is within that many Warsaw
    days from today, not yet passed."""

    statuses: tuple[ContactStatus, ...] = ()
    kind: ContactKind | None = None
    assigned: Assigned = Assigned.ANYONE
    member_id: int | None = None
    overdue: bool = False
    due_within_days: int | None = None


def _require_supervisor(staff: StaffMember, field: str | None) -> None:
    """ROLE_REQUIRED unless ``staff`` is a supervisor or an admin."""
    if not role_allows(staff.role, StaffRole.SUPERVISOR):
        raise DomainError(
            ErrorCode.ROLE_REQUIRED,
            field,
            {"role": StaffRole.SUPERVISOR.value, "current": staff.role.value},
        )


async def queue_page(
    staff: StaffMember,
    flt: QueueFilter,
    *,
    meta: RequestMeta,
    first: int | None = None,
    after: str | None = None,
) -> Page[ContactRequest]:
    """One page of the queue as ``staff`` may see it (see the note above), ordered by
    :data:`QUEUE`. The rows name customers (name, number, subject), so each page shown is
    audited: STAFF_VIEWED without a customer, details ``staff``, ``staff_name``, ``what``
    ("queue"), ``customers`` (the customer ids on the page). Raises ROLE_REQUIRED (``member_id``
    or ``overdue`` for an agent), INVALID (``due_within_days`` outside 0..30), NOT_FOUND
    (``member_id``: no such member), INVALID_CURSOR, PAGE_SIZE_TOO_LARGE."""
    query = ContactRequest.all()
    if flt.member_id is not None:
        if flt.member_id != staff.id:
            _require_supervisor(staff, "member_id")
            if not await StaffMember.exists(id=flt.member_id):
                raise DomainError(ErrorCode.NOT_FOUND, "member_id")
        query = query.filter(assignee_id=flt.member_id)
    elif flt.assigned is Assigned.ME:
        query = query.filter(assignee_id=staff.id)
    elif flt.assigned is Assigned.UNASSIGNED:
        query = query.filter(assignee_id=None)
    if flt.statuses:
        query = query.filter(status__in=list(flt.statuses))
    if flt.kind is not None:
        query = query.filter(kind=flt.kind)
    if flt.overdue:
        _require_supervisor(staff, "overdue")
        query = query.filter(id__in=_overdue_ids())
    if flt.due_within_days is not None:
        if not 0 <= flt.due_within_days <= DUE_SOON_MAX_DAYS:
            raise DomainError(ErrorCode.INVALID, "due_within_days")
        query = query.filter(id__in=_due_ids(flt.due_within_days))
    query = query.select_related("customer", "assignee")
    page = await paginate(query, QUEUE, first=first, after=after)
    if page.rows:
        await audit.record(
            AuditKind.STAFF_VIEWED,
            None,
            meta,
            **_who(staff),
            what="queue",
            customers=sorted({r.customer_id for r in page.rows}),
        )
    return page


def _overdue_ids() -> Subquery:
    """The ids of the requests whose complaint is overdue (``complaints.overdue``)."""
    return Subquery(Complaint.filter(complaints.overdue()).values("request_id"))


def _due_ids(days: int) -> Subquery:
    """The ids of the requests whose complaint is due within ``days`` (``complaints.due_within``)."""
    return Subquery(Complaint.filter(complaints.due_within(days)).values("request_id"))


@dataclass(frozen=True)
class RequestView:
    """What the console shows of one request: the request with its customer and assignee, the
    conversation (replies with their staff member, oldest first), the internal notes (oldest
    first) and the complaint part with its invoice, service and device (None for a contact request)."""

    request: ContactRequest
    customer: Customer
    replies: list[ContactReply]
    notes: list[ContactNote]
    complaint: Complaint | None


async def view_request(
    staff: StaffMember, request_id: int | None, *, meta: RequestMeta, raw_id: str = ""
) -> RequestView:
    """The request ``request_id`` for ``staff`` (any customer's: the staff answer everyone).

    A read is a look at the customer's data: it writes STAFF_VIEWED with the customer's id and
    details ``staff``, ``staff_name``, ``what`` ("contact_request"), ``request``; at most once
    per member and request in :data:`VIEW_AUDIT_WINDOW` (5 minutes; rereads within it, e.g.
    after a reply, are the same look). A request that does not exist (``request_id`` None: the
    client's ID was malformed or of another type) is NOT_FOUND (``request_id``) and audited
    too (no customer, ``found`` False, ``attempt``: ``raw_id``, the ID as sent, escaped and
    bounded by ``text.escaped``, so a NUL in it is stored on PostgreSQL too), so probing IDs
    leaves a trace."""
    request = (
        await ContactRequest.get_or_none(id=request_id).select_related("customer", "assignee")
        if request_id is not None
        else None
    )
    if request is None:
        await audit.record(
            AuditKind.STAFF_VIEWED,
            None,
            meta,
            **_who(staff),
            what="contact_request",
            request=request_id,
            found=False,
            attempt=escaped(raw_id, 200),
        )
        raise DomainError(ErrorCode.NOT_FOUND, "request_id")
    verdict = await ratelimit.hit(
        f"staff-viewed:{staff.id}:request:{request.id}", limit=1, window=VIEW_AUDIT_WINDOW
    )
    if verdict.allowed:
        await audit.record(
            AuditKind.STAFF_VIEWED,
            request.customer_id,
            meta,
            **_who(staff),
            what="contact_request",
            request=request.id,
        )
    replies = await ContactReply.filter(request_id=request.id).select_related("staff")
    notes = await ContactNote.filter(request_id=request.id).select_related("staff")
    complaint = await Complaint.get_or_none(request_id=request.id).prefetch_related(
        "invoice", "service", "device"
    )
    return RequestView(
        request=request,
        customer=request.customer,
        replies=sorted(replies, key=lambda r: (r.created_at, r.id)),
        notes=sorted(notes, key=lambda n: (n.created_at, n.id)),
        complaint=complaint,
    )


def _who(staff: StaffMember) -> dict[str, Any]:
    """The audit details naming the staff member (``staff`` id, ``staff_name``)."""
    return {"staff": staff.id, "staff_name": staff.name}


async def _queued(request_id: int) -> ContactRequest:
    request = await ContactRequest.get_or_none(id=request_id)
    if request is None:
        raise DomainError(ErrorCode.NOT_FOUND, "request_id")
    return request


async def check_writer(staff: StaffMember, request: ContactRequest, *, take: bool) -> None:
    """Whether ``staff`` may write to the customer on ``request`` (a reply, a status, a
    complaint's answer): supervisors and admins on any request, an agent on one assigned to
    them or unassigned; with ``take`` an unassigned request becomes theirs (a conditional
    update: of two agents at once one takes it, the other is refused). Internal notes need no
    such check. Call it inside the write's transaction (a refusal rolls it back).
    Raises ASSIGNED_TO_OTHER (``name``: who holds it)."""
    if role_allows(staff.role, StaffRole.SUPERVISOR):
        return
    if take:
        await ContactRequest.filter(id=request.id, assignee_id=None).update(
            assignee_id=staff.id, updated_at=now()
        )
    holder = await ContactRequest.get(id=request.id).select_related("assignee")
    if holder.assignee is None or holder.assignee_id == staff.id:
        return
    raise DomainError(ErrorCode.ASSIGNED_TO_OTHER, None, {"name": holder.assignee.name})


async def _staff_write(
    staff: StaffMember, request: ContactRequest, meta: RequestMeta, type: str, **details: Any
) -> None:
    await audit.record(
        AuditKind.STAFF_WRITE,
        request.customer_id,
        meta,
        **_who(staff),
        type=type,
        request=request.id,
        **details,
    )


async def assign(
    staff: StaffMember,
    request_id: int,
    *,
    assignee_id: int | None,
    meta: RequestMeta,
) -> ContactRequest:
    """Give the request ``request_id`` to the member ``assignee_id`` (None: nobody).

    An agent may take an unassigned request (``assignee_id`` their own) and give back their
    own (None); a supervisor may assign to any active member, take over and unassign anything.
    Taking a NEW request moves it to IN_PROGRESS. Concurrency: taking is a conditional update
    on "still unassigned", so of two members taking the same request at once one wins and the
    other gets ALREADY_ASSIGNED (``name`` of the winner); taking one's own again changes
    nothing. Audited STAFF_WRITE (type "assign", ``assignee``).

    Raises NOT_FOUND (``request_id``; ``assignee_id``: no such active member), ROLE_REQUIRED
    (``assignee_id``), ALREADY_ASSIGNED (``assignee_id``, ``name``)."""
    request = await _queued(request_id)
    supervisor = role_allows(staff.role, StaffRole.SUPERVISOR)
    if assignee_id is not None and assignee_id != staff.id:
        _require_supervisor(staff, "assignee_id")
    if assignee_id is not None and not await StaffMember.exists(id=assignee_id, disabled_at=None):
        raise DomainError(ErrorCode.NOT_FOUND, "assignee_id")
    if request.assignee_id == assignee_id:
        return request
    query = ContactRequest.filter(id=request.id)
    if not supervisor:
        if assignee_id is None and request.assignee_id != staff.id:
            _require_supervisor(staff, "assignee_id")
        # An agent takes only what is free, and gives back only what is theirs.
        query = query.filter(assignee_id=None if assignee_id is not None else staff.id)
    status = ContactStatus.IN_PROGRESS if request.status is ContactStatus.NEW else None
    async with in_transaction():
        changed = await query.update(assignee_id=assignee_id, updated_at=now())
        if changed:
            if assignee_id is not None and status is not None:
                await ContactRequest.filter(id=request.id, status=ContactStatus.NEW).update(
                    status=status
                )
            await _staff_write(staff, request, meta, "assign", assignee=assignee_id)
    if not changed:
        holder = await ContactRequest.get(id=request.id).select_related("assignee")
        if holder.assignee_id == assignee_id:
            return holder
        name = holder.assignee.name if holder.assignee is not None else ""
        raise DomainError(ErrorCode.ALREADY_ASSIGNED, "assignee_id", {"name": name})
    return await ContactRequest.get(id=request.id)


async def add_note(
    staff: StaffMember, request_id: int, *, body: str, meta: RequestMeta
) -> ContactNote:
    """An internal note of ``staff`` on the request (``body``: at most 5000 characters, several
    lines). Never shown to the customer (nor sent to the operator's feed). Audited STAFF_WRITE
    (type "note"). Raises ValidationErrors (REQUIRED, TOO_LONG, FORBIDDEN_CHARACTER on
    ``body``), NOT_FOUND (``request_id``)."""
    errors = Collector()
    body = check_text(errors, body or "", "body", NOTE_MAX, multiline=True, required=True)
    errors.raise_if_any()
    request = await _queued(request_id)
    async with in_transaction():
        note = await ContactNote.create(
            request_id=request.id, staff_id=staff.id, body=body, created_at=now()
        )
        await _staff_write(staff, request, meta, "note", note=note.id)
    return note


REPLY_STATUSES = (ContactStatus.ANSWERED, ContactStatus.WAITING, ContactStatus.CLOSED)
"""What a staff reply may leave the request as."""
SETTABLE_STATUSES = (
    ContactStatus.IN_PROGRESS,
    ContactStatus.WAITING,
    ContactStatus.ANSWERED,
    ContactStatus.CLOSED,
)
"""What the staff may set by hand (NEW only ever comes from the customer)."""


async def _refuse_unanswered_complaint(request: ContactRequest, status: ContactStatus) -> None:
    """COMPLAINT_NOT_ANSWERED (``status``): a complaint may be ANSWERED or CLOSED only once it
    has its answer (``complaints.answer_complaint``): a plain reply is no legal answer.
    COMPLAINT_STATUS_LOCKED (``status``): once answered, its request is set by hand only to
    WAITING (a follow-up), ANSWERED or CLOSED, never back to NEW or IN_PROGRESS (only the
    customer's own reply reopens it, :func:`customer_reply`)."""
    if request.kind is not ContactKind.COMPLAINT:
        return
    closing = status in (ContactStatus.ANSWERED, ContactStatus.CLOSED)
    if closing and await Complaint.exists(request_id=request.id, decision=None):
        raise DomainError(ErrorCode.COMPLAINT_NOT_ANSWERED, "status")
    if status not in ANSWERED_COMPLAINT_STATUSES and await Complaint.exists(
        request_id=request.id, decision__isnull=False
    ):
        raise DomainError(ErrorCode.COMPLAINT_STATUS_LOCKED, "status")


ANSWERED_COMPLAINT_STATUSES = (ContactStatus.WAITING, ContactStatus.ANSWERED, ContactStatus.CLOSED)
"""The statuses an answered complaint's request may be given by hand."""


REPLY_KEY = re.compile(r"^[A-Za-z0-9_\-:.]{8,56}$")
"""A staff reply's idempotency key (stored as the reply's reference ``console-<key>``)."""


async def staff_reply(
    settings: Settings,
    staff: StaffMember,
    request_id: int,
    *,
    body: str,
    status: ContactStatus,
    meta: RequestMeta,
    idempotency_key: str | None = None,
) -> ContactReply:
    """``staff`` replies to the customer on the request: a ``ContactReply(author=OPERATOR,
    staff=staff)`` the customer sees in the SPA, the request left ``status`` (ANSWERED, WAITING
    for the customer, or CLOSED; an agent replies only on an unassigned request, which replying
    takes, or on their own: :func:`check_writer`), and the same e-mail as the operator API's reply
    (``email_reply``: contact address, customer's language, background). Two replies at once are
    both stored (the status is the last one's). Audited STAFF_WRITE (type "reply").

    ``idempotency_key`` (8-56 of A-Z a-z 0-9 _ - : ., new for each reply the member means to
    send; the console sends one per form) makes a replayed or double-submitted reply harmless:
    the same key with the same request and text returns the stored reply (nothing written, no
    e-mail again), also when both arrive at once.

    Raises ValidationErrors (REQUIRED, TOO_LONG, FORBIDDEN_CHARACTER on ``body``; INVALID on
    ``status`` outside those three and on a malformed ``idempotency_key``), NOT_FOUND
    (``request_id``), COMPLAINT_NOT_ANSWERED (``status``: an unanswered complaint cannot be
    ANSWERED or CLOSED by a reply), REFERENCE_REUSED (``idempotency_key``: used for another
    request or text), ASSIGNED_TO_OTHER (``name``)."""
    errors = Collector()
    body = check_text(errors, body or "", "body", BODY_MAX, multiline=True, required=True)
    if status not in REPLY_STATUSES:
        errors.add(ErrorCode.INVALID, "status")
    if idempotency_key is not None and not REPLY_KEY.match(idempotency_key):
        errors.add(ErrorCode.INVALID, "idempotency_key")
    errors.raise_if_any()
    reference = f"console-{idempotency_key}" if idempotency_key is not None else None
    stored = await _replayed(reference, request_id, body)
    if stored is not None:
        return stored
    request = await _queued(request_id)
    await _refuse_unanswered_complaint(request, status)
    try:
        async with in_transaction():
            await check_writer(staff, request, take=True)
            reply = await ContactReply.create(
                request_id=request.id,
                author=ReplyAuthor.OPERATOR,
                staff_id=staff.id,
                body=body,
                created_at=now(),
                reference=reference,
            )
            await ContactRequest.filter(id=request.id).update(status=status, updated_at=now())
            await _staff_write(staff, request, meta, "reply", reply=reply.id, status=status.value)
    except IntegrityError:  # the same key stored concurrently
        stored = await _replayed(reference, request_id, body)
        if stored is None:
            raise
        return stored
    await email_reply(settings, await Customer.get(id=request.customer_id), request, body)
    return reply


async def _replayed(reference: str | None, request_id: int, body: str) -> ContactReply | None:
    """The reply stored under ``reference`` (None without one); REFERENCE_REUSED on
    ``idempotency_key`` when it is another request's or text."""
    if reference is None:
        return None
    try:
        return await _stored_reply(reference, request_id, body)
    except DomainError as exc:
        raise DomainError(exc.code, "idempotency_key", exc.params) from None


async def set_status(
    staff: StaffMember, request_id: int, *, status: ContactStatus, meta: RequestMeta
) -> ContactRequest:
    """Set the request's status by hand (IN_PROGRESS, WAITING, ANSWERED, CLOSED; setting the
    same again changes nothing and is not audited). Audited STAFF_WRITE (type "status",
    ``status``, ``previous``). An agent only on an unassigned request or their own
    (:func:`check_writer`, not taking it). Raises INVALID (``status``: NEW), NOT_FOUND
    (``request_id``), COMPLAINT_NOT_ANSWERED (``status``), COMPLAINT_STATUS_LOCKED (``status``:
    IN_PROGRESS on an answered complaint), ASSIGNED_TO_OTHER (``name``)."""
    if status not in SETTABLE_STATUSES:
        raise DomainError(ErrorCode.INVALID, "status")
    request = await _queued(request_id)
    if request.status is status:
        return request
    await _refuse_unanswered_complaint(request, status)
    async with in_transaction():
        await check_writer(staff, request, take=False)
        await ContactRequest.filter(id=request.id).update(status=status, updated_at=now())
        await _staff_write(
            staff, request, meta, "status", status=status.value, previous=request.status.value
        )
    return await ContactRequest.get(id=request.id)


@dataclass(frozen=True)
class Workload:
    """One member's share of the queue: requests ``assigned`` to them and not closed, of which
    ``open`` wait for them (NEW or IN_PROGRESS), and ``overdue`` unanswered complaints past
    their deadline."""

    member: StaffMember
    assigned: int
    open: int
    overdue: int


async def workload(staff: StaffMember) -> list[Workload]:
    """Per active member (by name): their assigned, open and overdue counts, for supervisors
    (ROLE_REQUIRED otherwise). Four statements whatever the number of members."""
    _require_supervisor(staff, None)
    members = await StaffMember.filter(disabled_at=None).order_by("name", "id")
    assigned = await _counts(ContactRequest.exclude(status=ContactStatus.CLOSED))
    open_ = await _counts(ContactRequest.filter(status__in=list(OPEN_STATUSES)))
    overdue = await _counts(ContactRequest.filter(id__in=_overdue_ids()))
    return [
        Workload(m, assigned.get(m.id, 0), open_.get(m.id, 0), overdue.get(m.id, 0))
        for m in members
    ]


@dataclass(frozen=True)
class Unassigned:
    """The requests nobody holds: ``waiting`` not closed, of which ``open`` NEW or IN_PROGRESS,
    and ``overdue`` unanswered complaints past their deadline."""

    waiting: int
    open: int
    overdue: int


async def unassigned_workload(staff: StaffMember) -> Unassigned:
    """What nobody holds, for supervisors next to ``workload`` (ROLE_REQUIRED otherwise), so an
    overdue complaint is counted somewhere before anyone takes it. Three statements."""
    _require_supervisor(staff, None)
    nobody = ContactRequest.filter(assignee_id=None)
    return Unassigned(
        waiting=await nobody.exclude(status=ContactStatus.CLOSED).count(),
        open=await nobody.filter(status__in=list(OPEN_STATUSES)).count(),
        overdue=await nobody.filter(id__in=_overdue_ids()).count(),
    )


async def _counts(query: QuerySet[ContactRequest]) -> dict[int, int]:
    """How many requests of ``query`` each member holds, by member id."""
    rows = (
        await query.exclude(assignee_id=None)
        .annotate(n=Count("id"))
        .group_by("assignee_id")
        .values_list("assignee_id", "n")
    )
    return {int(member_id): int(n) for member_id, n in rows}
