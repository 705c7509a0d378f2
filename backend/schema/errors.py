"""``UserError``: how every mutation reports expected failures (Saleor style)."""

from __future__ import annotations

import strawberry

from backend.i18n import translate
from backend.models.enums import Language
from backend.services.errors import DomainError, ErrorCode, ValidationErrors

ErrorCodeType = strawberry.enum(ErrorCode, name="ErrorCode")


@strawberry.type
class UserError:
    field: str | None = strawberry.field(
        description="The input field (camelCase) the error is about, or null for the whole input."
    )
    code: ErrorCode
    message: str = strawberry.field(description="Human-readable, in the request's language.")


def to_user_errors(exc: DomainError | ValidationErrors, language: Language) -> list[UserError]:
    errors = exc.errors if isinstance(exc, ValidationErrors) else [exc]
    return [
        UserError(field=e.field, code=e.code, message=translate(e.code, language, **e.params))
        for e in errors
    ]
