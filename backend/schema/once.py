"""At most one password scoring per GraphQL request.

Scoring a password (zxcvbn, with the customer's own data) costs up to ~0.1 s of CPU, so a
request of thirty aliases of ``passwordStrength`` (or of ``register``) cost seconds. Every field
that scores a password (the ``passwordStrength`` query; ``register``, ``resetPassword``,
``changePassword``; the console's ``staffChangeInitialPassword`` and ``changeStaffPassword``)
claims the request's one scoring first; a second such field in the same request is refused
with ``ONE_PASSWORD_PER_REQUEST`` before any work (a query's field as a coded GraphQL error,
a mutation in its payload's ``errors``). The SPA never sends two in one request.
"""

from __future__ import annotations

from typing import Any, Protocol

from backend.services.errors import DomainError, ErrorCode

_CLAIMED = "once:password"
"""The key marking the claim among the request context's per-request ``loaders``."""


class _RequestContext(Protocol):
    loaders: dict[str, Any]
    """Per-request state of the customer, operator and console contexts."""


def claim_password_scoring(context: _RequestContext) -> None:
    """Claim the request's one password scoring; ``ONE_PASSWORD_PER_REQUEST`` (no field) when
    another field of the request claimed it. Call it before any ``await``: sibling query fields
    run concurrently, and the claim is exact only while no other task can run in between."""
    if context.loaders.get(_CLAIMED):
        raise DomainError(ErrorCode.ONE_PASSWORD_PER_REQUEST)
    context.loaders[_CLAIMED] = True
