"""The test clock: frozen at ``FROZEN_AT``, moved only by ``clock.advance``, in agreement with the
timestamps the ORM writes by itself; real time where a test keeps it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from backend.clock import clock
from backend.models import Customer
from tests.conftest import FROZEN_AT
from tests.factories import make_customer


def test_time_stands_still_until_advanced() -> None:
    assert clock.now() == FROZEN_AT
    time.sleep(0.01)  # real time passes, the clock does not
    assert clock.now() == FROZEN_AT
    clock.advance(minutes=11, seconds=0.5)
    assert clock.now() == FROZEN_AT + timedelta(minutes=11, seconds=0.5)
    assert clock.today() == FROZEN_AT.date()


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
