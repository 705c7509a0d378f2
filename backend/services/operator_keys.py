"""The operator's API keys: creating, listing and revoking them, and recognising one on a request.

A key is ``icok_op_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 (hex)
is stored, with its first :data:`PREFIX_LENGTH` characters to tell keys apart in listings; the
key itself is shown once, by :func:`create_key`'s caller. Each key carries the :class:`Scope` s
it grants; the operator API refuses what a key's scopes do not cover.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from backend.clock import now
from backend.models.operator import ApiKey
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.text import check_text, displayable

KEY_PREFIX = "icok_op_"
PREFIX_LENGTH = 12
"""Characters of a key kept in clear (``icok_op_`` and four random ones), to recognise it."""
NAME_LIMIT = 64
MAX_KEY_LENGTH = 128
"""Longer input is refused before it is hashed (a key is 51 characters)."""
LAST_USED_PRECISION = timedelta(minutes=1)
"""``last_used_at`` is written at most once per this interval per key, not on every request."""
_KEY_SHAPE = re.compile(re.escape(KEY_PREFIX) + r"[A-Za-z0-9_-]{43}")


class Scope(StrEnum):
    """What a key may do through the operator API (the values are what the CLI takes)."""

    CATALOG_WRITE = "catalog:write"
    CUSTOMERS_WRITE = "customers:write"
    BILLING_WRITE = "billing:write"
    USAGE_WRITE = "usage:write"
    MESSAGES_WRITE = "messages:write"
    CONTACT_WRITE = "contact:write"
    EVENTS_READ = "events:read"
    PROVISIONING_WRITE = "provisioning:write"


@dataclass(frozen=True)
class OperatorKey:
    """The key a request was authenticated with: its row id, name and granted scopes."""

    id: int
    name: str
    scopes: frozenset[Scope]


def hash_key(raw_key: str) -> str:
    """The SHA-256 of ``raw_key`` (UTF-8) as 64 lowercase hex digits, as stored in ``key_hash``."""
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def stored_scopes(row: ApiKey) -> frozenset[Scope]:
    """The scopes a stored key grants (a value no longer known to the code grants nothing)."""
    known = {scope.value: scope for scope in Scope}
    return frozenset(known[value] for value in row.scopes.split() if value in known)


def scope_list(scopes: Iterable[Scope]) -> list[Scope]:
    """``scopes`` in the order :class:`Scope` declares them, for listings and the API."""
    granted = set(scopes)
    return [scope for scope in Scope if scope in granted]


def _parse_scopes(errors: Collector, values: Iterable[str]) -> list[Scope]:
    """The known scopes among ``values``, adding ``REQUIRED`` (none given) or ``UNKNOWN_SCOPE``
    (params ``scope``: the first unknown value, shown safely, cut to 40 characters, and
    ``known``: every scope) for field ``scopes`` to ``errors``."""
    given = list(values)
    if not given:
        errors.add(ErrorCode.REQUIRED, "scopes")
        return []
    known = {scope.value: scope for scope in Scope}
    for value in given:
        if value not in known:
            errors.add(
                ErrorCode.UNKNOWN_SCOPE,
                "scopes",
                scope=displayable(value[:40]),
                known=", ".join(Scope),
            )
            return []
    return scope_list(known[value] for value in given)


async def create_key(name: str, scopes: Iterable[str]) -> tuple[ApiKey, str]:
    """A new key named ``name`` (1–64 characters, trimmed, no control characters) granting
    ``scopes`` (values of :class:`Scope`, at least one; duplicates ignored): the stored row and
    the key itself, which is never stored and cannot be shown again.

    Raises ``ValidationErrors`` for a bad ``name`` (``REQUIRED``, ``TOO_LONG``,
    ``FORBIDDEN_CHARACTER``, ``INVALID``) or ``scopes`` (``REQUIRED``, ``UNKNOWN_SCOPE``), and
    ``DomainError(API_KEY_NAME_TAKEN, "name")`` when a key (even a revoked one) has that name."""
    errors = Collector()
    name = check_text(errors, name, "name", NAME_LIMIT, required=True)
    granted = _parse_scopes(errors, scopes)
    errors.raise_if_any()
    taken = DomainError(ErrorCode.API_KEY_NAME_TAKEN, "name", {"name": name})
    if await ApiKey.filter(name=name).exists():
        raise taken
    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    try:
        row = await ApiKey.create(
            name=name,
            prefix=raw_key[:PREFIX_LENGTH],
            key_hash=hash_key(raw_key),
            scopes=" ".join(granted),
            created_at=now(),
        )
    except IntegrityError:  # the same name created at the same moment by another process
        raise taken from None
    return row, raw_key


async def list_keys() -> list[ApiKey]:
    """Every key, revoked ones too, by name."""
    return await ApiKey.all().order_by("name")


def _is_name(name: str) -> bool:
    """True when ``name`` is in the form :func:`create_key` stores names (so it may be looked up
    on every database: no NUL, no half surrogate pair)."""
    errors = Collector()
    return check_text(errors, name, "name", NAME_LIMIT, required=True) == name and not errors.errors


async def revoke_key(name: str) -> ApiKey:
    """Revokes the key named ``name`` at once (requests with it get 401 from now on) and returns
    it. Revoking a revoked key changes nothing (it keeps its first ``revoked_at``).

    Raises ``DomainError(NOT_FOUND, "name")`` when no key has that name."""
    row = await ApiKey.get_or_none(name=name) if _is_name(name) else None
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "name")
    await ApiKey.filter(id=row.id, revoked_at=None).update(revoked_at=now())
    await row.refresh_from_db()
    return row


async def authenticate(raw_key: str | None) -> OperatorKey | None:
    """The unrevoked key ``raw_key`` is, or None (missing, malformed, over-long, unknown or
    revoked: the caller cannot tell which). Records when the key was last used, at most once per
    :data:`LAST_USED_PRECISION` (a conditional UPDATE, so concurrent requests write once)."""
    if not raw_key or len(raw_key) > MAX_KEY_LENGTH or not _KEY_SHAPE.fullmatch(raw_key):
        return None
    row = await ApiKey.get_or_none(key_hash=hash_key(raw_key), revoked_at=None)
    if row is None:
        return None
    at = now()
    stale = at - LAST_USED_PRECISION
    if row.last_used_at is None or row.last_used_at <= stale:
        await (
            ApiKey.filter(id=row.id)
            .filter(Q(last_used_at=None) | Q(last_used_at__lte=stale))
            .update(last_used_at=at)
        )
    return OperatorKey(id=row.id, name=row.name, scopes=stored_scopes(row))


def has_scope(key: OperatorKey, scope: Scope) -> bool:
    """True when ``key`` grants ``scope``."""
    return scope in key.scopes
