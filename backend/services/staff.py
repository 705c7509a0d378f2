"""Staff accounts of the customer-service console: roles, and who is asking (the staff session).

Staff accounts are separate from customers' accounts (``backend.models.staff``): a staff member
cannot log in to the customer portal and a customer's session never opens the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.clock import now
from backend.models import StaffMember, StaffSession
from backend.models.enums import StaffRole
from backend.services.sessions import hash_token

ROLE_ORDER = (StaffRole.AGENT, StaffRole.SUPERVISOR, StaffRole.ADMIN)
"""Each role may do what the roles before it may."""


def role_allows(role: StaffRole, needed: StaffRole) -> bool:
    """Whether a member with ``role`` may do what needs ``needed`` (agent < supervisor < admin)."""
    return ROLE_ORDER.index(role) >= ROLE_ORDER.index(needed)


@dataclass(frozen=True)
class StaffAuth:
    """The console session a request came with, and its staff member."""

    session: StaffSession
    staff: StaffMember
    expires_at: datetime
    """When the session ends if nothing else happens: idle deadline or absolute expiry."""

    @property
    def verified(self) -> bool:
        """The second factor was given (a session that passed the password only is not)."""
        return self.session.second_factor_at is not None

    def writer(self) -> str:
        """Who writes, for audit details and ``feed.Writer``: ``staff:<id>:<name>``."""
        return f"staff:{self.staff.id}:{self.staff.name}"


IDLE = timedelta(minutes=15)
"""A console session ends after 15 minutes without the staff member doing anything..."""
MAX_AGE = timedelta(hours=10)
"""...and in any case 10 hours (a working day) after the login."""
SECOND_FACTOR_WINDOW = timedelta(minutes=5)
"""A session that passed the password only must give the second factor within this time."""


def idle_deadline(session: StaffSession) -> datetime:
    """When ``session`` ends if nothing else happens: 15 minutes after its last activity (5
    minutes after the password while the second factor is missing), at most its absolute end."""
    idle = IDLE if session.second_factor_at is not None else SECOND_FACTOR_WINDOW
    return min(session.last_activity_at + idle, session.expires_at)


async def resolve_session(token: str, *, background: bool = False) -> StaffAuth | None:
    """The live console session for ``token`` (the ``icok_staff`` cookie) with its member, its
    idle timer extended unless ``background``; None for a missing, unknown, revoked, idle or
    expired session, or a disabled member."""
    if not token or len(token) > 128:
        return None
    session = await StaffSession.get_or_none(token_hash=hash_token(token)).select_related("staff")
    if session is None or session.revoked_at is not None or session.staff.disabled_at is not None:
        return None
    at = now()
    if at >= idle_deadline(session):
        return None
    if not background:
        # Conditional: never moves the timer backwards when requests race.
        await StaffSession.filter(id=session.id, last_activity_at__lt=at).update(
            last_activity_at=at
        )
        session.last_activity_at = max(session.last_activity_at, at)
    return StaffAuth(session, session.staff, idle_deadline(session))
