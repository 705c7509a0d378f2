"""The staff queue in the console: contact requests and complaints, one request with its
conversation and internal notes, and what the staff do with them (assign, note, reply, status,
answer a complaint). The rules (who may do what, the audit of every look) live in
``backend.services.contact`` (queue section) and ``backend.services.complaints``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import strawberry
from stdnum import iban

from backend import models as m
from backend.clock import today
from backend.console.context import ConsoleInfo
from backend.console.permissions import requires_role
from backend.models.enums import StaffRole
from backend.schema.enums import (
    Assigned,
    ComplaintDecision,
    ComplaintState,
    ComplaintSubject,
    ContactKind,
    ContactStatus,
    ContactTopic,
    RefundMethod,
    ReplyAuthor,
)
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.pagination import After, Connection, First, to_connection
from backend.schema.query_errors import guarded
from backend.schema.relay import decode_id, from_global_id, to_global_id
from backend.schema.scalars import Money
from backend.services import complaints, contact
from backend.services.payments import parse_amount

AGENT = [requires_role(StaffRole.AGENT)]
SUPERVISOR = [requires_role(StaffRole.SUPERVISOR)]


@strawberry.type(description="A staff member as colleagues see them.")
class StaffRef:
    id: strawberry.ID
    name: str

    @classmethod
    def of(cls, row: m.StaffMember | None) -> StaffRef | None:
        if row is None:
            return None
        return cls(id=to_global_id("StaffMember", row.id), name=row.name)


@strawberry.type(description="Whose request it is (the customer view has the rest).")
class RequestCustomer:
    id: strawberry.ID = strawberry.field(description="The customer's global ID (Customer:pk).")
    number: str
    name: str

    @classmethod
    def of(cls, row: m.Customer) -> RequestCustomer:
        return cls(
            id=to_global_id("Customer", row.id),
            number=row.number,
            name=row.full_name,
        )


@strawberry.type(description="The invoice a complaint concerns.")
class ComplaintInvoice:
    id: strawberry.ID = strawberry.field(description="Global ID (Invoice:pk).")
    number: str


@strawberry.type(description="The statutory part of a complaint (reklamacja).")
class QueueComplaint:
    number: str
    subject: ComplaintSubject
    invoice: ComplaintInvoice | None = strawberry.field(
        description="The invoice it concerns (null: none named, or deleted since)."
    )
    service_identifier: str | None = strawberry.field(
        description="The service it concerns: its identifier (card, SIM or phone number)."
    )
    device_serial: str | None = strawberry.field(
        description="The device it concerns: its serial number."
    )
    period_from: date | None
    period_to: date | None
    amount_claimed: Money | None
    refund_method: RefundMethod | None
    bank_account: str | None = strawberry.field(
        description="For a refund to a bank account: the IBAN in groups of four "
        '("PL61 1090 1014 …"), for the staff to transfer the money; null otherwise.'
    )
    received_at: datetime
    acknowledged_at: datetime | None = strawberry.field(
        description="When the acknowledgement e-mail was taken by the mailer (null: not yet; "
        "it is sent again with backoff)."
    )
    deadline: date = strawberry.field(description="The last Warsaw day to answer it.")
    days_left: int = strawberry.field(
        description="Warsaw days from today to the deadline (0: today; negative: overdue)."
    )
    state: ComplaintState
    decision: ComplaintDecision | None
    decision_reason: str
    amount_granted: Money | None
    decided_at: datetime | None

    @classmethod
    def of(cls, row: m.Complaint) -> QueueComplaint:
        """``row`` with its invoice, service and device fetched."""
        day = today()
        return cls(
            number=row.number,
            subject=row.subject,
            invoice=ComplaintInvoice(
                id=to_global_id("Invoice", row.invoice.id), number=row.invoice.number
            )
            if row.invoice is not None
            else None,
            service_identifier=row.service.identifier if row.service is not None else None,
            device_serial=row.device.serial_number if row.device is not None else None,
            period_from=row.period_from,
            period_to=row.period_to,
            amount_claimed=Money.of(row.amount_claimed) if row.amount_claimed is not None else None,
            refund_method=row.refund_method,
            bank_account=iban.format(row.bank_account) if row.bank_account else None,
            received_at=row.received_at,
            acknowledged_at=row.acknowledged_at,
            deadline=row.deadline,
            days_left=(row.deadline - day).days,
            state=complaints.complaint_state(row, day),
            decision=row.decision,
            decision_reason=row.decision_reason,
            amount_granted=Money.of(row.amount_granted) if row.amount_granted is not None else None,
            decided_at=row.decided_at,
        )


@strawberry.type(description="A contact request or complaint as the queue lists it.")
class QueueRequest:
    id: strawberry.ID = strawberry.field(description="Global ID (ContactRequest:pk).")
    number: int
    kind: ContactKind
    topic: ContactTopic
    subject: str
    status: ContactStatus
    created_at: datetime
    updated_at: datetime
    customer: RequestCustomer
    assignee: StaffRef | None
    complaint: QueueComplaint | None

    @classmethod
    def of(cls, row: m.ContactRequest, complaint: m.Complaint | None) -> QueueRequest:
        """``row`` with its customer and assignee fetched."""
        return cls(
            id=to_global_id("ContactRequest", row.id),
            number=row.id,
            kind=row.kind,
            topic=row.topic,
            subject=row.subject,
            status=row.status,
            created_at=row.created_at,
            updated_at=row.updated_at,
            customer=RequestCustomer.of(row.customer),
            assignee=StaffRef.of(row.assignee),
            complaint=QueueComplaint.of(complaint) if complaint is not None else None,
        )


@strawberry.type(description="A message in the conversation.")
class QueueReply:
    author: ReplyAuthor
    body: str
    created_at: datetime
    staff: StaffRef | None = strawberry.field(
        description="Who wrote an operator reply in the console (null: the customer, or the "
        "operator's API)."
    )

    @classmethod
    def of(cls, row: m.ContactReply) -> QueueReply:
        return cls(
            author=row.author,
            body=row.body,
            created_at=row.created_at,
            staff=StaffRef.of(row.staff),
        )


@strawberry.type(description="An internal note of the staff (never shown to the customer).")
class ContactNote:
    body: str
    created_at: datetime
    staff: StaffRef | None

    @classmethod
    def of(cls, row: m.ContactNote) -> ContactNote:
        return cls(body=row.body, created_at=row.created_at, staff=StaffRef.of(row.staff))


@strawberry.type(description="One request with its whole conversation and the staff's notes.")
class RequestDetail:
    request: QueueRequest
    body: str = strawberry.field(description="The customer's first message.")
    replies: list[QueueReply] = strawberry.field(description="Oldest first.")
    notes: list[ContactNote] = strawberry.field(description="Oldest first.")

    @classmethod
    def of(cls, view: contact.RequestView) -> RequestDetail:
        return cls(
            request=QueueRequest.of(view.request, view.complaint),
            body=view.request.body,
            replies=[QueueReply.of(r) for r in view.replies],
            notes=[ContactNote.of(n) for n in view.notes],
        )


@strawberry.type(description="One member's share of the queue.")
class MemberWorkload:
    member: StaffRef
    role: str
    assigned: int = strawberry.field(description="Requests they hold that are not closed.")
    open: int = strawberry.field(description="Of those, NEW or IN_PROGRESS.")
    overdue: int = strawberry.field(description="Unanswered complaints past their deadline.")


@strawberry.type(description="The requests nobody holds yet.")
class UnassignedWorkload:
    waiting: int = strawberry.field(description="Requests nobody holds that are not closed.")
    open: int = strawberry.field(description="Of those, NEW or IN_PROGRESS.")
    overdue: int = strawberry.field(
        description="Unanswered complaints past their deadline that nobody holds."
    )


def _request_pk(gid: strawberry.ID | str) -> int:
    return decode_id(gid, "ContactRequest", field="request_id")


async def _queue_items(rows: Sequence[m.ContactRequest]) -> list[QueueRequest]:
    """``rows`` (customer and assignee fetched) with their complaints, in one statement."""
    found = await complaints.complaints_by_request([r.id for r in rows])
    return [QueueRequest.of(r, found.get(r.id)) for r in rows]


@strawberry.type
class Query:
    @strawberry.field(
        description="The queue, what needs work first: complaints (nearest deadline first), "
        "then contact requests, oldest first. Filters combine. memberId and overdue are for "
        "supervisors (ROLE_REQUIRED otherwise).",
        permission_classes=AGENT,
    )
    async def queue(
        self,
        info: ConsoleInfo,
        statuses: list[ContactStatus] | None = None,
        kind: ContactKind | None = None,
        assigned: Assigned = Assigned.ANYONE,
        member_id: strawberry.ID | None = None,
        overdue: bool = False,
        due_within_days: int | None = None,
        first: First = None,
        after: After = None,
    ) -> Connection[QueueRequest]:
        ctx = info.context
        staff = ctx.staff

        async def fetch() -> Connection[QueueRequest]:
            member = decode_id(member_id, "StaffMember", field="member_id") if member_id else None
            flt = contact.QueueFilter(
                statuses=tuple(statuses or ()),
                kind=kind,
                assigned=assigned,
                member_id=member,
                overdue=overdue,
                due_within_days=due_within_days,
            )
            page = await contact.queue_page(staff, flt, meta=ctx.meta, first=first, after=after)
            items = {item.number: item for item in await _queue_items(page.rows)}
            return to_connection(page, lambda r: items[r.id])

        return await guarded(ctx.language, fetch)

    @strawberry.field(
        description="One request (any customer's); every look is audited with your name. "
        "NOT_FOUND for an unknown or malformed ID (audited too).",
        permission_classes=AGENT,
    )
    async def contact_request(self, info: ConsoleInfo, id: strawberry.ID) -> RequestDetail:
        ctx = info.context
        parsed = from_global_id(id)
        pk = parsed[1] if parsed is not None and parsed[0] == "ContactRequest" else None

        async def fetch() -> RequestDetail:
            return RequestDetail.of(
                await contact.view_request(ctx.staff, pk, meta=ctx.meta, raw_id=id)
            )

        return await guarded(ctx.language, fetch)

    @strawberry.field(
        description="Supervisors: each active member's assigned, open and overdue requests.",
        permission_classes=SUPERVISOR,
    )
    async def workload(self, info: ConsoleInfo) -> list[MemberWorkload]:
        ctx = info.context
        rows = await guarded(ctx.language, lambda: contact.workload(ctx.staff))
        return [
            MemberWorkload(
                member=StaffRef(id=to_global_id("StaffMember", w.member.id), name=w.member.name),
                role=w.member.role.value,
                assigned=w.assigned,
                open=w.open,
                overdue=w.overdue,
            )
            for w in rows
        ]

    @strawberry.field(
        description="Supervisors: the requests nobody holds (open, overdue), next to workload.",
        permission_classes=SUPERVISOR,
    )
    async def unassigned_workload(self, info: ConsoleInfo) -> UnassignedWorkload:
        ctx = info.context
        row = await guarded(ctx.language, lambda: contact.unassigned_workload(ctx.staff))
        return UnassignedWorkload(waiting=row.waiting, open=row.open, overdue=row.overdue)


@strawberry.input
class AssignRequestInput:
    request_id: strawberry.ID
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The member to give it to (yourself; supervisors: anyone); null: nobody.",
    )


@strawberry.type
class RequestPayload:
    request: QueueRequest | None = None
    errors: list[UserError]


@strawberry.input
class AddContactNoteInput:
    request_id: strawberry.ID
    body: str = strawberry.field(description="1-5000 characters; never shown to the customer.")


@strawberry.type
class AddContactNotePayload:
    note: ContactNote | None = None
    errors: list[UserError]


@strawberry.input
class ReplyToRequestInput:
    request_id: strawberry.ID
    body: str = strawberry.field(description="1-5000 characters; e-mailed to the customer.")
    status: ContactStatus = strawberry.field(
        description="What the request becomes: ANSWERED, WAITING (for the customer) or CLOSED."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="8-56 of A-Z a-z 0-9 _ - : ., new for each reply: sending it again with the "
        "same key and text returns the same reply (no second e-mail).",
    )


@strawberry.type
class ReplyToRequestPayload:
    reply: QueueReply | None = None
    request: QueueRequest | None = None
    errors: list[UserError]


@strawberry.input
class SetRequestStatusInput:
    request_id: strawberry.ID
    status: ContactStatus = strawberry.field(
        description="IN_PROGRESS, WAITING, ANSWERED or CLOSED (a complaint: once answered)."
    )


@strawberry.input
class AnswerComplaintInput:
    request_id: strawberry.ID
    decision: ComplaintDecision
    reason: str = strawberry.field(
        default="", description="Required for PARTLY_ACCEPTED and REJECTED."
    )
    amount_granted: str | None = strawberry.field(
        default=None,
        description='Decimal string in PLN, e.g. "12.50" (ACCEPTED: the amount claimed when null).',
    )


async def _item(request_id: int) -> QueueRequest:
    row = await m.ContactRequest.get(id=request_id).select_related("customer", "assignee")
    return (await _queue_items([row]))[0]


@strawberry.type
class Mutation:
    @mutation(
        description="Take a request (assigneeId: yourself), give it back (null) or, as a "
        "supervisor, give it to anyone. ALREADY_ASSIGNED if someone took it first.",
        permission_classes=AGENT,
    )
    async def assign_request(self, info: ConsoleInfo, input: AssignRequestInput) -> RequestPayload:
        ctx = info.context
        pk = _request_pk(input.request_id)
        assignee = (
            decode_id(input.assignee_id, "StaffMember", field="assignee_id")
            if input.assignee_id
            else None
        )
        row = await contact.assign(ctx.staff, pk, assignee_id=assignee, meta=ctx.meta)
        return RequestPayload(request=await _item(row.id), errors=[])

    @mutation(
        description="Add an internal note (never shown to the customer).", permission_classes=AGENT
    )
    async def add_contact_note(
        self, info: ConsoleInfo, input: AddContactNoteInput
    ) -> AddContactNotePayload:
        ctx = info.context
        pk = _request_pk(input.request_id)
        note = await contact.add_note(ctx.staff, pk, body=input.body, meta=ctx.meta)
        note.staff = ctx.staff
        return AddContactNotePayload(note=ContactNote.of(note), errors=[])

    @mutation(
        description="Reply to the customer (shown in the portal and e-mailed).",
        permission_classes=AGENT,
    )
    async def reply_to_request(
        self, info: ConsoleInfo, input: ReplyToRequestInput
    ) -> ReplyToRequestPayload:
        ctx = info.context
        pk = _request_pk(input.request_id)
        reply = await contact.staff_reply(
            ctx.settings,
            ctx.staff,
            pk,
            body=input.body,
            status=input.status,
            meta=ctx.meta,
            idempotency_key=input.idempotency_key,
        )
        await reply.fetch_related("staff")
        return ReplyToRequestPayload(reply=QueueReply.of(reply), request=await _item(pk), errors=[])

    @mutation(description="Set a request's status by hand.", permission_classes=AGENT)
    async def set_request_status(
        self, info: ConsoleInfo, input: SetRequestStatusInput
    ) -> RequestPayload:
        ctx = info.context
        pk = _request_pk(input.request_id)
        await contact.set_status(ctx.staff, pk, status=input.status, meta=ctx.meta)
        return RequestPayload(request=await _item(pk), errors=[])

    @mutation(
        description="Answer a complaint once: accepted, partly accepted or rejected.",
        permission_classes=AGENT,
    )
    async def answer_complaint(
        self, info: ConsoleInfo, input: AnswerComplaintInput
    ) -> RequestPayload:
        ctx = info.context
        pk = _request_pk(input.request_id)
        amount = (
            parse_amount(input.amount_granted, field="amount_granted")
            if input.amount_granted not in (None, "")
            else None
        )
        await complaints.answer_complaint(
            ctx.settings,
            request_id=pk,
            decision=input.decision,
            reason=input.reason,
            amount_granted=amount,
            staff=ctx.staff,
            meta=ctx.meta,
        )
        return RequestPayload(request=await _item(pk), errors=[])
