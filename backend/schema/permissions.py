"""Declared permissions: resolvers state who may call them instead of checking by hand."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from backend.i18n import translate
from backend.services.errors import ErrorCode


class IsAuthenticated(BasePermission):
    message = "NOT_AUTHENTICATED"
    error_extensions = {"code": ErrorCode.NOT_AUTHENTICATED.value}

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        if info.context.customer_id is not None:
            return True
        self.message = translate(ErrorCode.NOT_AUTHENTICATED, info.context.language)
        return False
