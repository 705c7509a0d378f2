"""Public queries of the accounts domain: the captcha, the password strength meter and the legal
texts the registration form links to."""

from __future__ import annotations

import strawberry

from backend import legal
from backend.i18n import translate
from backend.schema.accounts.types import Captcha, LegalText, PasswordStrength
from backend.schema.context import Info
from backend.schema.enums import Language, LegalDocument
from backend.schema.once import claim_password_scoring
from backend.schema.query_errors import guarded, query_error
from backend.services import captcha, passwords
from backend.services.errors import DomainError


@strawberry.type
class Query:
    @strawberry.field(description="A new arithmetic task for the registration or login form.")
    async def captcha(self, info: Info) -> Captcha:
        ctx = info.context
        row = await guarded(ctx.language, lambda: captcha.create(ctx.meta))
        return Captcha(
            id=strawberry.ID(str(row.id)),
            question=row.question,
            accessible_question=captcha.accessible_question(row.question, ctx.language),
            expires_at=row.expires_at,
            proof_challenge=captcha.proof_challenge(row, ctx.settings),
        )

    @strawberry.field(
        description="The server's verdict on a password: the same one registration, reset and "
        "change enforce. The customer's own data count against it: the e-mail, service "
        "identifier and PESEL given here (the registration form) and the account's e-mail and "
        "the customer's names and numbers for a logged-in customer or a live reset link's token. "
        "One password per request (ONE_PASSWORD_PER_REQUEST); an e-mail over 254 characters "
        "or an identifier or PESEL over 32 is TOO_LONG."
    )
    async def password_strength(
        self,
        info: Info,
        password: str,
        email: str | None = None,
        identifier: str | None = None,
        pesel: str | None = None,
        reset_token: str | None = None,
    ) -> PasswordStrength:
        language = info.context.language
        try:
            claim_password_scoring(info.context)
        except DomainError as exc:
            raise query_error(exc, language) from None
        verdict = await guarded(
            language,
            lambda: passwords.meter(
                password,
                email=email,
                identifier=identifier,
                pesel=pesel,
                customer_id=info.context.customer_id,
                reset_token=reset_token,
                language=language,
            ),
        )
        error = passwords.refusal(verdict, language)
        message = translate(error.code, language, **error.params) if error else None
        return PasswordStrength(
            score=verdict.score,
            acceptable=verdict.acceptable,
            warning=verdict.warning or None,
            suggestions=verdict.suggestions,
            code=verdict.problem,
            message=message,
        )

    @strawberry.field(
        description=(
            "The terms of service or the personal-data information clause, in `language` "
            "(by default the request's), as the operator set them."
        )
    )
    def legal_text(
        self, info: Info, document: LegalDocument, language: Language | None = None
    ) -> LegalText:
        chosen = language or info.context.language
        body = legal.legal_html(info.context.settings, document, chosen)
        return LegalText(document=document, language=chosen, html=body)
