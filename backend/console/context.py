"""The typed request context of the console schema's resolvers (``info.context``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from backend.config import Settings
from backend.models import StaffMember
from backend.models.enums import Language
from backend.services.errors import DomainError, ErrorCode
from backend.services.feed import Writer
from backend.services.request import RequestMeta
from backend.services.staff import StaffAuth

STAFF_COOKIE = "icok_staff"
"""The console's session cookie (path ``/console``, HttpOnly, SameSite=Strict)."""


@dataclass
class ConsoleContext:
    request: Request
    response: Response
    settings: Settings
    meta: RequestMeta
    """Who is asking (address, user agent, language): pass it to services that audit or notify."""
    auth: StaffAuth | None = None
    """The staff session the request came with (None: not logged in). It may have passed the
    password only (``auth.verified`` False): permission classes refuse such a session."""
    customer_id: int | None = None
    """The one customer whose graph this request reads (set by the ``customer`` query,
    :mod:`backend.console.customers`): the customer schema's types and loaders, reused by the
    console, read it as they read the logged-in customer's id."""
    # Per-request caches (DataLoaders and the like), keyed by name.
    loaders: dict[str, Any] = field(default_factory=dict)

    @property
    def staff(self) -> StaffMember:
        """The logged-in, verified staff member; ``NOT_AUTHENTICATED`` /
        ``SECOND_FACTOR_REQUIRED`` otherwise (resolvers behind ``requires_role`` always have one)."""
        if self.auth is None:
            raise DomainError(ErrorCode.NOT_AUTHENTICATED)
        if not self.auth.verified:
            raise DomainError(ErrorCode.SECOND_FACTOR_REQUIRED)
        return self.auth.staff

    @property
    def writer(self) -> Writer:
        """Who writes, for the feed and the audit trail: ``staff:<id>:<name>``."""
        if self.auth is None:
            raise DomainError(ErrorCode.NOT_AUTHENTICATED)
        return Writer(self.auth.writer(), self.meta)

    @property
    def language(self) -> Language:
        return self.meta.language


ConsoleInfo: TypeAlias = strawberry.Info[ConsoleContext, None]
