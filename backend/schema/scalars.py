"""Shared value types: ``Money`` (and the ISO date/time scalars Strawberry already provides:
``Date`` as YYYY-MM-DD, a Warsaw calendar day (``backend.clock``), described so in the schema by
``SCALAR_OVERRIDES``; ``DateTime`` as ISO 8601 with the UTC offset)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date

import strawberry
from strawberry.schema.types.base_scalars import DateDefinition
from strawberry.types.scalar import ScalarDefinition

from backend.schema.context import Info
from backend.services.money import CURRENCY, decimal_string, format_money

SCALAR_OVERRIDES: Mapping[object, ScalarDefinition] = {
    date: dataclasses.replace(
        DateDefinition,
        description=(
            "A calendar day, YYYY-MM-DD: the operator's day in Europe/Warsaw (not a UTC date), "
            "e.g. an invoice due 2026-12-01 is overdue from 00:00 on 2 December, Warsaw time."
        ),
    )
}
"""Strawberry's ``Date`` (same parsing and ISO output) with a description that says whose day
it is; passed to ``strawberry.Schema(scalar_overrides=...)``."""


@strawberry.type(description="An amount of money (stored exactly, in minor units).")
class Money:
    minor: strawberry.Private[int]
    currency: str = strawberry.field(description="ISO 4217 code, e.g. PLN.")

    @classmethod
    def of(cls, minor: int, currency: str = CURRENCY) -> Money:
        return cls(minor=minor, currency=currency)

    @strawberry.field(description='Decimal string with two places, e.g. "49.99" or "-5.00".')
    def amount(self) -> str:
        return decimal_string(self.minor)

    @strawberry.field(description="Minor units (grosze) as an integer, e.g. 4999.")
    def minor_units(self) -> int:
        return self.minor

    @strawberry.field(description='For display in the request language: "49,99 zł" or "PLN 49.99".')
    def formatted(self, info: Info) -> str:
        return format_money(self.minor, self.currency, info.context.language)
