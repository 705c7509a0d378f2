"""Declared permissions: resolvers state who may call them instead of checking by hand."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.permission import BasePermission

from backend.i18n import translate
from backend.services.errors import ErrorCode


class IsAuthenticated(BasePermission):
    """Refuses anonymous requests with ``NOT_AUTHENTICATED`` in the request's language.

    The error is raised here rather than through ``message``: the permission instance is shared
    by all requests, so storing a per-request message on it would mix languages.
    """

    message = "NOT_AUTHENTICATED"
    error_extensions = {"code": ErrorCode.NOT_AUTHENTICATED.value}

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        if info.context.customer_id is not None:
            return True
        raise GraphQLError(
            translate(ErrorCode.NOT_AUTHENTICATED, info.context.language),
            extensions=dict(self.error_extensions),
        )
