"""Items and steps the feed tests of contracts, services, devices and subscriptions share."""

from __future__ import annotations

from typing import Any

from backend.services.errors import ErrorCode
from backend.services.feed import FeedRun, ItemResult, apply_batch, kinds
from tests.unit.test_feed_engine import WRITER, customer, statuses

__all__ = [
    "CARD",
    "OTHER",
    "PHONE",
    "contract",
    "customer",
    "errors",
    "feed",
    "feed_customers",
    "feed_graph",
    "service",
    "status",
    "statuses",
]

CARD = "100200300400"
PHONE = "600100200"
OTHER = "700100200"


async def feed(settings: Any, kind: str, items: list[dict[str, Any]], **run: Any) -> list[Any]:
    return await apply_batch(kinds(settings)[kind], items, FeedRun(WRITER, **run))


def contract(number: str, customer_number: str = "K-1", **fields: Any) -> dict[str, Any]:
    return {
        "number": number,
        "customer_number": customer_number,
        "signed_on": "2025-03-01",
        "status": "ACTIVE",
        **fields,
    }


def service(identifier: str, contract_number: str = "UM/1", **fields: Any) -> dict[str, Any]:
    item = {
        "identifier": identifier,
        "contract_number": contract_number,
        "kind": "SATELLITE_TV" if len(identifier) == 12 else "INTERNET",
        "name": "Telewizja",
        "activated_on": "2025-03-05",
    }
    return {**item, **fields}


def errors(results: list[ItemResult]) -> list[list[tuple[ErrorCode, str | None]]]:
    return [[(e.code, e.field) for e in r.errors] for r in results]


def status(identifier: str, value: str, reason: str | None = None) -> dict[str, Any]:
    item = {"identifier": identifier, "status": value}
    return item if reason is None else {**item, "suspension_reason": reason}


async def feed_customers(settings: Any) -> None:
    """Customers K-1 and K-2, fed in (with e-mail addresses, so that they can log in)."""
    batch = [customer("K-1", 1, email="k1@example.com"), customer("K-2", 2, email="k2@example.com")]
    assert statuses(await feed(settings, "customer", batch)) == ["created"] * 2


async def feed_graph(settings: Any) -> None:
    """K-1 with contract UM/1 and the services CARD (satellite) and PHONE (internet); K-2 with
    contract UM/2 and the service OTHER (mobile TV)."""
    await feed_customers(settings)
    assert (
        statuses(await feed(settings, "contract", [contract("UM/1"), contract("UM/2", "K-2")]))
        == ["created"] * 2
    )
    services = [service(CARD), service(PHONE), service(OTHER, "UM/2", kind="MOBILE_TV")]
    assert statuses(await feed(settings, "service", services)) == ["created"] * 3
