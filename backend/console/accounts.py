"""The console's accounts: logging in (password, then a TOTP code or a recovery code, or the
enrolment at the first login), the session (``me``), logging out, new recovery codes, and the
admins' staff management. Every rule is in :mod:`backend.services.staff`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from backend.console.context import STAFF_COOKIE, ConsoleInfo
from backend.console.permissions import requires_role
from backend.models import StaffMember as StaffMemberRow
from backend.schema.enums import StaffRole
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.once import claim_password_scoring
from backend.schema.relay import decode_id, to_global_id
from backend.services import staff
from backend.services.errors import DomainError, ErrorCode
from backend.services.staff import MAX_AGE, StaffAuth


@strawberry.enum(description="How far a console login has come.")
class LoginStage(Enum):
    SECOND_FACTOR = "second_factor"
    """The password was right: a TOTP code (or a recovery code) is needed."""
    ENROL = "enrol"
    """The password was right and the member has no second factor yet: scan the QR code and
    give the first code."""
    NEW_PASSWORD = "new_password"
    """The password was an initial one (from an admin or the CLI): choose a new one first
    (``staffChangeInitialPassword``), then the second factor or the enrolment."""
    DONE = "done"
    """Logged in."""


strawberry.enum(
    staff.AccountState,
    name="StaffAccountState",
    description="Where a console account stands, most pressing first: DISABLED, LOCKED, "
    "INITIAL_PASSWORD_EXPIRED (an admin resets it), INITIAL_PASSWORD_PENDING (until "
    "initialPasswordExpiresAt), ENROLMENT_PENDING (no second factor yet), ENROLLED.",
)


@strawberry.type(name="StaffMember", description="A console account.")
class StaffMemberType:
    id: strawberry.ID
    email: str
    name: str
    role: StaffRole
    enrolled: bool = strawberry.field(description="The TOTP second factor is set up.")
    disabled: bool
    locked_until: datetime | None = strawberry.field(
        description="Locked after 5 failed attempts until this instant (null: not locked)."
    )
    last_login_at: datetime | None
    created_at: datetime
    initial_password_expires_at: datetime | None = strawberry.field(
        description="Set while the password is an initial one (from an admin or the CLI): it "
        "must be replaced at the next login and stops working at this instant."
    )
    state: staff.AccountState = strawberry.field(
        description="Where the account stands now (one state, the most pressing)."
    )

    @classmethod
    def of(cls, row: StaffMemberRow) -> StaffMemberType:
        return cls(
            id=to_global_id("StaffMember", row.id),
            email=row.email,
            name=row.name,
            role=row.role,
            enrolled=row.totp_confirmed_at is not None,
            disabled=row.disabled_at is not None,
            locked_until=row.locked_until,
            last_login_at=row.last_login_at,
            created_at=row.created_at,
            initial_password_expires_at=row.initial_password_expires_at,
            state=staff.account_state(row),
        )


@strawberry.type(description="The staff member's console session.")
class ConsoleSession:
    staff: StaffMemberType
    stage: LoginStage
    expires_at: datetime = strawberry.field(
        description="When the session ends without activity (15 minutes idle, 5 minutes for "
        "the second factor, at most 10 hours after the login)."
    )
    idle_timeout_seconds: int

    @classmethod
    def of(cls, auth: StaffAuth) -> ConsoleSession:
        if auth.verified:
            stage, idle = LoginStage.DONE, staff.IDLE
        else:
            enrolled = auth.staff.totp_confirmed_at is not None
            stage = LoginStage.SECOND_FACTOR if enrolled else LoginStage.ENROL
            if staff.must_change_password(auth.staff):
                stage = LoginStage.NEW_PASSWORD
            idle = staff.SECOND_FACTOR_WINDOW
        return cls(
            staff=StaffMemberType.of(auth.staff),
            stage=stage,
            expires_at=auth.expires_at,
            idle_timeout_seconds=int(idle.total_seconds()),
        )


@strawberry.type(description="What a member needs to set up the TOTP second factor.")
class Enrolment:
    secret: str = strawberry.field(description="The base32 secret, to type in by hand.")
    uri: str = strawberry.field(description="The otpauth:// URI the QR code holds.")
    qr_code: str = strawberry.field(
        description="The QR code as a data: URI (image/svg+xml, base64) for an <img>."
    )

    @classmethod
    def of(cls, enrolment: staff.Enrolment) -> Enrolment:
        return cls(
            secret=enrolment.secret,
            uri=enrolment.uri,
            qr_code=enrolment.qr_data_uri,
        )


@strawberry.input
class StaffLoginInput:
    email: str
    password: str


@strawberry.type
class StaffLoginPayload:
    session: ConsoleSession | None = None
    enrolment: Enrolment | None = strawberry.field(
        default=None, description="Set when the stage is ENROL."
    )
    errors: list[UserError]


@strawberry.input
class StaffSecondFactorInput:
    code: str = strawberry.field(description="A TOTP code, or a recovery code with recovery.")
    recovery: bool = False


@strawberry.type
class StaffSecondFactorPayload:
    session: ConsoleSession | None = None
    recovery_codes: list[str] | None = strawberry.field(
        default=None,
        description="When this code completed the enrolment: 10 single-use recovery codes, "
        "shown only this once.",
    )
    errors: list[UserError]


@strawberry.input
class StaffChangeInitialPasswordInput:
    new_password: str = strawberry.field(
        description="The member's own password (the customers' policy; not the initial one)."
    )


@strawberry.input
class ChangeStaffPasswordInput:
    current_password: str
    new_password: str
    code: str = strawberry.field(description="A current TOTP code.")


@strawberry.type
class ChangeStaffPasswordPayload:
    ok: bool = False
    errors: list[UserError]


@strawberry.type
class StaffLogoutPayload:
    ok: bool = False
    errors: list[UserError]


@strawberry.input
class RegenerateRecoveryCodesInput:
    code: str = strawberry.field(description="A current TOTP code.")


@strawberry.type
class RegenerateRecoveryCodesPayload:
    recovery_codes: list[str] | None = None
    errors: list[UserError]


@strawberry.input
class CreateStaffMemberInput:
    email: str
    name: str
    role: StaffRole


@strawberry.type
class CreateStaffMemberPayload:
    member: StaffMemberType | None = None
    initial_password: str | None = strawberry.field(
        default=None, description="Shown only this once."
    )
    errors: list[UserError]


@strawberry.input
class StaffMemberInput:
    id: strawberry.ID


@strawberry.type
class StaffMemberPayload:
    member: StaffMemberType | None = None
    errors: list[UserError]


def _set_cookie(info: ConsoleInfo, token: str) -> None:
    context = info.context
    context.response.set_cookie(
        STAFF_COOKIE,
        token,
        max_age=int(MAX_AGE.total_seconds()),
        httponly=True,
        secure=context.settings.secure_cookies,
        samesite="strict",
        path="/console",
    )


def _clear_cookie(info: ConsoleInfo) -> None:
    info.context.response.delete_cookie(
        STAFF_COOKIE,
        httponly=True,
        secure=info.context.settings.secure_cookies,
        samesite="strict",
        path="/console",
    )


async def _member(gid: strawberry.ID) -> StaffMemberRow:
    row = await StaffMemberRow.get_or_none(id=decode_id(gid, "StaffMember"))
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "id")
    return row


@strawberry.type
class Query:
    @strawberry.field(description="The console session of this request (null: not logged in).")
    def me(self, info: ConsoleInfo) -> ConsoleSession | None:
        auth = info.context.auth
        return ConsoleSession.of(auth) if auth else None

    @strawberry.field(
        description="Every staff member (admins).",
        permission_classes=[requires_role(StaffRole.ADMIN)],
    )
    async def staff_members(self, info: ConsoleInfo) -> list[StaffMemberType]:
        return [StaffMemberType.of(row) for row in await staff.list_staff()]


@strawberry.type
class Mutation:
    @mutation(
        description="Log in with e-mail and password: a session that needs the second factor."
    )
    async def staff_login(self, info: ConsoleInfo, input: StaffLoginInput) -> StaffLoginPayload:
        context = info.context
        started = await staff.login(input.email, input.password, context.settings, context.meta)
        if context.auth is not None:
            await staff.logout(context.auth, context.meta)
        _set_cookie(info, started.token)
        return StaffLoginPayload(
            session=ConsoleSession.of(started.auth),
            enrolment=Enrolment.of(started.enrolment) if started.enrolment else None,
            errors=[],
        )

    @mutation(description="Give the TOTP code (or a recovery code): the session is logged in.")
    async def staff_second_factor(
        self, info: ConsoleInfo, input: StaffSecondFactorInput
    ) -> StaffSecondFactorPayload:
        auth = info.context.auth
        if auth is None:
            raise DomainError(ErrorCode.NOT_AUTHENTICATED)
        done = await staff.second_factor(
            auth, input.code, info.context.meta, recovery=input.recovery
        )
        _set_cookie(info, done.token)
        return StaffSecondFactorPayload(
            session=ConsoleSession.of(done.auth),
            recovery_codes=list(done.recovery_codes) or None,
            errors=[],
        )

    @mutation(
        description="Replace the initial password in the session of the login that used it "
        "(stage NEW_PASSWORD): the answer's stage is then SECOND_FACTOR or ENROL (with the QR "
        "code). The member's other sessions end."
    )
    async def staff_change_initial_password(
        self, info: ConsoleInfo, input: StaffChangeInitialPasswordInput
    ) -> StaffLoginPayload:
        context = info.context
        if context.auth is None:
            raise DomainError(ErrorCode.NOT_AUTHENTICATED)
        claim_password_scoring(context)
        auth, found = await staff.change_initial_password(
            context.auth, input.new_password, context.settings, context.meta
        )
        return StaffLoginPayload(
            session=ConsoleSession.of(auth),
            enrolment=Enrolment.of(found) if found else None,
            errors=[],
        )

    @mutation(
        description="Change your password (the current one and a TOTP code confirm it); your "
        "other sessions end.",
        permission_classes=[requires_role(StaffRole.AGENT)],
    )
    async def change_staff_password(
        self, info: ConsoleInfo, input: ChangeStaffPasswordInput
    ) -> ChangeStaffPasswordPayload:
        context = info.context
        assert context.auth is not None  # the permission class
        claim_password_scoring(context)
        await staff.change_password(
            context.auth,
            input.current_password,
            input.new_password,
            input.code,
            context.settings,
            context.meta,
        )
        return ChangeStaffPasswordPayload(ok=True, errors=[])

    @mutation(description="End the console session.")
    async def staff_logout(self, info: ConsoleInfo) -> StaffLogoutPayload:
        await staff.logout(info.context.auth, info.context.meta)
        _clear_cookie(info)
        return StaffLogoutPayload(ok=True, errors=[])

    @mutation(
        description="New recovery codes (the old ones stop working), confirmed by a TOTP code.",
        permission_classes=[requires_role(StaffRole.AGENT)],
    )
    async def regenerate_recovery_codes(
        self, info: ConsoleInfo, input: RegenerateRecoveryCodesInput
    ) -> RegenerateRecoveryCodesPayload:
        auth = info.context.auth
        assert auth is not None  # the permission class
        codes = await staff.regenerate_recovery_codes(auth, input.code, info.context.meta)
        return RegenerateRecoveryCodesPayload(recovery_codes=list(codes), errors=[])

    @mutation(
        description="Create a staff account; its initial password is shown once (admins).",
        permission_classes=[requires_role(StaffRole.ADMIN)],
    )
    async def create_staff_member(
        self, info: ConsoleInfo, input: CreateStaffMemberInput
    ) -> CreateStaffMemberPayload:
        context = info.context
        row, password = await staff.create_staff(
            input.email,
            input.name,
            input.role,
            context.meta,
            settings=context.settings,
            by=context.staff,
        )
        return CreateStaffMemberPayload(
            member=StaffMemberType.of(row), initial_password=password, errors=[]
        )

    @mutation(
        description="Disable a staff account and end its sessions (admins).",
        permission_classes=[requires_role(StaffRole.ADMIN)],
    )
    async def disable_staff_member(
        self, info: ConsoleInfo, input: StaffMemberInput
    ) -> StaffMemberPayload:
        row = await staff.disable(await _member(input.id), info.context.meta, by=info.context.staff)
        return StaffMemberPayload(member=StaffMemberType.of(row), errors=[])

    @mutation(
        description="Enable a disabled staff account (and lift a lockout) (admins).",
        permission_classes=[requires_role(StaffRole.ADMIN)],
    )
    async def enable_staff_member(
        self, info: ConsoleInfo, input: StaffMemberInput
    ) -> StaffMemberPayload:
        row = await staff.enable(await _member(input.id), info.context.meta, by=info.context.staff)
        return StaffMemberPayload(member=StaffMemberType.of(row), errors=[])

    @mutation(
        description="Forget a member's second factor: the next login enrols again (admins).",
        permission_classes=[requires_role(StaffRole.ADMIN)],
    )
    async def reset_staff_second_factor(
        self, info: ConsoleInfo, input: StaffMemberInput
    ) -> StaffMemberPayload:
        context = info.context
        row = await staff.reset_second_factor(
            await _member(input.id), context.meta, by=context.staff
        )
        return StaffMemberPayload(member=StaffMemberType.of(row), errors=[])

    @mutation(
        description="Give a member a new initial password (shown once, valid 72 hours, replaced "
        "at the next login), forget their second factor and end their sessions (admins; not "
        "yourself: NOT_YOURSELF).",
        permission_classes=[requires_role(StaffRole.ADMIN)],
    )
    async def reset_staff_password(
        self, info: ConsoleInfo, input: StaffMemberInput
    ) -> CreateStaffMemberPayload:
        context = info.context
        row, password = await staff.reset_password(
            await _member(input.id), context.meta, settings=context.settings, by=context.staff
        )
        return CreateStaffMemberPayload(
            member=StaffMemberType.of(row), initial_password=password, errors=[]
        )
