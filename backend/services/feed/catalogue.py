"""The operator's catalogue: packages keyed by their code (with their channels), VOD titles and
PPV events keyed by the title's code. Scope ``catalog:write``.

Channels are keyed by their name and shared by the packages that list them. A package item
lists its channels whole (``{name, category, hd}``): each is created or updated with the
package, and the package's channel set becomes exactly that list (none when absent). Two items
of one batch describing the same channel differently are a conflict: the later is rejected.

Customers read the catalogue from a per-process cache (``services.catalog.catalogue``) that
the database invalidates: triggers on these tables give ``catalogue_version`` a new token in the
writing transaction, so a written change shows with the next request of every instance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pypika_tortoise import Table
from tortoise.exceptions import IntegrityError

from backend.models import Channel, Package, Title
from backend.models.enums import PackageKind, ServiceKind, TitleKind
from backend.services.errors import ErrorCode
from backend.services.feed.engine import FeedRun, Kind, Problems
from backend.services.feed.reader import Reader

CODE_MAX = 32
PACKAGE_NAME_MAX = 80
TITLE_NAME_MAX = 120
DESCRIPTION_MAX = 2000
CHANNEL_NAME_MAX = 80
CATEGORY_MAX = 40
GENRE_MAX = 40
CHANNELS_MAX = 500
"""The most channels one package lists."""
YEAR_MIN, YEAR_MAX = 1888, 2100
DURATION_MAX = 10_000
"""Minutes (about a week: a PPV festival)."""
RENTAL_HOURS_DEFAULT, RENTAL_HOURS_MAX = 48, 8760
LINKS_PER_INSERT = 500
"""Package-channel pairs per INSERT (two parameters each: far below SQLite's and PostgreSQL's
limits)."""


@dataclass(frozen=True)
class ChannelItem:
    name: str
    category: str
    hd: bool


@dataclass(frozen=True)
class PackageItem:
    code: str
    name: str
    description: str
    kind: PackageKind
    service_kind: ServiceKind
    monthly_price: int
    """Grosze, VAT included."""
    data_limit_mb: int | None
    requires_base: str | None
    """The code of the base package an add-on needs, None for any base."""
    sellable: bool
    position: int
    channels: tuple[ChannelItem, ...]

    def columns(self) -> dict[str, object]:
        """The package's own columns (not its base nor its channels)."""
        return {name: getattr(self, name) for name in PACKAGE_COLUMNS}


PACKAGE_COLUMNS = (
    "name",
    "description",
    "kind",
    "service_kind",
    "monthly_price",
    "data_limit_mb",
    "sellable",
    "position",
)


@dataclass(frozen=True)
class StoredPackage:
    row: Package
    requires_base: str | None
    channels: frozenset[ChannelItem]


class Packages(Kind[PackageItem, StoredPackage]):
    """``package``: code (≤32), name, description, kind (BASE/ADDON), serviceKind
    (SATELLITE_TV/INTERNET/MOBILE_TV), monthlyPrice (grosze ≥ 0), dataLimitMb (optional, MB),
    requiresBase (add-ons only: the code of a base package of the same service kind, stored or
    earlier in the batch), sellable (default true), position (default 0), channels
    (``[{name, category, hd}]``, hd default true, each name once)."""

    name = "package"
    key_fields = ("code",)
    scope = "catalog:write"

    def read(self, reader: Reader) -> PackageItem:
        code = reader.text("code", CODE_MAX)
        kind = reader.choice("kind", PackageKind)
        requires_base = reader.optional_text("requires_base", CODE_MAX) or None
        if requires_base is not None and kind is PackageKind.BASE:
            reader.errors.add(ErrorCode.NOT_APPLICABLE, reader.path("requires_base"), kind="BASE")
        return PackageItem(
            code=code,
            name=reader.text("name", PACKAGE_NAME_MAX),
            description=reader.text("description", DESCRIPTION_MAX, required=False, multiline=True),
            kind=kind or PackageKind.BASE,
            service_kind=reader.choice("service_kind", ServiceKind) or ServiceKind.SATELLITE_TV,
            monthly_price=reader.integer("monthly_price") or 0,
            data_limit_mb=reader.integer("data_limit_mb", minimum=1, required=False),
            requires_base=requires_base,
            sellable=reader.boolean("sellable", True),
            position=reader.integer("position", default=0) or 0,
            channels=_channels(reader),
        )

    def key(self, item: PackageItem) -> str:
        return item.code

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, PackageItem]], problems: Problems
    ) -> None:
        """An add-on's ``requires_base`` must be a BASE package of the add-on's service kind,
        stored or accepted earlier in the batch (``UNKNOWN_REFERENCE``, ``NOT_A_BASE_PACKAGE``);
        a package that add-ons require (stored ones, or add-ons of the batch) stays a BASE of
        their service kind (``BASE_PACKAGE_IN_USE``); a channel is described one way in a batch
        (``CONFLICTING_CHANNEL``). Three queries per batch."""
        codes = [item.code for _, item in items]
        wanted = {item.requires_base for _, item in items if item.requires_base}
        known: dict[str, tuple[PackageKind, ServiceKind] | None] = {
            code: (kind, service_kind)
            for code, kind, service_kind in await Package.filter(
                code__in=sorted(wanted)
            ).values_list("code", "kind", "service_kind")
        }
        missing = wanted - known.keys()
        if missing:  # in a dry run, packages an earlier batch would have created
            known.update(dict.fromkeys(await run.ids(Package, "code", missing, self.name)))
        in_batch = {item.code for _, item in items}
        dependants: dict[str, set[ServiceKind]] = defaultdict(set)
        for code, base, service_kind in await Package.filter(
            requires_base__code__in=codes
        ).values_list("code", "requires_base__code", "service_kind"):
            if code not in in_batch:
                dependants[base].add(service_kind)
        for _, item in items:
            if item.requires_base:
                dependants[item.requires_base].add(item.service_kind)
        described: dict[str, tuple[ChannelItem, int]] = {}
        for index, item in items:
            before = len(problems.by_index[index])
            self._check_base(index, item, known, problems)
            needed = dependants.get(item.code, set())
            if needed and (item.kind is not PackageKind.BASE or needed - {item.service_kind}):
                problems.add(index, ErrorCode.BASE_PACKAGE_IN_USE, "kind", key=item.code)
            for position, channel in enumerate(item.channels):
                first = described.get(channel.name)
                if first is not None and first[0] != channel:
                    problems.add(
                        index,
                        ErrorCode.CONFLICTING_CHANNEL,
                        f"channels.{position}",
                        name=channel.name,
                        first=first[1],
                    )
            if len(problems.by_index[index]) == before:
                known[item.code] = (item.kind, item.service_kind)
                for channel in item.channels:
                    described.setdefault(channel.name, (channel, index))

    def _check_base(
        self,
        index: int,
        item: PackageItem,
        known: Mapping[str, tuple[PackageKind, ServiceKind] | None],
        problems: Problems,
    ) -> None:
        if item.requires_base is None:
            return
        if item.requires_base not in known:
            problems.add(
                index,
                ErrorCode.UNKNOWN_REFERENCE,
                "requires_base",
                kind="package",
                key=item.requires_base,
            )
            return
        base = known[item.requires_base]
        if base is not None and base != (PackageKind.BASE, item.service_kind):
            problems.add(
                index,
                ErrorCode.NOT_A_BASE_PACKAGE,
                "requires_base",
                key=item.requires_base,
                service_kind=item.service_kind.name,
            )

    async def stored(self, keys: Sequence[str]) -> Mapping[str, StoredPackage]:
        rows = list(await Package.filter(code__in=list(keys)))
        base_ids = sorted({r.requires_base_id for r in rows if r.requires_base_id is not None})
        bases = dict(await Package.filter(id__in=base_ids).values_list("id", "code"))
        ids = [r.id for r in rows]
        pairs = await Package.filter(id__in=ids).values_list(
            "id", "channels__name", "channels__category", "channels__hd"
        )
        channels: dict[int, set[ChannelItem]] = defaultdict(set)
        for package_id, name, category, hd in pairs:
            if name is not None:
                channels[package_id].add(ChannelItem(name, category, hd))
        return {
            r.code: StoredPackage(
                row=r,
                requires_base=bases.get(r.requires_base_id) if r.requires_base_id else None,
                channels=frozenset(channels[r.id]),
            )
            for r in rows
        }

    def differs(self, item: PackageItem, row: StoredPackage) -> bool:
        return (
            any(getattr(row.row, name) != value for name, value in item.columns().items())
            or item.requires_base != row.requires_base
            or frozenset(item.channels) != row.channels
        )

    async def write(
        self, new: Sequence[PackageItem], changed: Sequence[tuple[PackageItem, StoredPackage]]
    ) -> None:
        items = [*new, *(item for item, _ in changed)]
        channel_ids = await _upsert_channels(item.channels for item in items)
        if new:
            await Package.bulk_create([Package(code=item.code, **item.columns()) for item in new])
        for item, stored in changed:
            if any(getattr(stored.row, n) != v for n, v in item.columns().items()):
                await Package.filter(id=stored.row.id).update(**item.columns())
        codes = {item.code for item in items} | {i.requires_base for i in items if i.requires_base}
        ids = dict(await Package.filter(code__in=sorted(codes)).values_list("code", "id"))
        by_base: dict[str | None, list[int]] = defaultdict(list)
        for item in new:
            if item.requires_base:
                by_base[item.requires_base].append(ids[item.code])
        for item, stored in changed:
            if item.requires_base != stored.requires_base:
                by_base[item.requires_base].append(stored.row.id)
        for base, package_ids in by_base.items():
            if base and base not in ids:
                # Written item by item after a collision, and the base's own write failed.
                raise IntegrityError(f"the base package {base} was not written")
            base_id = ids[base] if base else None
            await Package.filter(id__in=package_ids).update(requires_base_id=base_id)
        relinked = [stored.row.id for item, stored in changed if _relinked(item, stored)]
        await _link(
            relinked,
            [
                (ids[item.code], channel_ids[channel.name])
                for item in [*new, *(item for item, stored in changed if _relinked(item, stored))]
                for channel in item.channels
            ],
        )


def _relinked(item: PackageItem, stored: StoredPackage) -> bool:
    """Whether the package's set of channels changes (not only a channel's description)."""
    return {c.name for c in item.channels} != {c.name for c in stored.channels}


def _channels(reader: Reader) -> tuple[ChannelItem, ...]:
    """The item's channels; a name twice is ``DUPLICATE_CHANNEL``."""
    channels: list[ChannelItem] = []
    first: dict[str, int] = {}
    for i, entry in enumerate(reader.objects("channels", maximum=CHANNELS_MAX, required=False)):
        name = entry.text("name", CHANNEL_NAME_MAX)
        channel = ChannelItem(
            name=name,
            category=entry.text("category", CATEGORY_MAX),
            hd=entry.boolean("hd", True),
        )
        if name and name in first:
            entry.errors.add(ErrorCode.DUPLICATE_CHANNEL, entry.path("name"), name=name)
            continue
        first[name] = i
        channels.append(channel)
    return tuple(channels)


async def _upsert_channels(lists: Iterable[Sequence[ChannelItem]]) -> dict[str, int]:
    """Create the channels not stored yet and update those described otherwise (one UPDATE per
    distinct category and HD flag); their ids by name. ``resolve`` made the descriptions agree."""
    wanted = {c.name: c for channels in lists for c in channels}
    if not wanted:
        return {}
    stored = {c.name: c for c in await Channel.filter(name__in=sorted(wanted))}
    missing = [Channel(name=c.name, category=c.category, hd=c.hd) for c in wanted.values()]
    missing = [c for c in missing if c.name not in stored]
    if missing:
        await Channel.bulk_create(missing)
    updates: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for name, row in stored.items():
        item = wanted[name]
        if (row.category, row.hd) != (item.category, item.hd):
            updates[(item.category, item.hd)].append(name)
    for (category, hd), names in updates.items():
        await Channel.filter(name__in=names).update(category=category, hd=hd)
    return dict(await Channel.filter(name__in=sorted(wanted)).values_list("name", "id"))


async def _link(cleared: Sequence[int], pairs: Sequence[tuple[int, int]]) -> None:
    """Remove every channel of the packages ``cleared``, then add the (package id, channel id)
    ``pairs``: one DELETE and one INSERT per :data:`LINKS_PER_INSERT` pairs."""
    relation = Package._meta.fields_map["channels"]
    through = Table(relation.through)  # type: ignore[attr-defined]
    package_key = relation.backward_key  # type: ignore[attr-defined]
    channel_key = relation.forward_key  # type: ignore[attr-defined]
    db = Package._meta.db
    if cleared:
        query = db.query_class.from_(through).where(through[package_key].isin(list(cleared)))
        await db.execute_query(*query.delete().get_parameterized_sql())
    for start in range(0, len(pairs), LINKS_PER_INSERT):
        insert = db.query_class.into(through).columns(through[package_key], through[channel_key])
        for package_id, channel_id in pairs[start : start + LINKS_PER_INSERT]:
            insert = insert.insert(package_id, channel_id)
        await db.execute_query(*insert.get_parameterized_sql())


@dataclass(frozen=True)
class TitleItem:
    code: str
    kind: TitleKind
    name: str
    description: str
    genre: str
    year: int | None
    duration_minutes: int | None
    price: int
    """Grosze, VAT included."""
    rental_hours: int
    event_starts_at: datetime | None
    available_until: datetime | None
    featured: bool

    def columns(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in TITLE_COLUMNS}


TITLE_COLUMNS = (
    "kind",
    "name",
    "description",
    "genre",
    "year",
    "duration_minutes",
    "price",
    "rental_hours",
    "event_starts_at",
    "available_until",
    "featured",
)


class Titles(Kind[TitleItem, Title]):
    """``title``: code (≤32), kind (VOD/PPV), name, description, genre, year, durationMinutes,
    price (grosze > 0), rentalHours (VOD only, default 48), eventStartsAt (PPV only, required
    there), availableUntil (when the sale closes), featured (default false)."""

    name = "title"
    key_fields = ("code",)
    scope = "catalog:write"

    def read(self, reader: Reader) -> TitleItem:
        code = reader.text("code", CODE_MAX)
        kind = reader.choice("kind", TitleKind)
        sent_rental = reader.data.get("rental_hours") is not None
        rental_hours = reader.integer(
            "rental_hours", minimum=1, maximum=RENTAL_HOURS_MAX, default=RENTAL_HOURS_DEFAULT
        )
        if kind is TitleKind.PPV and sent_rental:
            reader.errors.add(ErrorCode.NOT_APPLICABLE, reader.path("rental_hours"), kind="PPV")
        starts = reader.instant("event_starts_at", required=kind is TitleKind.PPV)
        if kind is TitleKind.VOD and starts is not None:
            reader.errors.add(ErrorCode.NOT_APPLICABLE, reader.path("event_starts_at"), kind="VOD")
        return TitleItem(
            code=code,
            kind=kind or TitleKind.VOD,
            name=reader.text("name", TITLE_NAME_MAX),
            description=reader.text("description", DESCRIPTION_MAX, required=False, multiline=True),
            genre=reader.text("genre", GENRE_MAX, required=False),
            year=reader.integer("year", minimum=YEAR_MIN, maximum=YEAR_MAX, required=False),
            duration_minutes=reader.integer(
                "duration_minutes", minimum=1, maximum=DURATION_MAX, required=False
            ),
            price=reader.integer("price", minimum=1) or 0,
            rental_hours=(rental_hours if kind is not TitleKind.PPV else None)
            or RENTAL_HOURS_DEFAULT,
            event_starts_at=starts,
            available_until=reader.instant("available_until", required=False),
            featured=reader.boolean("featured", False),
        )

    def key(self, item: TitleItem) -> str:
        return item.code

    async def stored(self, keys: Sequence[str]) -> Mapping[str, Title]:
        return {t.code: t for t in await Title.filter(code__in=list(keys)) if t.code}

    def differs(self, item: TitleItem, row: Title) -> bool:
        return any(getattr(row, name) != value for name, value in item.columns().items())

    async def write(
        self, new: Sequence[TitleItem], changed: Sequence[tuple[TitleItem, Title]]
    ) -> None:
        if new:
            await Title.bulk_create([Title(code=item.code, **item.columns()) for item in new])
        for item, row in changed:
            await Title.filter(id=row.id).update(**item.columns())
