"""Staff accounts of the customer-service console: roles, and who is asking (the staff session).

Staff accounts are separate from customers' accounts (``backend.models.staff``): a staff member
cannot log in to the customer portal and a customer's session never opens the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.models import StaffMember, StaffSession
from backend.models.enums import StaffRole

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
