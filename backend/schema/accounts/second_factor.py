"""The customer's optional TOTP second factor in Security: its state (``viewer.secondFactor``),
turning it on (QR code, first code, recovery codes), new recovery codes, turning it off. The
login's second step (``completeLogin``) is with the other login mutations."""

from __future__ import annotations

import strawberry

from backend.schema.context import Info
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.permissions import IsAuthenticated
from backend.services import second_factor, totp


@strawberry.type(
    description="Whether the customer's logins ask for a code (two-step verification)."
)
class SecondFactor:
    enabled: bool
    recovery_codes_left: int = strawberry.field(
        description="Unused recovery codes (0 while it is off)."
    )


@strawberry.type(description="What the customer needs to add the account to an authenticator app.")
class SecondFactorSetup:
    secret: str = strawberry.field(
        description="The base32 secret in groups of four, for typing in by hand."
    )
    uri: str = strawberry.field(description="The otpauth:// URI the QR code holds.")
    qr_code: str = strawberry.field(
        description="The QR code as a data: URI (image/svg+xml, base64) for an <img>."
    )

    @classmethod
    def of(cls, enrolment: totp.Enrolment) -> SecondFactorSetup:
        return cls(
            secret=totp.grouped(enrolment.secret),
            uri=enrolment.uri,
            qr_code=enrolment.qr_data_uri,
        )


@strawberry.input
class SecondFactorCodeInput:
    code: str = strawberry.field(description="The 6-digit code from the authenticator app.")


@strawberry.input
class DisableSecondFactorInput:
    password: str
    code: str = strawberry.field(
        description="The 6-digit code from the authenticator app, or an unused recovery code."
    )


@strawberry.type
class StartSecondFactorPayload:
    setup: SecondFactorSetup | None = None
    errors: list[UserError]


@strawberry.type
class RecoveryCodesPayload:
    recovery_codes: list[str] = strawberry.field(
        default_factory=list,
        description="The new single-use recovery codes: shown once, never again.",
    )
    errors: list[UserError]


@strawberry.type
class DisableSecondFactorPayload:
    ok: bool = False
    errors: list[UserError]


@strawberry.type
class Mutation:
    @mutation(
        description=(
            "Start turning on two-step verification: the QR code and secret for the "
            "authenticator app (the same until it is confirmed)."
        ),
        permission_classes=[IsAuthenticated],
    )
    async def start_second_factor(self, info: Info) -> StartSecondFactorPayload:
        ctx = info.context
        found = await second_factor.start(ctx.require_auth(), ctx.settings)
        return StartSecondFactorPayload(setup=SecondFactorSetup.of(found), errors=[])

    @mutation(
        description=(
            "Turn two-step verification on with a first code from the app; answers the "
            "recovery codes (shown once)."
        ),
        permission_classes=[IsAuthenticated],
    )
    async def confirm_second_factor(
        self, info: Info, input: SecondFactorCodeInput
    ) -> RecoveryCodesPayload:
        ctx = info.context
        codes = await second_factor.confirm(ctx.require_auth(), input.code, ctx.settings, ctx.meta)
        return RecoveryCodesPayload(recovery_codes=list(codes), errors=[])

    @mutation(
        description="New recovery codes (the old ones stop working); needs a code from the app.",
        permission_classes=[IsAuthenticated],
    )
    async def renew_recovery_codes(
        self, info: Info, input: SecondFactorCodeInput
    ) -> RecoveryCodesPayload:
        ctx = info.context
        codes = await second_factor.renew_recovery_codes(ctx.require_auth(), input.code, ctx.meta)
        return RecoveryCodesPayload(recovery_codes=list(codes), errors=[])

    @mutation(
        description="Turn two-step verification off: needs the password and a code.",
        permission_classes=[IsAuthenticated],
    )
    async def disable_second_factor(
        self, info: Info, input: DisableSecondFactorInput
    ) -> DisableSecondFactorPayload:
        ctx = info.context
        await second_factor.disable(
            ctx.require_auth(), input.code, input.password, ctx.settings, ctx.meta
        )
        return DisableSecondFactorPayload(ok=True, errors=[])
