"""Assertions on the domain's expected failures."""

from __future__ import annotations

from collections.abc import Awaitable

import pytest

from backend.services.errors import DomainError


async def domain_error(coro: Awaitable[object]) -> DomainError:
    """Awaits ``coro``, which must raise a ``DomainError``, and returns that error (fails the
    test when it returns or raises anything else)."""
    with pytest.raises(DomainError) as caught:
        await coro
    return caught.value
