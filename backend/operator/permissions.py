"""Declared scopes: an operator resolver states the scope it needs, ``requires(Scope.X)``."""

from __future__ import annotations

import functools
from typing import Any

from graphql import GraphQLError
from strawberry.permission import BasePermission

from backend.i18n import translate
from backend.services.errors import ErrorCode
from backend.services.operator_keys import Scope, has_scope


@functools.cache
def requires(scope: Scope) -> type[BasePermission]:
    """A permission class refusing keys without ``scope`` with ``SCOPE_NOT_GRANTED`` (the message,
    in the request's language, names the scope), e.g.
    ``@mutation(description=..., permission_classes=[requires(Scope.CUSTOMERS_WRITE)])``.

    The error is raised rather than set as ``message``: the permission instance is shared by
    all requests, so a per-request message on it would mix languages."""

    class RequiresScope(BasePermission):
        message = "SCOPE_NOT_GRANTED"
        error_extensions = {"code": ErrorCode.SCOPE_NOT_GRANTED.value, "scope": scope.value}

        def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
            if has_scope(info.context.key, scope):
                return True
            raise GraphQLError(
                translate(ErrorCode.SCOPE_NOT_GRANTED, info.context.language, scope=scope.value),
                extensions=dict(self.error_extensions),
            )

    RequiresScope.__name__ = RequiresScope.__qualname__ = f"Requires_{scope.name}"
    return RequiresScope
