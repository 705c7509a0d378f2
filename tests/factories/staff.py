"""Customer-service staff: console accounts and sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pyotp

from backend.clock import now
from backend.config import Settings
from backend.console.context import STAFF_COOKIE
from backend.models import StaffMember, StaffSession
from backend.models.enums import StaffRole
from backend.services import sessions
from tests.factories import sequences
from tests.factories.customers import cached_password_hash

STAFF_PASSWORD = "Niebieski-Wieloryb-Spiewa-Nocą-77"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
"""The TOTP secret of every enrolled staff member made here (codes: :func:`totp_code`)."""


def totp_code(secret: str = TOTP_SECRET, *, at: Any = None) -> str:
    """The current TOTP code for ``secret`` by the (test) clock, or at the instant ``at``."""
    return pyotp.TOTP(secret).at(at or now())


async def make_staff(
    *,
    role: StaffRole = StaffRole.AGENT,
    enrolled: bool = True,
    password: str | None = None,
    settings: Settings | None = None,
    **fields: Any,
) -> StaffMember:
    """A staff member (an agent by default). ``enrolled``: the TOTP secret is
    :data:`TOTP_SECRET`, confirmed (False: no secret yet, the first login enrols). With
    ``password`` (and ``settings``) the member can log in for real; else the hash is unusable."""
    n = sequences.staff_number()
    password_hash = "!unusable"
    if password is not None:
        assert settings is not None, "a real password hash needs the settings (pepper)"
        password_hash = await cached_password_hash(password, settings)
    at = now()
    defaults: dict[str, Any] = {
        "email": f"agent{n}@operator.example",
        "name": f"Agent {n}",
        "role": role,
        "password_hash": password_hash,
        "totp_secret": TOTP_SECRET if enrolled else None,
        "totp_confirmed_at": at if enrolled else None,
        "created_at": at,
    }
    return await StaffMember.create(**{**defaults, **fields})


async def make_staff_session(
    staff: StaffMember, *, verified: bool = True, **fields: Any
) -> tuple[str, StaffSession]:
    """A console session for ``staff`` written directly (no password): its token and row;
    ``verified`` False: it passed the password only (no second factor yet)."""
    token = sessions.new_token()
    at = now()
    defaults: dict[str, Any] = {
        "token_hash": sessions.hash_token(token),
        "second_factor_at": at if verified else None,
        "created_at": at,
        "last_activity_at": at,
        "expires_at": at + timedelta(hours=12),
    }
    session = await StaffSession.create(staff=staff, **{**defaults, **fields})
    return token, session


async def login_staff(
    client: httpx.AsyncClient, staff: StaffMember, *, verified: bool = True
) -> str:
    """Start a console session for ``staff`` directly and attach its cookie to ``client``."""
    token, _ = await make_staff_session(staff, verified=verified)
    client.cookies.set(STAFF_COOKIE, token)
    return token
