"""One counter per kind of identifier, so that rows made in one test session never collide on a
unique column (invoice numbers, package codes, serial numbers, customer numbers...)."""

from __future__ import annotations

import itertools
from collections.abc import Callable


def sequence(template: str, *, start: int = 1, step: int = 1) -> Callable[[], str]:
    """A function returning ``template.format(n)`` for n = start, start + step, ... (one counter
    per call of ``sequence``, i.e. per kind of identifier)."""
    counter = itertools.count(start, step)
    return lambda: template.format(next(counter))


def numbers() -> Callable[[], int]:
    """A function returning 1, 2, 3, ... (for values derived from a number, e.g. a PESEL)."""
    counter = itertools.count(1)
    return lambda: next(counter)


customer_number = sequence("T{:07d}")
contract_number = sequence("UM/{:06d}")
invoice_number = sequence("FV/{:05d}/2026")
package_code = sequence("PKG{}")
device_serial = sequence("SN{:08d}")
channel_name = sequence("Kanał {}")
title_name = sequence("Film {}")
message_subject = sequence("Komunikat {}")
idempotency_key = sequence("key-{}")
email_address = sequence("customer{}@example.com")
api_key_name = sequence("bss-{}")
card_number = sequence("{:012d}", start=100000000000 + 7919, step=7919)  # satellite card
phone_number = sequence("{:09d}", start=600000000 + 131, step=131)  # mobile/internet line
person = numbers()
position = numbers()
staff_number = numbers()
complaint_number = numbers()
