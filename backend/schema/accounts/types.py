"""GraphQL types of the accounts domain: captcha, password strength, sessions, payloads."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.schema.enums import Language, LegalDocument
from backend.schema.errors import UserError
from backend.schema.relay import from_global_id, to_global_id
from backend.services.captcha import Solution
from backend.services.errors import ErrorCode

SESSION_TYPE = "AccountSession"
DEVICE_LOGIN_TYPE = "DeviceLogin"


def session_id(pk: int) -> strawberry.ID:
    return to_global_id(SESSION_TYPE, pk)


def session_pk(global_id: str) -> int | None:
    """The primary key of an ``AccountSession`` global ID, or None for anything else."""
    parsed = from_global_id(global_id)
    return parsed[1] if parsed and parsed[0] == SESSION_TYPE else None


def device_login_id(pk: int) -> strawberry.ID:
    return to_global_id(DEVICE_LOGIN_TYPE, pk)


def device_login_pk(global_id: str) -> int | None:
    """The primary key of a ``DeviceLogin`` global ID, or None for anything else."""
    parsed = from_global_id(global_id)
    return parsed[1] if parsed and parsed[0] == DEVICE_LOGIN_TYPE else None


@strawberry.type(description="An arithmetic task that proves a person fills in the form.")
class Captcha:
    id: strawberry.ID
    question: str = strawberry.field(description='The task as shown, e.g. "7 + 5".')
    accessible_question: str = strawberry.field(
        description="The task in words, in the request's language, for screen readers."
    )
    expires_at: datetime
    proof_challenge: str = strawberry.field(
        description="The ALTCHA proof-of-work challenge (v2, SHA-256) bound to this task, as "
        'JSON: `{"parameters": {algorithm, cost, keyLength, keyPrefix, nonce, salt, expiresAt, '
        'data, keySignature}, "signature"}`. Solve it (find the counter whose key starts with '
        "`keyPrefix`) and send the solution as `captchaProof` with the answer; see the README."
    )


@strawberry.type(description="How strong a password is, and whether the policy accepts it.")
class PasswordStrength:
    score: int = strawberry.field(description="zxcvbn score: 0 (very weak) to 4 (very strong).")
    acceptable: bool
    warning: str | None = strawberry.field(description="What makes it weak (localised).")
    suggestions: list[str] = strawberry.field(description="How to improve it (localised).")
    code: ErrorCode | None = strawberry.field(
        description="Why the policy refuses it, or null when it is acceptable."
    )
    message: str | None = strawberry.field(description="The refusal, in the request's language.")


@strawberry.type(description="One of the customer's active sessions (a browser or a device).")
class AccountSession:
    id: strawberry.ID = strawberry.field(description='Global ID: base64 of "AccountSession:id".')
    device: str = strawberry.field(description='A short label such as "Firefox, Linux".')
    user_agent: str
    ip: str
    kind: str = strawberry.field(description='"cookie" (a browser) or "bearer" (a mobile app).')
    created_at: datetime
    last_activity_at: datetime
    expires_at: datetime = strawberry.field(description="When it ends without further activity.")
    current: bool = strawberry.field(description="True for the session of this request.")


@strawberry.type(
    description=(
        "A mobile app's login on one device: it stays logged in through rotating refresh "
        "tokens until expiresAt or until it is ended (revokeDeviceLogin, logout in the app, a "
        "password change)."
    )
)
class DeviceLogin:
    id: strawberry.ID = strawberry.field(description='Global ID: base64 of "DeviceLogin:id".')
    device_name: str = strawberry.field(description="The name the app gave at login.")
    device: str = strawberry.field(description="A short label from the app's user agent.")
    ip: str = strawberry.field(description="The address the login came from.")
    created_at: datetime
    last_used_at: datetime = strawberry.field(
        description="The login or the last swap of a refresh token."
    )
    expires_at: datetime = strawberry.field(
        description="When the device must log in again (refreshTokenDays after the login)."
    )
    current: bool = strawberry.field(description="True when this request comes from it.")


@strawberry.type
class RegisterPayload:
    ok: bool = strawberry.field(
        default=False, description="True when the form was accepted; a confirmation e-mail follows."
    )
    errors: list[UserError]


@strawberry.type
class OkPayload:
    """For mutations whose only result is success or the list of errors."""

    ok: bool = False
    errors: list[UserError]


@strawberry.type
class ConfirmEmailPayload(OkPayload):
    pass


@strawberry.type
class ResendConfirmationPayload(OkPayload):
    pass


@strawberry.type
class LogoutPayload(OkPayload):
    pass


@strawberry.type
class RevokeSessionPayload(OkPayload):
    pass


@strawberry.type
class RevokeDeviceLoginPayload(OkPayload):
    pass


@strawberry.type
class RefreshSessionPayload:
    token: str | None = strawberry.field(
        default=None, description="The new bearer (access) token; the previous one has ended."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the new access token ends without activity."
    )
    refresh_token: str | None = strawberry.field(
        default=None, description="The next refresh token: the one sent is spent."
    )
    refresh_token_expires_at: datetime | None = strawberry.field(
        default=None, description="When the device login ends (fixed at login)."
    )
    errors: list[UserError]


@strawberry.type
class RequestPasswordResetPayload(OkPayload):
    pass


@strawberry.type
class ResetPasswordPayload(OkPayload):
    pass


@strawberry.type
class ChangePasswordPayload(OkPayload):
    pass


@strawberry.type
class LogoutOtherSessionsPayload:
    revoked_count: int = 0
    errors: list[UserError]


PROOF_DESCRIPTION = (
    "The solved proof of work of the task (`Captcha.proofChallenge`): base64 of the JSON "
    '`{"challenge": <proofChallenge>, "solution": {"counter", "derivedKey"}}`.'
)


@strawberry.input
class RegisterInput:
    identifier: str = strawberry.field(
        description="Decoder card number (12 digits) or the phone number of the service."
    )
    pesel: str
    email: str
    email_confirmation: str
    password: str
    captcha_id: strawberry.ID
    captcha_answer: str
    captcha_proof: str | None = strawberry.field(default=None, description=PROOF_DESCRIPTION)
    accept_terms: bool


@strawberry.input
class ConfirmEmailInput:
    token: str


@strawberry.input
class ResendConfirmationInput:
    email: str
    captcha_id: strawberry.ID
    captcha_answer: str
    captcha_proof: str | None = strawberry.field(default=None, description=PROOF_DESCRIPTION)


@strawberry.input
class RequestPasswordResetInput:
    email: str
    captcha_id: strawberry.ID
    captcha_answer: str
    captcha_proof: str | None = strawberry.field(default=None, description=PROOF_DESCRIPTION)


def captcha_solution(input: ResendConfirmationInput | RequestPasswordResetInput) -> Solution:
    """The captcha fields of a form's input, as ``captcha.verify`` takes them."""
    return Solution(str(input.captcha_id), input.captcha_answer, input.captcha_proof)


@strawberry.input
class LoginInput:
    login: str = strawberry.field(description="The e-mail address or any service identifier.")
    password: str
    captcha_id: strawberry.ID
    captcha_answer: str
    captcha_proof: str | None = strawberry.field(default=None, description=PROOF_DESCRIPTION)
    bearer: bool = strawberry.field(
        default=False, description="Return a bearer token (mobile apps) instead of a cookie."
    )
    device_name: str | None = strawberry.field(
        default=None,
        description=(
            "With bearer: this device's name (at most 100 characters), to get a refresh token "
            "too (a device login listed in Security). Without it a bearer login gets only the "
            "access token."
        ),
    )


@strawberry.input
class RefreshSessionInput:
    refresh_token: str = strawberry.field(description="The device login's latest refresh token.")


@strawberry.input
class RevokeDeviceLoginInput:
    device_login_id: strawberry.ID


@strawberry.input
class CompleteLoginInput:
    ticket: str = strawberry.field(description="The ticket login answered with.")
    code: str = strawberry.field(
        description="The 6-digit code from the authenticator app, or an unused recovery code."
    )
    bearer: bool = strawberry.field(
        default=False, description="Return a bearer token (mobile apps) instead of a cookie."
    )
    device_name: str | None = strawberry.field(
        default=None, description="With bearer: this device's name, as for login."
    )


@strawberry.input
class RevokeSessionInput:
    session_id: strawberry.ID


@strawberry.input
class ResetPasswordInput:
    token: str
    new_password: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.type(description="The e-mail address the customer logs in with.")
class LoginEmail:
    email: str
    pending_email: str | None = strawberry.field(
        description="A new login address waiting for its link to be opened (sent there), if any."
    )


@strawberry.input
class RequestLoginEmailChangeInput:
    email: str = strawberry.field(description="The new login address.")
    current_password: str


@strawberry.type
class RequestLoginEmailChangePayload:
    pending_email: str | None = strawberry.field(
        default=None,
        description="The new address as stored; the link was sent there, the old one is told.",
    )
    errors: list[UserError]


@strawberry.input
class ConfirmLoginEmailInput:
    token: str


@strawberry.type
class ConfirmLoginEmailPayload:
    email: str | None = strawberry.field(default=None, description="The login from now on.")
    errors: list[UserError]


@strawberry.type(description="A legal text to show before the customer accepts or gives data.")
class LegalText:
    document: LegalDocument
    language: Language
    html: str = strawberry.field(
        description="An HTML fragment (headings from h2, paragraphs, lists, links) to show as is."
    )
