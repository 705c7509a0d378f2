"""Mutations of the accounts domain: registration, confirmation, login, sessions, passwords.

Each resolver parses its input, calls one service function and maps the result; expected
failures come back in ``errors`` (translated), never as GraphQL errors.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.schema.accounts.types import (
    ChangePasswordInput,
    ChangePasswordPayload,
    ConfirmEmailInput,
    ConfirmEmailPayload,
    LoginInput,
    LogoutOtherSessionsPayload,
    LogoutPayload,
    RegisterInput,
    RegisterPayload,
    RequestPasswordResetInput,
    RequestPasswordResetPayload,
    ResendConfirmationInput,
    ResendConfirmationPayload,
    ResetPasswordInput,
    ResetPasswordPayload,
    RevokeSessionInput,
    RevokeSessionPayload,
    client_of,
    session_pk,
)
from backend.schema.context import Info
from backend.schema.errors import UserError, to_user_errors
from backend.schema.permissions import IsAuthenticated
from backend.schema.viewer import Viewer
from backend.services import accounts, password_reset, registration
from backend.services.errors import DomainError, ValidationErrors
from backend.services.registration import Registration
from backend.services.sessions import ActiveSession

Failure = (DomainError, ValidationErrors)


@strawberry.type
class LoginPayload:
    viewer: Viewer | None = strawberry.field(description="The logged-in customer on success.")
    token: str | None = strawberry.field(
        description="The bearer token, only when the input asked for one (mobile apps)."
    )
    expires_at: datetime | None = strawberry.field(
        description="When the new session ends without activity."
    )
    errors: list[UserError]


def _errors(info: Info, exc: DomainError | ValidationErrors) -> list[UserError]:
    return to_user_errors(exc, info.context.language)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a web account for an existing customer.")
    async def register(self, info: Info, input: RegisterInput) -> RegisterPayload:
        data = Registration(
            identifier=input.identifier,
            pesel=input.pesel,
            email=input.email,
            email_confirmation=input.email_confirmation,
            password=input.password,
            captcha_id=str(input.captcha_id),
            captcha_answer=input.captcha_answer,
            accept_terms=input.accept_terms,
        )
        try:
            await registration.register(data, info.context.settings, client_of(info))
        except Failure as exc:
            return RegisterPayload(ok=False, errors=_errors(info, exc))
        return RegisterPayload(ok=True, errors=[])

    @strawberry.mutation(description="Confirm the e-mail address with the token from the link.")
    async def confirm_email(self, info: Info, input: ConfirmEmailInput) -> ConfirmEmailPayload:
        try:
            await registration.confirm_email(input.token, client_of(info))
        except Failure as exc:
            return ConfirmEmailPayload(ok=False, errors=_errors(info, exc))
        return ConfirmEmailPayload(ok=True, errors=[])

    @strawberry.mutation(
        description="Send the confirmation link again (same answer for any address)."
    )
    async def resend_confirmation(
        self, info: Info, input: ResendConfirmationInput
    ) -> ResendConfirmationPayload:
        try:
            await registration.resend_confirmation(
                input.email, info.context.settings, client_of(info)
            )
        except Failure as exc:
            return ResendConfirmationPayload(ok=False, errors=_errors(info, exc))
        return ResendConfirmationPayload(ok=True, errors=[])

    @strawberry.mutation(description="Log in with the e-mail or a service identifier.")
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        ctx = info.context
        try:
            result = await accounts.login(
                input.login,
                input.password,
                str(input.captcha_id),
                input.captcha_answer,
                ctx.settings,
                client_of(info),
                bearer=input.bearer,
                previous=ctx.auth.session if ctx.auth else None,
            )
        except Failure as exc:
            return LoginPayload(viewer=None, token=None, expires_at=None, errors=_errors(info, exc))
        if not input.bearer:
            ctx.set_session_cookie(result.token)
        ctx.auth = ActiveSession(result.session, result.customer_id, result.expires_at)
        return LoginPayload(
            viewer=Viewer(customer_id=result.customer_id),
            token=result.token if input.bearer else None,
            expires_at=result.expires_at,
            errors=[],
        )

    @strawberry.mutation(description="End this session (server-side) and clear the cookie.")
    async def logout(self, info: Info) -> LogoutPayload:
        await accounts.logout(info.context.auth, client_of(info))
        info.context.auth = None
        info.context.clear_session_cookie()
        return LogoutPayload(ok=True, errors=[])

    @strawberry.mutation(
        description="End every other session of this account.",
        permission_classes=[IsAuthenticated],
    )
    async def logout_other_sessions(self, info: Info) -> LogoutOtherSessionsPayload:
        assert info.context.auth is not None
        count = await accounts.logout_other_sessions(info.context.auth, client_of(info))
        return LogoutOtherSessionsPayload(revoked_count=count, errors=[])

    @strawberry.mutation(
        description="End one of the customer's own sessions.",
        permission_classes=[IsAuthenticated],
    )
    async def revoke_session(self, info: Info, input: RevokeSessionInput) -> RevokeSessionPayload:
        ctx = info.context
        assert ctx.auth is not None
        try:
            key = await accounts.revoke_session(
                ctx.auth.customer_id, session_pk(input.session_id), client_of(info)
            )
        except Failure as exc:
            return RevokeSessionPayload(ok=False, errors=_errors(info, exc))
        if key == ctx.auth.session.id:
            ctx.clear_session_cookie()
        return RevokeSessionPayload(ok=True, errors=[])

    @strawberry.mutation(
        description="Mail a link to set a new password (same answer for any address)."
    )
    async def request_password_reset(
        self, info: Info, input: RequestPasswordResetInput
    ) -> RequestPasswordResetPayload:
        try:
            await password_reset.request_password_reset(
                input.email, info.context.settings, client_of(info)
            )
        except Failure as exc:
            return RequestPasswordResetPayload(ok=False, errors=_errors(info, exc))
        return RequestPasswordResetPayload(ok=True, errors=[])

    @strawberry.mutation(description="Set a new password with the link's token; ends all sessions.")
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> ResetPasswordPayload:
        try:
            await password_reset.reset_password(
                input.token, input.new_password, info.context.settings, client_of(info)
            )
        except Failure as exc:
            return ResetPasswordPayload(ok=False, errors=_errors(info, exc))
        return ResetPasswordPayload(ok=True, errors=[])

    @strawberry.mutation(
        description="Change the password; keeps this session and ends the others.",
        permission_classes=[IsAuthenticated],
    )
    async def change_password(
        self, info: Info, input: ChangePasswordInput
    ) -> ChangePasswordPayload:
        ctx = info.context
        assert ctx.auth is not None
        try:
            await password_reset.change_password(
                ctx.auth, input.current_password, input.new_password, ctx.settings, client_of(info)
            )
        except Failure as exc:
            return ChangePasswordPayload(ok=False, errors=_errors(info, exc))
        return ChangePasswordPayload(ok=True, errors=[])
