"""The operator feed's catalogue kinds: packages with their channels and base packages, VOD
titles and PPV events; what the customer sees after a write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.clock import now
from backend.models import AuditEvent, Channel, Package, Title
from backend.models.enums import AuditKind, PackageKind, ServiceKind, TitleKind
from backend.services.errors import Collector
from backend.services.feed import FeedRun, ItemResult, Writer, apply_batch, kinds
from backend.services.feed.reader import Reader
from backend.services.request import SYSTEM
from tests.factories import (
    login_as,
    make_channel,
    make_customer,
    make_package,
    make_service,
    make_title,
)
from tests.statements import count_statements

WRITER = Writer("import:catalogue.jsonl", SYSTEM)


def package(code: str, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "code": code,
        "name": f"Pakiet {code}",
        "kind": "BASE",
        "service_kind": "SATELLITE_TV",
        "monthly_price": 4999,
    }
    item.update(fields)
    return item


def title(code: str, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"code": code, "kind": "VOD", "name": f"Film {code}", "price": 1499}
    item.update(fields)
    return item


def channel(name: str, category: str = "news", hd: bool = True) -> dict[str, Any]:
    return {"name": name, "category": category, "hd": hd}


def statuses(results: list[ItemResult]) -> list[str]:
    return [r.status.value for r in results]


def problems(results: list[ItemResult]) -> list[list[tuple[str, str | None]]]:
    return [[(e.code.value, e.field) for e in r.errors] for r in results]


async def upsert(settings: Any, kind: str, items: list[dict[str, Any]], **run: Any) -> Any:
    return await apply_batch(kinds(settings)[kind], items, FeedRun(WRITER, **run))


async def channels_of(code: str) -> dict[str, tuple[str, bool]]:
    pkg = await Package.get(code=code).prefetch_related("channels")
    return {c.name: (c.category, c.hd) for c in pkg.channels}


async def test_packages_created_unchanged_updated(db, settings) -> None:
    batch = [
        package("SAT_START", channels=[channel("TVP1"), channel("Polsat", "general", False)]),
        package(
            "SAT_SPORT",
            kind="ADDON",
            monthly_price=2999,
            requires_base="SAT_START",
            channels=[channel("Eurosport", "sport")],
            position=20,
        ),
        package("NET_30", service_kind="INTERNET", data_limit_mb=30720, channels=[]),
        package("SAT_FILM", kind="ADDON", sellable=False, description="Filmy\ni seriale"),
    ]
    assert statuses(await upsert(settings, "package", batch)) == ["created"] * 4
    sport = await Package.get(code="SAT_SPORT")
    base = await Package.get(code="SAT_START")
    assert (sport.requires_base_id, sport.kind, sport.monthly_price) == (
        base.id,
        PackageKind.ADDON,
        2999,
    )
    assert await channels_of("SAT_START") == {"TVP1": ("news", True), "Polsat": ("general", False)}
    net = await Package.get(code="NET_30")
    assert (net.service_kind, net.data_limit_mb, net.sellable, net.position) == (
        ServiceKind.INTERNET,
        30720,
        True,
        0,
    )
    film = await Package.get(code="SAT_FILM")
    assert (film.sellable, film.description, film.requires_base_id) == (
        False,
        "Filmy\ni seriale",
        None,
    )

    batch[0]["channels"].reverse()  # the order of the channels does not matter
    assert statuses(await upsert(settings, "package", batch)) == ["unchanged"] * 4

    batch[0]["channels"] = [channel("TVP1"), channel("TVN", "general")]  # Polsat out, TVN in
    batch[1]["channels"] = [channel("Eurosport", "sport", False)]  # a channel's description
    batch[2]["monthly_price"] = 5999
    batch[3]["requires_base"] = "SAT_START"
    results = await upsert(settings, "package", batch)
    assert statuses(results) == ["updated"] * 4
    assert await channels_of("SAT_START") == {"TVP1": ("news", True), "TVN": ("general", True)}
    assert await channels_of("SAT_SPORT") == {"Eurosport": ("sport", False)}
    assert await Channel.filter(name="Polsat").exists()  # only unlinked: other packages may list it
    assert (await Package.get(code="NET_30")).monthly_price == 5999
    assert (await Package.get(code="SAT_FILM")).requires_base_id == base.id
    assert await Package.filter(id=base.id).values_list("requires_base_id", flat=True) == [None]

    del batch[3]["requires_base"]
    batch[0]["channels"] = []
    assert statuses(await upsert(settings, "package", batch)) == [
        "updated",
        "unchanged",
        "unchanged",
        "updated",
    ]
    assert await channels_of("SAT_START") == {}
    assert (await Package.get(code="SAT_FILM")).requires_base_id is None
    events = await AuditEvent.filter(kind=AuditKind.OPERATOR_WRITE).order_by("id")
    assert [(e.details["type"], e.details["created"], e.details["updated"]) for e in events] == [
        ("package", 4, 0),
        ("package", 0, 4),
        ("package", 0, 2),
    ]  # the unchanged batch wrote nothing and recorded nothing


async def test_an_existing_package_and_channel_are_taken_over_by_code_and_name(
    db, settings
) -> None:
    stored = await make_package(code="OLD", name="Stary", monthly_price=3000, position=5)
    tvp = await make_channel(name="TVP1", category="general", hd=False)
    await stored.channels.add(tvp)
    item = package("OLD", name="Stary", monthly_price=3000, position=5)
    item["channels"] = [channel("TVP1", "general", False)]
    assert statuses(await upsert(settings, "package", [item])) == ["unchanged"]
    item["channels"].append(channel("TVP2", "general"))
    assert statuses(await upsert(settings, "package", [item])) == ["updated"]
    assert await channels_of("OLD") == {"TVP1": ("general", False), "TVP2": ("general", True)}
    assert await Package.filter(code="OLD").count() == 1
    assert await Channel.filter(name="TVP1").count() == 1


async def test_bad_packages_are_rejected_alone(db, settings) -> None:
    await make_package(code="NET_BASE", service_kind=ServiceKind.INTERNET)
    await make_package(code="SAT_ADDON", kind=PackageKind.ADDON)
    batch = [
        package("GOOD", channels=[channel("TVP1")]),
        package("PRICE_TEXT", monthly_price="49.99"),
        package("PRICE_NEG", monthly_price=-1),
        package("PRICE_HUGE", monthly_price=2**31),
        package("BAD_KIND", kind="PREMIUM"),
        package("BAD_SERVICE", service_kind="CABLE"),
        package("NUL", name="Pakiet\x00"),
        package("X" * 33),
        package("GOOD"),
        package("NO_SUCH_BASE", kind="ADDON", requires_base="NOPE"),
        package("BASE_WITH_BASE", requires_base="GOOD"),
        package("ADDON_OF_ADDON", kind="ADDON", requires_base="SAT_ADDON"),
        package("OTHER_SERVICE", kind="ADDON", requires_base="NET_BASE"),
        package("LATER_BASE", kind="ADDON", requires_base="COMES_LATER"),
        package("COMES_LATER"),
        package("TWICE", channels=[channel("TVN"), channel("TVN", "general")]),
        package("CONFLICT", channels=[channel("TVP1", "general")]),
        package("NO_CATEGORY", channels=[{"name": "TVN"}]),
        package("CHANNEL_FIELD", channels=[{**channel("TVN"), "number": 7}]),
        package("CHANNELS_NOT_LIST", channels="TVN"),
        package("MANY", channels=[channel(f"K{i}") for i in range(501)]),
        package("LONG_CHANNEL", channels=[channel("K" * 81)]),
        package("LIMIT_ZERO", service_kind="INTERNET", data_limit_mb=0),
        package("COLOUR", colour="red"),
        {"kind": "BASE"},
    ]
    results = await upsert(settings, "package", batch)
    assert problems(results) == [
        [],
        [("INVALID", "monthly_price")],
        [("OUT_OF_RANGE", "monthly_price")],
        [("OUT_OF_RANGE", "monthly_price")],
        [("INVALID_CHOICE", "kind")],
        [("INVALID_CHOICE", "service_kind")],
        [("FORBIDDEN_CHARACTER", "name")],
        [("TOO_LONG", "code")],
        [("DUPLICATE_KEY", None)],
        [("UNKNOWN_REFERENCE", "requires_base")],
        [("NOT_APPLICABLE", "requires_base")],
        [("NOT_A_BASE_PACKAGE", "requires_base")],
        [("NOT_A_BASE_PACKAGE", "requires_base")],
        [("UNKNOWN_REFERENCE", "requires_base")],
        [],
        [("DUPLICATE_CHANNEL", "channels.1.name")],
        [("CONFLICTING_CHANNEL", "channels.0")],
        [("REQUIRED", "channels.0.category")],
        [("UNKNOWN_FIELD", "channels.0.number")],
        [("INVALID", "channels")],
        [("TOO_MANY", "channels")],
        [("TOO_LONG", "channels.0.name")],
        [("OUT_OF_RANGE", "data_limit_mb")],
        [("UNKNOWN_FIELD", "colour")],
        [
            ("REQUIRED", "code"),
            ("REQUIRED", "name"),
            ("REQUIRED", "service_kind"),
            ("REQUIRED", "monthly_price"),
        ],
    ]
    assert results[9].errors[0].params == {"kind": "package", "key": "NOPE"}
    assert results[12].errors[0].params == {"key": "NET_BASE", "service_kind": "SATELLITE_TV"}
    assert results[16].errors[0].params == {"name": "TVP1", "first": 0}
    assert statuses(results).count("created") == 2
    assert sorted(await Package.all().values_list("code", flat=True)) == [
        "COMES_LATER",
        "GOOD",
        "NET_BASE",
        "SAT_ADDON",
    ]
    assert await Channel.all().values_list("name", flat=True) == ["TVP1"]


async def test_a_base_that_add_ons_require_stays_a_base_of_their_service(db, settings) -> None:
    base = await make_package(code="SAT_MAX", monthly_price=8999)
    await make_package(code="SAT_CANAL", kind=PackageKind.ADDON, requires_base=base)
    as_addon = package("SAT_MAX", kind="ADDON", monthly_price=8999)
    as_internet = package("SAT_MAX", service_kind="INTERNET", monthly_price=8999)
    for item in (as_addon, as_internet):
        results = await upsert(settings, "package", [item])
        assert problems(results) == [[("BASE_PACKAGE_IN_USE", "kind")]]
    # the add-on points elsewhere (earlier in the batch), then the old base may change
    batch = [
        package("SAT_NEW"),
        package("SAT_CANAL", kind="ADDON", requires_base="SAT_NEW"),
        as_addon,
    ]
    assert statuses(await upsert(settings, "package", batch)) == ["created", "updated", "updated"]
    canal = await Package.get(code="SAT_CANAL")
    assert canal.requires_base_id == (await Package.get(code="SAT_NEW")).id
    # an add-on of the batch counts too, wherever it stands
    batch = [
        package("SAT_NEW", kind="ADDON"),
        package("SAT_X", kind="ADDON", requires_base="SAT_NEW"),
    ]
    assert problems(await upsert(settings, "package", batch)) == [
        [("BASE_PACKAGE_IN_USE", "kind")],
        [],
    ]


async def test_package_dry_run_writes_nothing_and_later_batches_may_refer(db, settings) -> None:
    run = FeedRun(WRITER, dry_run=True)
    kind = kinds(settings)["package"]
    first = await apply_batch(kind, [package("SAT_BASE", channels=[channel("TVP1")])], run)
    second = await apply_batch(
        kind, [package("SAT_ADD", kind="ADDON", requires_base="SAT_BASE")], run
    )
    assert statuses(first) == statuses(second) == ["created"]
    assert not await Package.exists()
    assert not await Channel.exists()
    assert not await AuditEvent.exists()


def graph_of(prefix: str, size: int) -> list[dict[str, Any]]:
    """``size`` bases and as many add-ons requiring the first base, each with two channels
    (one shared by all, one its own)."""
    bases = [
        package(f"{prefix}B{i}", channels=[channel("Shared"), channel(f"{prefix}b{i}")])
        for i in range(size)
    ]
    addons = [
        package(
            f"{prefix}A{i}",
            kind="ADDON",
            requires_base=f"{prefix}B0",
            channels=[channel("Shared"), channel(f"{prefix}a{i}", "sport")],
        )
        for i in range(size)
    ]
    return bases + addons


async def test_a_batch_costs_the_same_statements_whatever_its_size(db, settings) -> None:
    counts = []
    for prefix, size in (("S", 3), ("L", 60)):
        batch = graph_of(prefix, size)
        with count_statements() as created:
            assert set(statuses(await upsert(settings, "package", batch))) == {"created"}
        with count_statements() as unchanged:
            assert set(statuses(await upsert(settings, "package", batch))) == {"unchanged"}
        counts.append((len(created), len(unchanged)))
        assert await Package.filter(code__startswith=prefix).count() == 2 * size
        assert len(await channels_of(f"{prefix}A{size - 1}")) == 2
    assert counts[0] == counts[1]
    assert counts[0][1] <= 6  # reads only: nothing written, no audit event


async def test_an_add_on_whose_base_was_not_written_is_not_written(db, settings) -> None:
    """Item by item after a collision, an add-on whose new base failed to be written fails
    too (the engine makes it WRITE_CONFLICT) rather than losing its base."""
    kind = kinds(settings)["package"]
    item = kind.read(Reader(package("ADD", kind="ADDON", requires_base="GONE"), Collector()))
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await kind.write([item], [])
    assert not await Package.exists()


VIEWER_PACKAGES = """{ viewer { services { availablePackages {
  code name monthlyPrice { minorUnits } channels { name category hd } } } } }"""


async def test_the_customer_sees_a_new_package_and_its_price_at_once(
    db, settings, client, gql
) -> None:
    customer = await make_customer(settings)
    await make_service(customer, kind=ServiceKind.SATELLITE_TV)
    await login_as(client, settings, customer)

    async def offered() -> list[dict[str, Any]]:
        services = (await gql(VIEWER_PACKAGES))["viewer"]["services"]
        return services[0]["availablePackages"]

    assert await offered() == []
    item = package("SAT_FEED", name="Z BSS", channels=[channel("TVP1", "general")])
    await upsert(settings, "package", [item])
    assert await offered() == [
        {
            "code": "SAT_FEED",
            "name": "Z BSS",
            "monthlyPrice": {"minorUnits": 4999},
            "channels": [{"name": "TVP1", "category": "general", "hd": True}],
        }
    ]
    item["monthly_price"] = 3999
    await upsert(settings, "package", [item])
    assert [p["monthlyPrice"]["minorUnits"] for p in await offered()] == [3999]
    item["sellable"] = False
    await upsert(settings, "package", [item])
    assert await offered() == []


async def test_titles_created_unchanged_updated(db, settings) -> None:
    batch = [
        title("VOD-1", description="Opis", genre="comedy", year=2025, duration_minutes=97),
        title(
            "PPV-1",
            kind="PPV",
            name="Gala",
            price=3999,
            event_starts_at="2026-12-12T19:00:00+01:00",
            available_until="2026-12-13T00:00:00+01:00",
            featured=True,
        ),
    ]
    assert statuses(await upsert(settings, "title", batch)) == ["created"] * 2
    vod = await Title.get(code="VOD-1")
    assert (vod.kind, vod.rental_hours, vod.featured, vod.event_starts_at, vod.year) == (
        TitleKind.VOD,
        48,
        False,
        None,
        2025,
    )
    ppv = await Title.get(code="PPV-1")
    assert ppv.event_starts_at == datetime(2026, 12, 12, 18, tzinfo=UTC)
    assert ppv.available_until == datetime(2026, 12, 12, 23, tzinfo=UTC)
    assert statuses(await upsert(settings, "title", batch)) == ["unchanged"] * 2
    batch[0]["rental_hours"] = 72
    batch[1]["event_starts_at"] = "2026-12-12T18:00:00Z"  # the same moment, said otherwise
    assert statuses(await upsert(settings, "title", batch)) == ["updated", "unchanged"]
    assert (await Title.get(code="VOD-1")).rental_hours == 72
    del batch[0]["year"]
    batch[1]["price"] = 2999
    assert statuses(await upsert(settings, "title", batch)) == ["updated", "updated"]
    assert (await Title.get(code="VOD-1")).year is None
    assert (await Title.get(code="PPV-1")).price == 2999


async def test_bad_titles_are_rejected_alone(db, settings) -> None:
    await make_title(code="TAKEN")
    batch = [
        title("GOOD"),
        title("PPV-NO-START", kind="PPV"),
        title("VOD-START", event_starts_at="2026-12-12T19:00:00+01:00"),
        title(
            "PPV-RENTAL", kind="PPV", event_starts_at="2026-12-12T19:00:00+01:00", rental_hours=48
        ),
        title("FREE", price=0),
        title("OLD", year=1500),
        title("SVOD", kind="SVOD"),
        title("NAIVE", kind="PPV", event_starts_at="2026-12-12T19:00:00"),
        title("BAD-DAY", available_until="2026-02-30T10:00:00+01:00"),
        title("NUL", description="a\x00b"),
        title("C" * 33),
        title("GOOD"),
        title("LONG-NAME", name="N" * 121),
        title("RENTAL-ZERO", rental_hours=0),
        title("FEATURED", featured="yes"),
        title("TAKEN", name="Przejęty"),
    ]
    results = await upsert(settings, "title", batch)
    assert problems(results) == [
        [],
        [("REQUIRED", "event_starts_at")],
        [("NOT_APPLICABLE", "event_starts_at")],
        [("NOT_APPLICABLE", "rental_hours")],
        [("OUT_OF_RANGE", "price")],
        [("OUT_OF_RANGE", "year")],
        [("INVALID_CHOICE", "kind")],
        [("INVALID_DATE", "event_starts_at")],
        [("INVALID_DATE", "available_until")],
        [("FORBIDDEN_CHARACTER", "description")],
        [("TOO_LONG", "code")],
        [("DUPLICATE_KEY", None)],
        [("TOO_LONG", "name")],
        [("OUT_OF_RANGE", "rental_hours")],
        [("INVALID", "featured")],
        [],
    ]
    assert statuses(results)[0] == "created" and statuses(results)[-1] == "updated"
    assert sorted(await Title.all().values_list("code", flat=True)) == ["GOOD", "TAKEN"]
    assert (await Title.get(code="TAKEN")).name == "Przejęty"


async def test_title_dry_run_writes_nothing(db, settings) -> None:
    results = await upsert(settings, "title", [title("VOD-1")], dry_run=True)
    assert statuses(results) == ["created"]
    assert not await Title.exists()


VOD_TITLES = "{ vodTitles { name price { minorUnits } eventStartsAt } }"


async def test_the_customer_sees_a_new_title_and_its_price_at_once(db, settings, gql) -> None:
    assert (await gql(VOD_TITLES))["vodTitles"] == []
    starts = (now() + timedelta(days=3)).isoformat()
    batch = [
        title("VOD-1", name="Nowy film"),
        title("PPV-1", kind="PPV", name="Gala", event_starts_at=starts),
    ]
    await upsert(settings, "title", batch)
    listed = (await gql(VOD_TITLES))["vodTitles"]
    assert sorted((t["name"], t["price"]["minorUnits"]) for t in listed) == [
        ("Gala", 1499),
        ("Nowy film", 1499),
    ]
    batch[0]["price"] = 999
    batch[1]["available_until"] = now().isoformat()  # the sale closes now
    await upsert(settings, "title", batch)
    listed = (await gql(VOD_TITLES))["vodTitles"]
    assert [(t["name"], t["price"]["minorUnits"]) for t in listed] == [("Nowy film", 999)]
