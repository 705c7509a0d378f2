"""Viewer fields about the login itself (session, security). Mixed into ``Viewer``."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.schema.accounts.second_factor import SecondFactor
from backend.schema.accounts.types import (
    AccountSession,
    DeviceLogin,
    LoginEmail,
    device_login_id,
    session_id,
)
from backend.schema.context import Info
from backend.services import accounts, login_email, refresh_tokens, second_factor
from backend.services.sessions import idle_deadline


@strawberry.type(description="The session this request belongs to.")
class CurrentSession:
    created_at: datetime
    last_activity_at: datetime
    expires_at: datetime = strawberry.field(
        description="When the session ends without further activity (idle or absolute limit)."
    )
    absolute_expires_at: datetime
    idle_timeout_seconds: int


@strawberry.type
class AccountFields:
    @strawberry.field(description="The current session, for the idle-logout countdown.")
    def session(self, info: Info) -> CurrentSession:
        s = info.context.require_auth().session
        return CurrentSession(
            created_at=s.created_at,
            last_activity_at=s.last_activity_at,
            expires_at=idle_deadline(s, info.context.settings),
            absolute_expires_at=s.expires_at,
            idle_timeout_seconds=info.context.settings.session_idle_seconds,
        )

    @strawberry.field(description="The customer's active sessions, most recently used first.")
    async def sessions(self, info: Info) -> list[AccountSession]:
        ctx = info.context
        auth = ctx.require_auth()
        current = auth.session.id
        return [
            AccountSession(
                id=session_id(s.id),
                device=accounts.describe_device(s.user_agent),
                user_agent=s.user_agent,
                ip=s.ip,
                kind=s.kind.value,
                created_at=s.created_at,
                last_activity_at=s.last_activity_at,
                expires_at=idle_deadline(s, ctx.settings),
                current=s.id == current,
            )
            for s in await accounts.active_sessions(auth.customer_id, ctx.settings)
        ]

    @strawberry.field(
        description="The customer's mobile apps' device logins, most recently used first."
    )
    async def device_logins(self, info: Info) -> list[DeviceLogin]:
        auth = info.context.require_auth()
        return [
            DeviceLogin(
                id=device_login_id(f.id),
                device_name=f.device_name,
                device=accounts.describe_device(f.user_agent),
                ip=f.ip,
                created_at=f.created_at,
                last_used_at=f.last_used_at,
                expires_at=f.expires_at,
                current=f.id == auth.session.family_id,
            )
            for f in await refresh_tokens.device_logins(auth.customer_id)
        ]

    @strawberry.field(description="The e-mail the customer logs in with, and a pending change.")
    async def login_email(self, info: Info) -> LoginEmail:
        found = await login_email.login_email(info.context.require_auth().customer_id)
        return LoginEmail(email=found.email, pending_email=found.pending_email)

    @strawberry.field(description="Two-step verification (TOTP) of the login.")
    async def second_factor(self, info: Info) -> SecondFactor:
        account = await second_factor.account_of(info.context.require_auth())
        on = second_factor.is_on(account)
        left = await second_factor.recovery_codes_left(account.id) if on else 0
        return SecondFactor(enabled=on, recovery_codes_left=left)
