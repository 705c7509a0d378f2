"""VAT of an invoice priced in gross amounts (services.billing.vat_summary), pure functions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from backend.services.billing import RateTotal, invoice_totals, vat_from_gross, vat_summary


@dataclass
class _Line:
    vat_rate: int
    gross: int


@pytest.mark.parametrize(
    ("gross", "rate", "vat"),
    [
        (13131, 23, 2455),  # 2455.17
        (12300, 23, 2300),
        (1, 23, 0),  # 0.187 grosz dropped
        (3, 23, 1),  # 0.561 grosz up
        (10800, 8, 800),
        (-13131, 23, -2455),  # a correction rounds like the invoice it corrects
        (0, 23, 0),
        (999, 0, 0),
    ],
)
def test_vat_from_gross_rounds_to_full_grosze(gross: int, rate: int, vat: int) -> None:
    assert vat_from_gross(gross, rate) == vat


def test_summary_computes_each_rate_once_from_its_gross_total() -> None:
    lines = [_Line(23, 8999), _Line(8, 1999), _Line(23, 2999), _Line(23, 800), _Line(23, 333)]
    summary = vat_summary(lines)
    assert summary == [
        RateTotal(rate=8, net=1851, vat=148, gross=1999),
        RateTotal(rate=23, net=10676, vat=2455, gross=13131),
    ]
    assert sum(vat_from_gross(line.gross, 23) for line in lines if line.vat_rate == 23) == 2456
    assert invoice_totals(summary) == (12527, 2603, 15130)
    assert vat_summary([]) == [] and invoice_totals([]) == (0, 0, 0)
