"""Who is asking, for service calls a test makes directly (the API builds its own per request)."""

from __future__ import annotations

from backend.models.enums import Language
from backend.services.request import RequestMeta


def make_meta(
    *, ip: str = "192.0.2.10", user_agent: str = "pytest", language: Language = Language.PL
) -> RequestMeta:
    return RequestMeta(ip=ip, user_agent=user_agent, language=language)
