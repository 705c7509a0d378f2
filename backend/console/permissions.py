"""Declared roles: a console resolver states the role it needs, ``requires_role(StaffRole.X)``."""

from __future__ import annotations

import functools
from typing import Any

from graphql import GraphQLError
from strawberry.permission import BasePermission

from backend.i18n import translate
from backend.models.enums import StaffRole
from backend.services.errors import ErrorCode
from backend.services.staff import role_allows


@functools.cache
def requires_role(role: StaffRole) -> type[BasePermission]:
    """A permission class for console fields: refuses a request without a staff session
    (``NOT_AUTHENTICATED``), with a session that has not passed the second factor
    (``SECOND_FACTOR_REQUIRED``) or of a member whose role is below ``role`` (``ROLE_REQUIRED``,
    the message naming both roles), in the request's language. E.g.
    ``@mutation(description=..., permission_classes=[requires_role(StaffRole.SUPERVISOR)])``."""

    class RequiresRole(BasePermission):
        message = "ROLE_REQUIRED"

        def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
            context = info.context
            language = context.language
            auth = context.auth
            params: dict[str, str] = {}
            if auth is None:
                code = ErrorCode.NOT_AUTHENTICATED
            elif not auth.verified:
                code = ErrorCode.SECOND_FACTOR_REQUIRED
            elif role_allows(auth.staff.role, role):
                return True
            else:
                code = ErrorCode.ROLE_REQUIRED
                params = {"role": role.value, "current": auth.staff.role.value}
            raise GraphQLError(
                translate(code, language, **params), extensions={"code": code.value, **params}
            )

    RequiresRole.__name__ = RequiresRole.__qualname__ = f"Requires_{role.name}"
    return RequiresRole
