"""Rate-limit windows: of a fixed length from the first attempt, or ending at a given instant
(a limit per Warsaw calendar day ends at local midnight)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from backend.clock import clock, start_of
from backend.services import ratelimit


async def test_a_window_until_an_instant(db) -> None:
    clock.travel_to(datetime(2026, 6, 30, 21, 0, tzinfo=UTC))  # 23:00 CEST
    midnight = start_of(date(2026, 7, 1))
    first = await ratelimit.hit("k", limit=1, until=midnight)
    assert first.allowed and first.retry_at == midnight
    clock.advance(minutes=30)
    second = await ratelimit.hit("k", limit=1, until=midnight)
    assert not second.allowed and second.retry_at == midnight and second.retry_minutes == 30
    clock.travel_to(midnight)
    assert (await ratelimit.hit("k", limit=1, until=start_of(date(2026, 7, 2)))).allowed


async def test_one_kind_of_window(db) -> None:
    with pytest.raises(TypeError):
        await ratelimit.hit("k", limit=1)
    with pytest.raises(TypeError):
        await ratelimit.hit("k", limit=1, window=timedelta(hours=1), until=clock.now())
