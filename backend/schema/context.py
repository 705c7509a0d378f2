"""The typed request context every resolver receives (``info.context``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from backend.config import Settings
from backend.models.enums import Language
from backend.services.errors import DomainError, ErrorCode
from backend.services.request import RequestMeta
from backend.services.sessions import ActiveSession

SESSION_COOKIE = "icok_session"
BACKGROUND_HEADER = "x-icok-background"


@dataclass
class Context:
    request: Request
    response: Response
    settings: Settings
    meta: RequestMeta
    """Who is asking (address, user agent, language): pass it to services that audit or notify."""
    auth: ActiveSession | None = None
    background: bool = False
    # Per-request caches (DataLoaders and the like), keyed by name.
    loaders: dict[str, Any] = field(default_factory=dict)

    @property
    def language(self) -> Language:
        return self.meta.language

    @property
    def customer_id(self) -> int | None:
        """The logged-in customer, or None (fields that may be anonymous)."""
        return self.auth.customer_id if self.auth else None

    def require_auth(self) -> ActiveSession:
        """The session of a logged-in request: the one way resolvers behind ``IsAuthenticated``
        reach the customer (``require_auth().customer_id``). Raises ``DomainError``
        (``NOT_AUTHENTICATED``) if there is none, which the permission has already ruled out."""
        if self.auth is None:
            raise DomainError(ErrorCode.NOT_AUTHENTICATED)
        return self.auth

    @property
    def viewer_id(self) -> int:
        """``require_auth().customer_id``: the logged-in customer's id."""
        return self.require_auth().customer_id

    def set_session_cookie(self, token: str) -> None:
        self.response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=self.settings.session_max_seconds,
            httponly=True,
            secure=self.settings.secure_cookies,
            samesite="strict",
            path="/",
        )

    def clear_session_cookie(self) -> None:
        self.response.delete_cookie(
            SESSION_COOKIE,
            httponly=True,
            secure=self.settings.secure_cookies,
            samesite="strict",
            path="/",
        )


Info: TypeAlias = strawberry.Info[Context, None]
