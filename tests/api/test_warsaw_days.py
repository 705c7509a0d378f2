"""Calendar days are Warsaw calendar days (``Europe/Warsaw``), not UTC dates, through the API:
quotes and pro-rata, added packages, due dates and overdue, the next charge, contract days left,
the payment day on the invoice PDF, in winter (CET, UTC+1) and summer (CEST, UTC+2) time, just before and just after local midnight.
Values from issue 11, item 2."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from backend import demo
from backend.clock import OPERATOR_ZONE, clock, day_of
from backend.config import Settings
from backend.demo.catalogue import TITLES
from backend.models import Invoice, Subscription, Title
from backend.models.enums import InvoiceStatus, PackageKind, TitleKind
from backend.schema.relay import to_global_id
from tests.factories import (
    login_as,
    make_contract,
    make_customer,
    make_invoice,
    make_package,
    make_service,
    subscribe,
)

QUOTE = """
query($s: ID!, $p: ID!) {
  packageQuote(serviceId: $s, packageId: $p) {
    quote { effectiveOn billingPeriodEnd nextInvoiceOn proratedAmount { amount } }
    errors { code }
  }
}"""
ADD = """
mutation($input: AddPackageInput!) {
  addPackage(input: $input) {
    subscription { startsOn }
    quote { effectiveOn billingPeriodEnd nextInvoiceOn proratedAmount { amount } }
    errors { code }
  }
}"""
INVOICES = """{ viewer {
  invoices { nodes { number dueOn overdue daysOverdue } }
  overdue: invoices(status: OVERDUE) { nodes { number } }
  upcomingPayments { overdueCount nextCharge { issuedOn dueOn periodStart periodEnd } } } }"""


def utc(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


async def _quote_and_add(gql: Any, client: httpx.AsyncClient, settings: Settings) -> Any:
    """A 9.99 zł add-on quoted, then added, on a service with a base package; both answers."""
    customer = await make_customer(settings)
    service = await make_service(customer)
    await subscribe(service, await make_package(monthly_price=5000))
    addon = await make_package(kind=PackageKind.ADDON, monthly_price=999, name="Kino")
    await login_as(client, settings, customer)
    ids = {"s": to_global_id("Service", service.id), "p": to_global_id("Package", addon.id)}
    quoted = (await gql(QUOTE, ids))["packageQuote"]
    added = (await gql(ADD, {"input": {"serviceId": ids["s"], "packageId": ids["p"]}}))[
        "addPackage"
    ]
    assert quoted["errors"] == [] and added["errors"] == []
    assert added["quote"] == quoted["quote"]
    return quoted["quote"], added["subscription"]


@pytest.mark.parametrize(
    ("instant", "effective", "period_end", "prorated", "next_invoice"),
    [
        # Issue 11: 00:30 on 1 December in Warsaw is December, a whole month of 9.99 zł.
        (utc(2026, 11, 30, 23, 30), "2026-12-01", "2026-12-31", "9.99", "2027-01-01"),
        (utc(2026, 11, 30, 23, 0), "2026-12-01", "2026-12-31", "9.99", "2027-01-01"),
        # A second before Warsaw midnight it is still 30 November: 1/30 of 9.99 zł.
        (utc(2026, 11, 30, 22, 59, 59), "2026-11-30", "2026-11-30", "0.33", "2026-12-01"),
        # Summer time: 00:30 on 1 July in Warsaw is 22:30Z on 30 June.
        (utc(2026, 6, 30, 22, 30), "2026-07-01", "2026-07-31", "9.99", "2026-08-01"),
        (utc(2026, 6, 30, 21, 59, 59), "2026-06-30", "2026-06-30", "0.33", "2026-07-01"),
    ],
)
async def test_quote_and_added_package_start_on_the_warsaw_day(
    gql: Any,
    client: httpx.AsyncClient,
    settings: Settings,
    instant: datetime,
    effective: str,
    period_end: str,
    prorated: str,
    next_invoice: str,
) -> None:
    clock.travel_to(instant)
    quote, subscription = await _quote_and_add(gql, client, settings)
    assert quote == {
        "effectiveOn": effective,
        "billingPeriodEnd": period_end,
        "nextInvoiceOn": next_invoice,
        "proratedAmount": {"amount": prorated},
    }
    assert subscription == {"startsOn": effective}


@pytest.mark.parametrize(
    ("instant", "overdue", "days"),
    [
        (utc(2026, 12, 1, 22, 59, 59), False, 0),  # 23:59:59 on the due day in Warsaw
        (utc(2026, 12, 1, 23, 0), True, 1),  # Warsaw midnight: the due day has passed
        (utc(2026, 12, 1, 23, 30), True, 1),  # issue 11: 00:30 on 2 December
        (utc(2026, 12, 2, 23, 30), True, 2),
    ],
)
async def test_overdue_from_the_warsaw_day(
    gql: Any,
    client: httpx.AsyncClient,
    settings: Settings,
    instant: datetime,
    overdue: bool,
    days: int,
) -> None:
    customer = await make_customer(settings)
    invoice = await make_invoice(customer, due_on=date(2026, 12, 1))
    clock.travel_to(instant)
    await login_as(client, settings, customer)
    viewer = (await gql(INVOICES))["viewer"]
    assert viewer["invoices"]["nodes"] == [
        {"number": invoice.number, "dueOn": "2026-12-01", "overdue": overdue, "daysOverdue": days}
    ]
    assert viewer["overdue"]["nodes"] == ([{"number": invoice.number}] if overdue else [])
    assert viewer["upcomingPayments"]["overdueCount"] == (1 if overdue else 0)


async def test_summer_overdue_and_next_charge(
    gql: Any, client: httpx.AsyncClient, settings: Settings
) -> None:
    clock.travel_to(utc(2026, 6, 15, 10))
    customer = await make_customer(settings)
    await subscribe(await make_service(customer), await make_package(monthly_price=5000))
    invoice = await make_invoice(customer, due_on=date(2026, 6, 30))
    clock.travel_to(utc(2026, 6, 30, 21, 59))  # 23:59 on 30 June in Warsaw
    await login_as(client, settings, customer)
    viewer = (await gql(INVOICES))["viewer"]
    assert viewer["invoices"]["nodes"][0]["overdue"] is False
    assert viewer["upcomingPayments"]["nextCharge"] == {
        "issuedOn": "2026-07-01",
        "dueOn": "2026-07-15",
        "periodStart": "2026-07-01",
        "periodEnd": "2026-07-31",
    }
    clock.travel_to(utc(2026, 6, 30, 22, 30))  # 00:30 on 1 July
    await login_as(client, settings, customer)
    viewer = (await gql(INVOICES))["viewer"]
    assert viewer["invoices"]["nodes"][0] == {
        "number": invoice.number,
        "dueOn": "2026-06-30",
        "overdue": True,
        "daysOverdue": 1,
    }
    assert viewer["upcomingPayments"]["nextCharge"] == {
        "issuedOn": "2026-08-01",
        "dueOn": "2026-08-15",
        "periodStart": "2026-08-01",
        "periodEnd": "2026-08-31",
    }


async def test_contract_days_left_count_warsaw_days(
    gql: Any, client: httpx.AsyncClient, settings: Settings
) -> None:
    customer = await make_customer(settings)
    await make_contract(customer, ends_on=date(2026, 12, 31))
    query = "{ viewer { contracts { daysRemaining } } }"
    clock.travel_to(utc(2026, 11, 30, 22, 59))  # 23:59 on 30 November in Warsaw
    await login_as(client, settings, customer)
    assert (await gql(query))["viewer"]["contracts"] == [{"daysRemaining": 31}]
    clock.travel_to(utc(2026, 11, 30, 23, 30))  # 00:30 on 1 December
    await login_as(client, settings, customer)
    assert (await gql(query))["viewer"]["contracts"] == [{"daysRemaining": 30}]


async def test_invoice_pdf_gives_the_warsaw_day_of_payment(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    clock.travel_to(utc(2026, 11, 30, 23, 30))  # paid at 00:30 on 1 December in Warsaw
    customer = await make_customer(settings)
    invoice = await make_invoice(customer, status=InvoiceStatus.PAID)
    await login_as(client, settings, customer)
    response = await client.get(f"/invoices/{to_global_id('Invoice', invoice.id)}.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Zapłacono dnia 01.12.2026" in text


MESSAGES = "{ viewer { messages(first: 5) { nodes { body } } } }"
CANCEL = """mutation($input: CancelPackageInput!) {
  cancelPackage(input: $input) { errors { code } } }"""


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            [
                "od 1 grudnia 2026",
                "do 31 grudnia 2026 doliczymy 9,99",
                "faktura (1 stycznia 2027)",
                "będzie aktywny do 31 grudnia 2026 włącznie",
            ],
        ),
        (
            "en",
            [
                "from 1 December 2026",
                "until 31 December 2026 we add PLN 9.99",
                "Next invoice (1 January 2027)",
                "stays active until 31 December 2026 inclusive",
            ],
        ),
    ],
)
async def test_package_notices_give_warsaw_days_in_words(
    gql: Any, client: httpx.AsyncClient, settings: Settings, language: str, expected: list[str]
) -> None:
    """The messages about adding and cancelling a package write the Warsaw days as the
    customer's language does (Babel), not as ISO dates or UTC days."""
    clock.travel_to(utc(2026, 11, 30, 23, 30))
    customer = await make_customer(settings, language=language)
    service = await make_service(customer)
    await subscribe(service, await make_package(monthly_price=5000))
    addon = await make_package(kind=PackageKind.ADDON, monthly_price=999, name="Kino")
    await login_as(client, settings, customer)
    added = await gql(
        ADD,
        {
            "input": {
                "serviceId": to_global_id("Service", service.id),
                "packageId": to_global_id("Package", addon.id),
            }
        },
    )
    assert added["addPackage"]["errors"] == []
    subscription = await Subscription.get(package_id=addon.id)
    cancelled = await gql(
        CANCEL, {"input": {"subscriptionId": to_global_id("PackageSubscription", subscription.id)}}
    )
    assert cancelled["cancelPackage"] == {"errors": []}
    bodies = " ".join(
        n["body"].replace("\N{NO-BREAK SPACE}", " ")
        for n in (await gql(MESSAGES))["viewer"]["messages"]["nodes"]
    )
    for text in expected:
        assert text in bodies


@pytest.mark.parametrize("instant", [utc(2026, 11, 30, 23, 30), utc(2026, 6, 30, 22, 30)])
async def test_demo_seeded_just_after_warsaw_midnight(
    db: str, settings: Settings, instant: datetime
) -> None:
    """Seeded at 00:30 on the 1st in Warsaw, the demo's newest invoice is for the month that
    has just ended there, and its PPV events start at their Warsaw evening hour."""
    clock.travel_to(instant)
    await demo.seed_demo(settings)
    first = day_of(instant)
    newest = await Invoice.all().order_by("-issued_on").first()
    assert newest is not None and first.day == 1
    assert newest.issued_on == first
    assert newest.period_end == first - timedelta(days=1)
    events = [t for t in await Title.filter(kind=TitleKind.PPV) if t.event_starts_at]
    hours = {spec.name: spec.starts_at_hour for spec in TITLES}
    assert events
    for title in events:
        assert title.event_starts_at is not None
        assert title.event_starts_at.astimezone(OPERATOR_ZONE).hour == hours[title.name]
