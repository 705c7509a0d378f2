"""The operator feed's batch engine, through the customer kind: results per item, keys,
duplicates, references, dry runs, and a second run that changes nothing."""

from __future__ import annotations

from typing import Any

from backend.models import AuditEvent, Customer
from backend.models.enums import AuditKind
from backend.services.errors import ErrorCode
from backend.services.feed import FeedRun, ItemStatus, Writer, apply_batch, kinds
from backend.services.identifiers import make_pesel
from backend.services.request import SYSTEM
from tests.raises import domain_error

WRITER = Writer("import:test.jsonl", SYSTEM)


def customer(number: str, serial: int = 1, **fields: Any) -> dict[str, Any]:
    from datetime import date

    item: dict[str, Any] = {
        "number": number,
        "first_name": "Anna",
        "last_name": "Nowak",
        "pesel": make_pesel(date(1980, 1, 1), serial, True),
    }
    item.update(fields)
    return item


def statuses(results: list[Any]) -> list[str]:
    return [r.status.value for r in results]


async def test_created_then_unchanged_then_updated(db, settings) -> None:
    kind = kinds(settings)["customer"]
    batch = [customer("K-1", 1), customer("K-2", 2, email="a@example.com")]
    assert statuses(await apply_batch(kind, batch, FeedRun(WRITER))) == ["created", "created"]
    assert statuses(await apply_batch(kind, batch, FeedRun(WRITER))) == ["unchanged"] * 2
    batch[1]["city"] = "Kraków"
    assert statuses(await apply_batch(kind, batch, FeedRun(WRITER))) == ["unchanged", "updated"]
    stored = await Customer.get(number="K-2")
    assert stored.city == "Kraków" and stored.pesel_masked.startswith("*******")
    assert batch[1]["pesel"] not in str(await Customer.all().values())
    events = await AuditEvent.filter(kind=AuditKind.OPERATOR_WRITE).order_by("id")
    assert [e.details["created"] for e in events] == [2, 0]  # the unchanged batch wrote nothing
    assert events[0].details["writer"] == "import:test.jsonl"
    assert events[0].details["keys"] == {"created": ["K-1", "K-2"], "updated": []}
    assert events[1].details["keys"] == {"created": [], "updated": ["K-2"]}


async def test_bad_items_are_rejected_alone(db, settings) -> None:
    kind = kinds(settings)["customer"]
    batch = [
        customer("K-1", 1),
        customer("K-2", 2, pesel="80010100001"),
        customer("K-3", 3, first_name="A\x00"),
        customer("K-1", 4),
        customer("K-5", 5, colour="red"),
        customer("K-6", 1),
        customer("x" * 17, 6),
    ]
    results = await apply_batch(kind, batch, FeedRun(WRITER))
    assert statuses(results) == ["created"] + ["rejected"] * 6
    # The key is given back unless the key itself is what is wrong.
    assert [r.key for r in results] == ["K-1", "K-2", "K-3", "K-1", "K-5", "K-6", ""]
    codes = [[(e.code, e.field) for e in r.errors] for r in results[1:]]
    assert codes == [
        [(ErrorCode.INVALID_PESEL, "pesel")],
        [(ErrorCode.FORBIDDEN_CHARACTER, "first_name")],
        [(ErrorCode.DUPLICATE_KEY, None)],
        [(ErrorCode.UNKNOWN_FIELD, "colour")],
        [(ErrorCode.PESEL_IN_USE, "pesel")],
        [(ErrorCode.TOO_LONG, "number")],
    ]
    assert await Customer.all().values_list("number", flat=True) == ["K-1"]


async def test_dry_run_writes_nothing(db, settings) -> None:
    kind = kinds(settings)["customer"]
    results = await apply_batch(kind, [customer("K-1")], FeedRun(WRITER, dry_run=True))
    assert statuses(results) == ["created"]
    assert not await Customer.exists()
    assert not await AuditEvent.exists()


async def test_a_batch_has_a_size_limit(db, settings) -> None:
    kind = kinds(settings)["customer"]
    error = await domain_error(apply_batch(kind, [customer("K")] * 501, FeedRun(WRITER)))
    assert error.code is ErrorCode.TOO_MANY
    assert ItemStatus.CREATED.value == "created"
