"""The test clock: frozen at ``FROZEN_AT``, moved only by ``clock.advance``/``travel_to``, in
agreement with the timestamps the ORM writes by itself; real time where a test keeps it. Its
days are Warsaw calendar days, in winter and summer time."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from backend.clock import at_local, clock, day_of, start_of
from backend.models import Customer
from tests.conftest import FROZEN_AT
from tests.factories import make_customer


def test_time_stands_still_until_advanced() -> None:
    assert clock.now() == FROZEN_AT
    time.sleep(0.01)  # real time passes, the clock does not
    assert clock.now() == FROZEN_AT
    clock.advance(minutes=11, seconds=0.5)
    assert clock.now() == FROZEN_AT + timedelta(minutes=11, seconds=0.5)
    assert clock.today() == date(2026, 11, 18)  # 10:11 in Warsaw


async def test_orm_timestamps_agree_with_the_clock(db, settings) -> None:
    customer = await make_customer(settings)
    assert customer.created_at == customer.updated_at == FROZEN_AT  # auto_now_add, auto_now
    clock.advance(hours=2)
    customer.first_name = "Ewa"
    await customer.save()
    stored = await Customer.get(id=customer.id)
    assert stored.created_at == FROZEN_AT
    assert stored.updated_at == FROZEN_AT + timedelta(hours=2)


@pytest.mark.real_time
def test_real_time_cannot_be_moved() -> None:
    assert abs(clock.now().timestamp() - time.time()) < 60
    with pytest.raises(RuntimeError, match="real time"):
        clock.advance(seconds=1)


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        # Winter (CET, UTC+1): the Warsaw day turns at 23:00Z.
        (datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC), date(2026, 11, 30)),
        (datetime(2026, 11, 30, 23, 0, tzinfo=UTC), date(2026, 12, 1)),
        (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), date(2026, 12, 1)),
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2027, 1, 1)),
        # Summer (CEST, UTC+2): at 22:00Z.
        (datetime(2026, 6, 30, 21, 59, 59, tzinfo=UTC), date(2026, 6, 30)),
        (datetime(2026, 6, 30, 22, 0, tzinfo=UTC), date(2026, 7, 1)),
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), date(2026, 7, 1)),
    ],
)
def test_today_is_the_warsaw_calendar_day(instant: datetime, day: date) -> None:
    clock.travel_to(instant)
    assert clock.now() == instant
    assert clock.today() == day == day_of(instant)


def test_warsaw_midnight_and_wall_clock_instants() -> None:
    assert start_of(date(2026, 12, 1)) == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert start_of(date(2026, 7, 1)) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    # The days of the changes of offset (29 March and 25 October 2026) begin at local midnight.
    assert start_of(date(2026, 3, 29)) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert start_of(date(2026, 3, 30)) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert start_of(date(2026, 10, 25)) == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert start_of(date(2026, 10, 26)) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert at_local(date(2026, 12, 24), 19) == datetime(2026, 12, 24, 18, 0, tzinfo=UTC)
    assert at_local(date(2026, 7, 4), 19, 30) == datetime(2026, 7, 4, 17, 30, tzinfo=UTC)
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 12, 1)):
        assert day_of(start_of(day)) == day
        assert day_of(start_of(day) - timedelta(microseconds=1)) == day - timedelta(days=1)
    with pytest.raises(ValueError, match="naive"):
        day_of(datetime(2026, 12, 1, 0, 30))


def test_travel_to_goes_back_and_forth() -> None:
    clock.travel_to(datetime(2026, 6, 30, 22, 30, tzinfo=UTC))  # before FROZEN_AT
    assert clock.now() == datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    clock.travel_to(FROZEN_AT + timedelta(days=3))
    assert clock.now() == FROZEN_AT + timedelta(days=3)
