"""Expected failures of *queries* (bad cursor, page too large, malformed ID) become GraphQL
errors with a stable ``extensions.code`` and a translated message (mutations use ``errors``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from graphql import GraphQLError

from backend.i18n import translate
from backend.models.enums import Language
from backend.schema.errors import input_field
from backend.services.errors import DomainError

T = TypeVar("T")


def query_error(exc: DomainError, language: Language) -> GraphQLError:
    return GraphQLError(
        translate(exc.code, language, **exc.params),
        extensions={"code": exc.code.value, "field": input_field(exc.field), **exc.params},
    )


async def guarded(language: Language, call: Callable[[], Awaitable[T]]) -> T:
    """Await ``call()``, turning a :class:`DomainError` into a coded GraphQL error."""
    try:
        return await call()
    except DomainError as exc:
        raise query_error(exc, language) from None
