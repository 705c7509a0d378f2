"""The typed request context of the operator schema's resolvers (``info.context``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from backend.config import Settings
from backend.models.enums import Language
from backend.services.feed import Writer
from backend.services.operator_keys import OperatorKey
from backend.services.request import RequestMeta


@dataclass
class OperatorContext:
    request: Request
    response: Response
    settings: Settings
    key: OperatorKey
    """The API key the request was authenticated with (every request to the operator API has
    one: the endpoint answers 401 before the schema runs otherwise). Audit writes with its name."""
    meta: RequestMeta
    """Who is asking (address, user agent, language): pass it to services that audit or notify."""
    # Per-request caches (DataLoaders and the like), keyed by name.
    loaders: dict[str, Any] = field(default_factory=dict)

    @property
    def writer(self) -> Writer:
        """Who writes, for the feed and the audit trail: ``key:<the API key's name>``."""
        return Writer(f"key:{self.key.name}", self.meta)

    @property
    def language(self) -> Language:
        """The language of messages (``Accept-Language``, Polish by default)."""
        return self.meta.language


OperatorInfo: TypeAlias = strawberry.Info[OperatorContext, None]
