"""Mutations of the accounts domain: registration, confirmation, login, sessions, passwords.

Each resolver parses its input, calls one service function and maps the result; expected
failures come back in ``errors`` (translated, through ``backend.schema.mutation``), never as
GraphQL errors.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.schema.accounts.types import (
    ChangePasswordInput,
    ChangePasswordPayload,
    CompleteLoginInput,
    ConfirmEmailInput,
    ConfirmEmailPayload,
    ConfirmLoginEmailInput,
    ConfirmLoginEmailPayload,
    LoginInput,
    LogoutOtherSessionsPayload,
    LogoutPayload,
    RefreshSessionInput,
    RefreshSessionPayload,
    RegisterInput,
    RegisterPayload,
    RequestLoginEmailChangeInput,
    RequestLoginEmailChangePayload,
    RequestPasswordResetInput,
    RequestPasswordResetPayload,
    ResendConfirmationInput,
    ResendConfirmationPayload,
    ResetPasswordInput,
    ResetPasswordPayload,
    RevokeDeviceLoginInput,
    RevokeDeviceLoginPayload,
    RevokeSessionInput,
    RevokeSessionPayload,
    captcha_solution,
    device_login_pk,
    session_pk,
)
from backend.schema.context import Info
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.once import claim_password_scoring
from backend.schema.permissions import IsAuthenticated
from backend.schema.viewer import Viewer
from backend.services import (
    accounts,
    login_email,
    password_reset,
    refresh_tokens,
    registration,
    second_factor,
)
from backend.services.registration import Registration
from backend.services.sessions import ActiveSession


@strawberry.type
class LoginPayload:
    viewer: Viewer | None = strawberry.field(
        default=None, description="The logged-in customer on success."
    )
    token: str | None = strawberry.field(
        default=None,
        description="The bearer token, only when the input asked for one (mobile apps).",
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description=(
            "When the new session ends without activity; with secondFactorRequired, when the "
            "ticket expires."
        ),
    )
    second_factor_required: bool = strawberry.field(
        default=False,
        description=(
            "The password was right and the account's second factor is on: no session yet; "
            "send the ticket with a code to completeLogin."
        ),
    )
    ticket: str | None = strawberry.field(
        default=None,
        description="With secondFactorRequired: the single-use login ticket (5 minutes).",
    )
    refresh_token: str | None = strawberry.field(
        default=None,
        description="A refresh token, only for a bearer login with a deviceName (refreshSession).",
    )
    refresh_token_expires_at: datetime | None = strawberry.field(
        default=None, description="When the device login ends: it must log in again then."
    )
    errors: list[UserError]


def _logged_in(info: Info, result: accounts.LoginResult, bearer: bool) -> LoginPayload:
    """The answer of a finished login: the cookie set (or the token returned with ``bearer``)."""
    ctx = info.context
    if not bearer:
        ctx.set_session_cookie(result.token)
    ctx.auth = ActiveSession(result.session, result.customer_id, result.expires_at)
    return LoginPayload(
        viewer=Viewer(customer_id=result.customer_id),
        token=result.token if bearer else None,
        expires_at=result.expires_at,
        refresh_token=result.refresh.token if result.refresh else None,
        refresh_token_expires_at=result.refresh.expires_at if result.refresh else None,
        errors=[],
    )


@strawberry.type
class Mutation:
    @mutation(description="Create a web account for an existing customer.")
    async def register(self, info: Info, input: RegisterInput) -> RegisterPayload:
        claim_password_scoring(info.context)
        data = Registration(
            identifier=input.identifier,
            pesel=input.pesel,
            email=input.email,
            email_confirmation=input.email_confirmation,
            password=input.password,
            captcha_id=str(input.captcha_id),
            captcha_answer=input.captcha_answer,
            captcha_proof=input.captcha_proof,
            accept_terms=input.accept_terms,
        )
        await registration.register(data, info.context.settings, meta=info.context.meta)
        return RegisterPayload(ok=True, errors=[])

    @mutation(description="Confirm the e-mail address with the token from the link.")
    async def confirm_email(self, info: Info, input: ConfirmEmailInput) -> ConfirmEmailPayload:
        await registration.confirm_email(input.token, meta=info.context.meta)
        return ConfirmEmailPayload(ok=True, errors=[])

    @mutation(
        description=(
            "Send the confirmation link again (same answer for any address); needs the "
            "solved captcha and its proof of work, like login."
        )
    )
    async def resend_confirmation(
        self, info: Info, input: ResendConfirmationInput
    ) -> ResendConfirmationPayload:
        ctx = info.context
        await registration.resend_confirmation(
            input.email, captcha_solution(input), ctx.settings, meta=ctx.meta
        )
        return ResendConfirmationPayload(ok=True, errors=[])

    @mutation(description="Log in with the e-mail or a service identifier.")
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        ctx = info.context
        result = await accounts.login(
            input.login,
            input.password,
            str(input.captcha_id),
            input.captcha_answer,
            ctx.settings,
            meta=ctx.meta,
            bearer=input.bearer,
            device_name=input.device_name,
            captcha_proof=input.captcha_proof,
            previous=ctx.auth.session if ctx.auth else None,
        )
        if isinstance(result, accounts.SecondFactorNeeded):
            return LoginPayload(
                second_factor_required=True,
                ticket=result.ticket,
                expires_at=result.expires_at,
                errors=[],
            )
        return _logged_in(info, result, input.bearer)

    @mutation(
        description=(
            "Finish a login that asked for the second factor: the ticket and a code from the "
            "authenticator app, or an unused recovery code (bearer and deviceName as for login)."
        )
    )
    async def complete_login(self, info: Info, input: CompleteLoginInput) -> LoginPayload:
        ctx = info.context
        result = await second_factor.complete_login(
            input.ticket,
            input.code,
            ctx.settings,
            meta=ctx.meta,
            bearer=input.bearer,
            device_name=input.device_name,
            previous=ctx.auth.session if ctx.auth else None,
        )
        return _logged_in(info, result, input.bearer)

    @mutation(
        description=(
            "Swap a mobile app's refresh token for a new access token and refresh token (no "
            "login needed). The token sent is spent: sending it again ends the device login."
        )
    )
    async def refresh_session(
        self, info: Info, input: RefreshSessionInput
    ) -> RefreshSessionPayload:
        ctx = info.context
        result = await refresh_tokens.refresh(input.refresh_token, ctx.settings, meta=ctx.meta)
        ctx.auth = ActiveSession(result.session, result.customer_id, result.expires_at)
        return RefreshSessionPayload(
            token=result.access_token,
            expires_at=result.expires_at,
            refresh_token=result.refresh.token,
            refresh_token_expires_at=result.refresh.expires_at,
            errors=[],
        )

    @mutation(description="End this session (server-side) and clear the cookie.")
    async def logout(self, info: Info) -> LogoutPayload:
        ctx = info.context
        await accounts.logout(ctx.auth, meta=ctx.meta)
        ctx.auth = None
        ctx.clear_session_cookie()
        return LogoutPayload(ok=True, errors=[])

    @mutation(
        description="End every other session of this account.",
        permission_classes=[IsAuthenticated],
    )
    async def logout_other_sessions(self, info: Info) -> LogoutOtherSessionsPayload:
        ctx = info.context
        count = await accounts.logout_other_sessions(ctx.require_auth(), meta=ctx.meta)
        return LogoutOtherSessionsPayload(revoked_count=count, errors=[])

    @mutation(
        description="End one of the customer's own sessions.",
        permission_classes=[IsAuthenticated],
    )
    async def revoke_session(self, info: Info, input: RevokeSessionInput) -> RevokeSessionPayload:
        ctx = info.context
        auth = ctx.require_auth()
        key = await accounts.revoke_session(
            auth.customer_id, session_pk(input.session_id), meta=ctx.meta
        )
        if key == auth.session.id:
            ctx.clear_session_cookie()
        return RevokeSessionPayload(ok=True, errors=[])

    @mutation(
        description="End one of the customer's device logins (a mobile app must log in again).",
        permission_classes=[IsAuthenticated],
    )
    async def revoke_device_login(
        self, info: Info, input: RevokeDeviceLoginInput
    ) -> RevokeDeviceLoginPayload:
        ctx = info.context
        await refresh_tokens.revoke_device_login(
            ctx.viewer_id, device_login_pk(input.device_login_id), meta=ctx.meta
        )
        return RevokeDeviceLoginPayload(ok=True, errors=[])

    @mutation(
        description=(
            "Mail a link to set a new password (same answer for any address); needs the "
            "solved captcha and its proof of work, like login."
        )
    )
    async def request_password_reset(
        self, info: Info, input: RequestPasswordResetInput
    ) -> RequestPasswordResetPayload:
        ctx = info.context
        await password_reset.request_password_reset(
            input.email, captcha_solution(input), ctx.settings, meta=ctx.meta
        )
        return RequestPasswordResetPayload(ok=True, errors=[])

    @mutation(description="Set a new password with the link's token; ends all sessions.")
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> ResetPasswordPayload:
        ctx = info.context
        claim_password_scoring(ctx)
        await password_reset.reset_password(
            input.token, input.new_password, ctx.settings, meta=ctx.meta
        )
        return ResetPasswordPayload(ok=True, errors=[])

    @mutation(
        description="Change the password; keeps this session and ends the others.",
        permission_classes=[IsAuthenticated],
    )
    async def change_password(
        self, info: Info, input: ChangePasswordInput
    ) -> ChangePasswordPayload:
        ctx = info.context
        claim_password_scoring(ctx)
        await password_reset.change_password(
            ctx.require_auth(),
            input.current_password,
            input.new_password,
            ctx.settings,
            meta=ctx.meta,
        )
        return ChangePasswordPayload(ok=True, errors=[])

    @mutation(
        description=(
            "Change the login e-mail: needs the password; a link goes to the new address and "
            "the login changes when it is opened. The current address is told."
        ),
        permission_classes=[IsAuthenticated],
    )
    async def request_login_email_change(
        self, info: Info, input: RequestLoginEmailChangeInput
    ) -> RequestLoginEmailChangePayload:
        ctx = info.context
        pending = await login_email.request_login_email_change(
            ctx.settings, ctx.viewer_id, input.email, input.current_password, meta=ctx.meta
        )
        return RequestLoginEmailChangePayload(pending_email=pending, errors=[])

    @mutation(
        description="Confirm a new login e-mail with the token from the link (no login needed)."
    )
    async def confirm_login_email(
        self, info: Info, input: ConfirmLoginEmailInput
    ) -> ConfirmLoginEmailPayload:
        ctx = info.context
        email = await login_email.confirm_login_email(ctx.settings, input.token, meta=ctx.meta)
        return ConfirmLoginEmailPayload(email=email, errors=[])
