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

from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum

from tortoise.expressions import Q

from backend.clock import today
from backend.config import Settings
from backend.models import Complaint, StaffMember
from backend.models.enums import ComplaintDecision
from backend.services.request import RequestMeta

DEADLINE_DAYS = 30
"""Days from the Warsaw day of receipt to the deadline of the answer (REFERENCE §3)."""


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


def overdue(day: date | None = None) -> Q:
    """Unanswered complaints whose deadline has passed on ``day`` (default today): the ones
    ``complaint_state`` calls DEEMED_ACCEPTED, for the supervisor's overdue list."""
    return Q(decision__isnull=True, deadline__lt=day or today())


def due_within(days: int, day: date | None = None) -> Q:
    """Unanswered complaints not overdue whose deadline is within ``days`` Warsaw days of
    ``day`` (default today): deadline in [day, day + days]."""
    start = day or today()
    return Q(decision__isnull=True, deadline__gte=start, deadline__lte=start + timedelta(days=days))


async def complaints_by_request(ids: Sequence[int]) -> dict[int, Complaint]:
    """The complaints of the contact requests ``ids`` (for DataLoaders), by request id; the
    caller has already limited ``ids`` to what the reader may see."""
    rows = await Complaint.filter(request_id__in=ids)
    return {c.request_id: c for c in rows}


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
    it), PARTLY_ACCEPTED needs ``0 < amount_granted <= amount_claimed`` and a ``reason``,
    REJECTED needs a ``reason`` and grants nothing. Past the deadline only ACCEPTED in full
    may be recorded (it is deemed accepted, REFERENCE §3). Money goes to the wallet
    (``wallet.credit`` kind COMPLAINT, same transaction) or is recorded for a bank transfer.
    The answer becomes an operator reply in the conversation (request ANSWERED) and is
    e-mailed; audit COMPLAINT_ANSWERED and event ``complaint.answered``. Returns the complaint.

    Raises ``ValidationErrors`` (REQUIRED / TOO_LONG / FORBIDDEN_CHARACTER on ``reason``,
    INVALID / AMOUNT_OVER_CLAIM (``max``) on ``amount_granted``), ``DomainError`` NOT_FOUND
    (``request_id``: no complaint), COMPLAINT_ANSWERED (answered already, also by a
    concurrent call), COMPLAINT_DEEMED_ACCEPTED (``deadline``) on ``decision``."""
    raise NotImplementedError
