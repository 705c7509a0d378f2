"""Mutations about the customer's own record: contact data and the contact e-mail change."""

from __future__ import annotations

import strawberry

from backend.schema.context import Info
from backend.schema.customer.types import Profile
from backend.schema.enums import Language
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.permissions import IsAuthenticated
from backend.services import contact_data


@strawberry.input(description="Only the fields given are changed; null leaves a field as it is.")
class UpdateContactDataInput:
    phone: str | None = strawberry.field(
        default=None, description='Polish number: "601 234 567", "+48601234567"; "" clears it.'
    )
    street: str | None = None
    postal_code: str | None = strawberry.field(default=None, description="NN-NNN")
    city: str | None = None
    consent_email: bool | None = None
    consent_sms: bool | None = None
    consent_phone: bool | None = None
    language: Language | None = None
    email: str | None = strawberry.field(
        default=None,
        description="A new contact e-mail: applied only after the link sent to it is opened.",
    )


@strawberry.type
class UpdateContactDataPayload:
    profile: Profile | None = None
    pending_email: str | None = strawberry.field(
        default=None,
        description="The new e-mail waiting for confirmation (the link was sent there).",
    )
    errors: list[UserError]


@strawberry.input
class ConfirmContactEmailInput:
    token: str


@strawberry.type
class ConfirmContactEmailPayload:
    ok: bool = False
    errors: list[UserError]


@strawberry.type
class Mutation:
    @mutation(
        description="Change phone, address, consents, language or the contact e-mail.",
        permission_classes=[IsAuthenticated],
    )
    async def update_contact_data(
        self, info: Info, input: UpdateContactDataInput
    ) -> UpdateContactDataPayload:
        ctx = info.context
        data = contact_data.ContactDataInput(
            phone=input.phone,
            street=input.street,
            postal_code=input.postal_code,
            city=input.city,
            consent_email=input.consent_email,
            consent_sms=input.consent_sms,
            consent_phone=input.consent_phone,
            language=input.language.value if input.language is not None else None,
            email=input.email,
        )
        result = await contact_data.update_contact_data(
            ctx.settings, ctx.viewer_id, data, meta=ctx.meta
        )
        return UpdateContactDataPayload(
            profile=Profile.from_model(result.customer),
            pending_email=result.pending_email,
            errors=[],
        )

    @mutation(
        description="Confirm a new contact e-mail with the token from the link (no login needed)."
    )
    async def confirm_contact_email(
        self, info: Info, input: ConfirmContactEmailInput
    ) -> ConfirmContactEmailPayload:
        ctx = info.context
        await contact_data.confirm_contact_email(ctx.settings, input.token, meta=ctx.meta)
        return ConfirmContactEmailPayload(ok=True, errors=[])
