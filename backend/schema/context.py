"""The typed request context every resolver receives (``info.context``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from backend.config import Settings
from backend.models.enums import Language
from backend.services.sessions import ActiveSession

SESSION_COOKIE = "icok_session"
BACKGROUND_HEADER = "x-icok-background"


@dataclass
class Context:
    request: Request
    response: Response
    settings: Settings
    language: Language
    ip: str
    user_agent: str
    auth: ActiveSession | None = None
    background: bool = False
    # Per-request caches (DataLoaders and the like), keyed by name.
    loaders: dict[str, Any] = field(default_factory=dict)

    @property
    def customer_id(self) -> int | None:
        return self.auth.customer_id if self.auth else None

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
