"""``UserError``: how every mutation reports expected failures (Saleor style)."""

from __future__ import annotations

from collections.abc import Mapping

import strawberry
from strawberry.utils.str_converters import to_camel_case

from backend.i18n import translate
from backend.models.enums import Language
from backend.schema.enums import ErrorCode
from backend.services.errors import DomainError, ValidationErrors


@strawberry.type
class UserError:
    field: str | None = strawberry.field(
        description="The input field (camelCase) the error is about, or null for the whole input."
    )
    code: ErrorCode
    message: str = strawberry.field(description="Human-readable, in the request's language.")


def input_field(name: str | None, fields: Mapping[str, str] | None = None) -> str | None:
    """The GraphQL name of the input field a service's ``DomainError.field`` names.

    Services name their own snake_case parameters (``service_id``); clients see the input's
    camelCase name (``serviceId``), or the name ``fields`` maps it to. Names already in camelCase
    (IDs decoded in the schema layer) pass unchanged.
    """
    if name is None:
        return None
    return (fields or {}).get(name) or to_camel_case(name)


def to_user_errors(
    exc: DomainError | ValidationErrors,
    language: Language,
    fields: Mapping[str, str] | None = None,
) -> list[UserError]:
    errors = exc.errors if isinstance(exc, ValidationErrors) else [exc]
    return [
        UserError(
            field=input_field(e.field, fields),
            code=e.code,
            message=translate(e.code, language, **e.params),
        )
        for e in errors
    ]
