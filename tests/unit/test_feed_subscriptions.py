"""The operator feed's subscriptions: keyed by service, package and start day; created,
unchanged, updated, the package's price by default, every bad input, a dry run, what the
customer then sees, and the statements a batch costs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from backend.models import Customer, Package, Subscription
from backend.models.enums import ServiceKind
from backend.services import subscriptions
from backend.services.errors import ErrorCode
from backend.services.feed import FeedRun, apply_batch, kinds
from tests.factories import login_as, make_package
from tests.statements import count_statements
from tests.unit.feed_graph import (
    CARD,
    OTHER,
    PHONE,
    contract,
    errors,
    feed,
    feed_graph,
    service,
    statuses,
)
from tests.unit.test_feed_engine import WRITER


@pytest.fixture
async def packages(db, settings) -> dict[str, Package]:
    """The graph of ``feed_graph`` and packages SAT (satellite, 49.99 zł), NET (internet,
    59 zł) and MOB (mobile TV, 15 zł)."""
    await feed_graph(settings)
    return {
        "SAT": await make_package(code="SAT", monthly_price=4999),
        "NET": await make_package(
            code="NET", service_kind=ServiceKind.INTERNET, monthly_price=5900
        ),
        "MOB": await make_package(
            code="MOB", service_kind=ServiceKind.MOBILE_TV, monthly_price=1500
        ),
    }


def subscription(
    identifier: str = CARD, code: str | None = "SAT", starts_on: str = "2025-03-05", **fields: Any
) -> dict[str, Any]:
    item = {"service_identifier": identifier, "package_code": code, "starts_on": starts_on}
    return {**item, **fields}


async def test_subscriptions_created_unchanged_updated_and_shown(
    packages, settings, client, gql
) -> None:
    batch = [
        subscription(),
        subscription("+48 600 100 200", "NET", monthly_price=4900),
        subscription(CARD, "SAT", "2024-01-01", ends_on="2025-03-04"),
    ]
    results = await feed(settings, "subscription", batch)
    assert [(r.key, r.status.value) for r in results] == [
        (f"{CARD}/SAT/2025-03-05", "created"),
        (f"{PHONE}/NET/2025-03-05", "created"),
        (f"{CARD}/SAT/2024-01-01", "created"),
    ]
    assert statuses(await feed(settings, "subscription", batch)) == ["unchanged"] * 3
    current = await Subscription.get(starts_on=date(2025, 3, 5), package=packages["SAT"])
    assert current.monthly_price == 4999 and current.ends_on is None  # the package's price
    assert subscriptions.is_active(current)

    customer = await Customer.get(number="K-1")
    await login_as(client, settings, customer)
    query = """{ viewer { services { identifier subscriptions(includeEnded: true) {
        startsOn endsOn state monthlyPrice { minorUnits } package { code } } } } }"""
    shown = {s["identifier"]: s["subscriptions"] for s in (await gql(query))["viewer"]["services"]}
    assert shown[PHONE] == [
        {
            "startsOn": "2025-03-05",
            "endsOn": None,
            "state": "ACTIVE",
            "monthlyPrice": {"minorUnits": 4900},
            "package": {"code": "NET"},
        }
    ]
    assert [(s["startsOn"], s["state"]) for s in shown[CARD]] == [
        ("2024-01-01", "ENDED"),
        ("2025-03-05", "ACTIVE"),
    ]
    # cancelled at the end of the month; the internet price back to the package's
    batch[0]["ends_on"] = "2026-11-30"
    del batch[1]["monthly_price"]
    assert statuses(await feed(settings, "subscription", batch)) == [
        "updated",
        "updated",
        "unchanged",
    ]
    shown = {s["identifier"]: s["subscriptions"] for s in (await gql(query))["viewer"]["services"]}
    assert shown[CARD][1]["state"] == "ENDING" and shown[CARD][1]["endsOn"] == "2026-11-30"
    assert shown[PHONE][0]["monthlyPrice"] == {"minorUnits": 5900}
    # without a price of its own, the subscription follows the package's
    await Package.filter(code="NET").update(monthly_price=6500)
    assert statuses(await feed(settings, "subscription", batch))[1] == "updated"
    assert (await Subscription.get(package=packages["NET"])).monthly_price == 6500


async def test_bad_subscriptions_are_rejected_alone(packages, settings) -> None:
    batch = [
        subscription(),
        subscription("999888777"),
        subscription(CARD, "NOPE"),
        subscription("999888776", "NOPE"),
        subscription(CARD, "NET"),
        subscription(OTHER, "SAT"),
        subscription(CARD, "SAT", "2025-04-01", ends_on="2025-03-31"),
        subscription(CARD, "SAT", "2025-05-01", monthly_price=-1),
        subscription(CARD, "SAT", "2025-06-01", monthly_price="49.99"),
        subscription(CARD, "SAT", "2025-07-01", monthly_price=2**31),
        subscription(CARD, "SAT", "2025-08-01", monthly_price=49.99),
        subscription("1002 0030 0400", "SAT"),
        subscription(CARD, "SAT", "5.3.2025"),
        subscription(CARD, "S" * 33),
        subscription(CARD, "SA\x00T"),
        subscription(CARD, None),
        subscription(CARD, "SAT", "2025-09-01", promo_price=100),
    ]
    results = await feed(settings, "subscription", batch)
    assert statuses(results) == ["created"] + ["rejected"] * 16
    assert errors(results)[1:] == [
        [(ErrorCode.UNKNOWN_REFERENCE, "service_identifier")],
        [(ErrorCode.UNKNOWN_REFERENCE, "package_code")],
        [
            (ErrorCode.UNKNOWN_REFERENCE, "service_identifier"),
            (ErrorCode.UNKNOWN_REFERENCE, "package_code"),
        ],
        [(ErrorCode.SERVICE_KIND_MISMATCH, "package_code")],
        [(ErrorCode.SERVICE_KIND_MISMATCH, "package_code")],
        [(ErrorCode.ENDS_BEFORE_START, "ends_on")],
        [(ErrorCode.OUT_OF_RANGE, "monthly_price")],
        [(ErrorCode.INVALID, "monthly_price")],
        [(ErrorCode.OUT_OF_RANGE, "monthly_price")],
        [(ErrorCode.INVALID, "monthly_price")],
        [(ErrorCode.DUPLICATE_KEY, None)],  # the same card, written with spaces
        [(ErrorCode.INVALID_DATE, "starts_on")],
        [(ErrorCode.TOO_LONG, "package_code")],
        [(ErrorCode.FORBIDDEN_CHARACTER, "package_code")],
        [(ErrorCode.REQUIRED, "package_code")],
        [(ErrorCode.UNKNOWN_FIELD, "promo_price")],
    ]
    assert results[2].errors[0].params == {"kind": "package", "key": "NOPE"}
    assert results[4].errors[0].params == {
        "package_kind": "INTERNET",
        "service_kind": "SATELLITE_TV",
    }
    assert results[6].errors[0].params == {"start": "2025-04-01"}
    assert await Subscription.all().count() == 1


async def test_dry_run_subscriptions_of_what_the_run_would_create(packages, settings) -> None:
    run = FeedRun(WRITER, dry_run=True)
    package = {
        "code": "NEW",
        "name": "Nowy",
        "kind": "BASE",
        "service_kind": "SATELLITE_TV",
        "monthly_price": 900,
    }
    batches = [
        ("package", [package]),
        ("contract", [contract("UM/3")]),
        ("service", [service("200300400500", "UM/3")]),
        (
            "subscription",
            [
                subscription("200300400500", "SAT"),
                subscription("200300400500", "NET"),
                subscription(CARD, "NEW"),
                subscription(CARD, "OLD"),
            ],
        ),
    ]
    results = [await apply_batch(kinds(settings)[kind], items, run) for kind, items in batches]
    # (the kind of a service the run would create is not known: only the real run checks it)
    assert statuses(results[0]) == ["created"]
    assert statuses(results[-1]) == ["created", "created", "created", "rejected"]
    assert errors(results[-1])[3] == [(ErrorCode.UNKNOWN_REFERENCE, "package_code")]
    assert not await Subscription.exists() and not await Package.exists(code="NEW")


async def test_a_batch_costs_the_same_statements_for_5_or_50_subscriptions(
    packages, settings
) -> None:
    counts = []
    for size in (5, 50):
        batch = [
            subscription(CARD, "SAT", f"{2000 + i}-{1 if size == 5 else 2:02d}-01")
            for i in range(size)
        ]
        with count_statements() as created:
            assert set(statuses(await feed(settings, "subscription", batch))) == {"created"}
        for item in batch:
            item["ends_on"] = f"{item['starts_on'][:4]}-12-31"
        with count_statements() as updated:
            assert set(statuses(await feed(settings, "subscription", batch))) == {"updated"}
        counts.append((len(created), len(updated)))
    assert counts[0] == counts[1]
