"""The operator feed's devices: created, unchanged, updated (also passed to another customer),
every bad input, a dry run, what the customer then sees, and the statements a batch costs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from backend.models import Customer, Device
from backend.models.enums import DeviceKind, Ownership
from backend.services.errors import ErrorCode
from backend.services.feed import FeedRun, apply_batch, kinds
from tests.factories import login_as
from tests.statements import count_statements
from tests.unit.feed_graph import (
    CARD,
    OTHER,
    PHONE,
    contract,
    customer,
    errors,
    feed,
    feed_graph,
    service,
    statuses,
)
from tests.unit.test_feed_engine import WRITER


@pytest.fixture
async def graph(db, settings) -> None:
    await feed_graph(settings)


def device(serial: str, customer_number: str = "K-1", **fields: Any) -> dict[str, Any]:
    item = {
        "serial_number": serial,
        "customer_number": customer_number,
        "service_identifier": CARD,
        "kind": "DECODER",
        "model": "Dekoder 4K",
        "ownership": "LEASED",
        "installed_on": "2025-03-05",
    }
    return {**item, **fields}


async def owners(serial: str) -> tuple[str | None, str]:
    """The identifier of the device's service and its customer's number."""
    rows = await Device.filter(serial_number=serial).values_list(
        "service__identifier", "customer__number"
    )
    return rows[0]


async def test_devices_created_unchanged_updated_and_shown(graph, settings, client, gql) -> None:
    batch = [
        device("SN-1"),
        device("SN-2", service_identifier="+48 600-100-200", kind="ROUTER", ownership="OWNED"),
        device("SN-3", service_identifier=None, kind="SMART_CARD"),
    ]
    assert statuses(await feed(settings, "device", batch)) == ["created"] * 3
    assert statuses(await feed(settings, "device", batch)) == ["unchanged"] * 3
    router = await Device.get(serial_number="SN-2")
    assert (router.kind, router.ownership) == (DeviceKind.ROUTER, Ownership.OWNED)
    assert await owners("SN-2") == (PHONE, "K-1")
    assert (await Device.get(serial_number="SN-3")).service_id is None

    customer_row = await Customer.get(number="K-1")
    await login_as(client, settings, customer_row)
    query = "{ viewer { devices { serialNumber kind model ownership installedOn service { identifier } } } }"
    shown = (await gql(query))["viewer"]["devices"]
    assert [(d["serialNumber"], d["service"]) for d in shown] == [
        ("SN-1", {"identifier": CARD}),
        ("SN-2", {"identifier": PHONE}),
        ("SN-3", None),
    ]
    assert shown[0] | {"service": None} == {
        "serialNumber": "SN-1",
        "kind": "DECODER",
        "model": "Dekoder 4K",
        "ownership": "LEASED",
        "installedOn": "2025-03-05",
        "service": None,
    }
    # the decoder is replaced by a newer model; the router is returned and passed to K-2
    batch[0] |= {"model": "Dekoder 8K", "installed_on": "2026-11-18"}
    batch[1] |= {"customer_number": "K-2", "service_identifier": OTHER}
    assert statuses(await feed(settings, "device", batch)) == ["updated", "updated", "unchanged"]
    decoder = await Device.get(serial_number="SN-1")
    assert (decoder.model, decoder.installed_on) == ("Dekoder 8K", date(2026, 11, 18))
    assert await owners("SN-2") == (OTHER, "K-2")
    shown = (await gql(query))["viewer"]["devices"]
    assert [d["serialNumber"] for d in shown] == ["SN-3", "SN-1"]  # by installation day


async def test_bad_devices_are_rejected_alone(graph, settings) -> None:
    batch = [
        device("SN-1"),
        device("SN-2", "K-9"),
        device("SN-3", service_identifier="999888777"),
        device("SN-4", service_identifier=OTHER),
        device("SN-5", service_identifier="12"),
        device("S" * 41),
        device("SN-6", model="Dekoder\x00"),
        device("SN-7", model=""),
        device("SN-8", kind="TELEVISION"),
        device("SN-9", ownership="RENTED"),
        device("SN-1"),
        device("SN-10", installed_on=None),
        device("SN-11", installed_on="2025-13-01"),
        device("SN-12", customer_number=""),
        device("SN-13", warranty=True),
    ]
    results = await feed(settings, "device", batch)
    assert statuses(results) == ["created"] + ["rejected"] * 14
    assert errors(results)[1:] == [
        [(ErrorCode.UNKNOWN_REFERENCE, "customer_number")],
        [(ErrorCode.UNKNOWN_REFERENCE, "service_identifier")],
        [(ErrorCode.DIFFERENT_CUSTOMER, "service_identifier")],  # K-2's service
        [(ErrorCode.INVALID_IDENTIFIER, "service_identifier")],
        [(ErrorCode.TOO_LONG, "serial_number")],
        [(ErrorCode.FORBIDDEN_CHARACTER, "model")],
        [(ErrorCode.REQUIRED, "model")],
        [(ErrorCode.INVALID_CHOICE, "kind")],
        [(ErrorCode.INVALID_CHOICE, "ownership")],
        [(ErrorCode.DUPLICATE_KEY, None)],
        [(ErrorCode.REQUIRED, "installed_on")],
        [(ErrorCode.INVALID_DATE, "installed_on")],
        [(ErrorCode.REQUIRED, "customer_number")],
        [(ErrorCode.UNKNOWN_FIELD, "warranty")],
    ]
    assert results[1].errors[0].params == {"kind": "customer", "key": "K-9"}
    assert results[3].errors[0].params == {"key": OTHER, "kind": "device"}
    assert await Device.all().values_list("serial_number", flat=True) == ["SN-1"]


async def test_dry_run_devices_of_what_the_run_would_create(graph, settings) -> None:
    run = FeedRun(WRITER, dry_run=True)
    batches = [
        ("customer", [customer("K-3", 3)]),
        ("contract", [contract("UM/3", "K-3")]),
        ("service", [service("200300400500", "UM/3")]),
        (
            "device",
            [
                device("SN-1", "K-3", service_identifier="200300400500"),
                device("SN-2", "K-3", service_identifier=CARD),  # K-1's, stored
                device("SN-3", "K-1"),
            ],
        ),
    ]
    results = [await apply_batch(kinds(settings)[kind], items, run) for kind, items in batches]
    assert statuses(results[-1]) == ["created", "rejected", "created"]
    assert errors(results[-1])[1] == [(ErrorCode.DIFFERENT_CUSTOMER, "service_identifier")]
    assert not await Device.exists() and not await Customer.exists(number="K-3")


async def test_a_batch_costs_the_same_statements_for_5_or_50_devices(graph, settings) -> None:
    counts = []
    for size in (5, 50):
        batch = [device(f"SN-{size}-{i}") for i in range(size)]
        with count_statements() as created:
            assert set(statuses(await feed(settings, "device", batch))) == {"created"}
        for item in batch:
            item["customer_number"], item["service_identifier"] = "K-2", OTHER
        with count_statements() as updated:
            assert set(statuses(await feed(settings, "device", batch))) == {"updated"}
        counts.append((len(created), len(updated)))
    assert counts[0] == counts[1]
