"""Operator API keys, made through the real service (the key itself is known only then)."""

from __future__ import annotations

from dataclasses import dataclass

from backend.models.operator import ApiKey
from backend.services import operator_keys
from backend.services.operator_keys import Scope
from tests.factories.sequences import api_key_name


@dataclass(frozen=True)
class OperatorKeyMade:
    row: ApiKey
    key: str
    """The key itself, e.g. for ``Authorization: Bearer <key>``."""

    @property
    def headers(self) -> dict[str, str]:
        """The request headers that authenticate with this key."""
        return {"Authorization": f"Bearer {self.key}"}


async def make_api_key(*scopes: Scope, name: str | None = None) -> OperatorKeyMade:
    """A new operator API key granting ``scopes`` (every scope when none are given)."""
    row, key = await operator_keys.create_key(name or api_key_name(), list(scopes or Scope))
    return OperatorKeyMade(row=row, key=key)
