"""The catalog domain: packages and channels, VOD titles and PPV events, and the offers
prepared for a customer. Which packages can be added to a service is decided in
``services.subscriptions`` (``package_refusal``, listed by ``available_packages``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.functions import Count

from backend.clock import now
from backend.models import (
    CatalogueVersion,
    Channel,
    Offer,
    Package,
    Service,
    Subscription,
    Title,
)
from backend.models.enums import ServiceKind, TitleKind
from backend.services.batch import related
from backend.services.ownership import offer_scope
from backend.services.subscriptions import addable_packages, offer_is_used

FEATURED_TITLES = 6


@dataclass(frozen=True)
class Catalogue:
    """What every customer reads of the catalogue, as of one ``catalogue_version`` token:
    every package (sellable or not, by position then id), their channel counts, every title
    (featured first, then by name and id). Shared by the requests of a process: its rows are
    read-only (never change or save them). Time-dependent choices (:func:`on_sale`) are made
    per call, at the caller's now, never cached."""

    token: int | None
    """The ``catalogue_version`` token it was read under; None: no token row (not cached)."""
    packages: tuple[Package, ...]
    channel_counts: Mapping[int, int]
    """Channels per package id (absent: none)."""
    titles: tuple[Title, ...]
    packages_by_id: Mapping[int, Package] = field(init=False)
    titles_by_id: Mapping[int, Title] = field(init=False)
    _channels: dict[str, Mapping[int, list[Channel]]] = field(
        init=False, default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "packages_by_id", {p.id: p for p in self.packages})
        object.__setattr__(self, "titles_by_id", {t.id: t for t in self.titles})

    def sellable(self, service_kind: ServiceKind | None = None) -> list[Package]:
        """The sellable packages (of ``service_kind`` when given), in catalogue order."""
        return [
            p
            for p in self.packages
            if p.sellable and (service_kind is None or p.service_kind is service_kind)
        ]

    def channel_count(self, package_id: int) -> int:
        return self.channel_counts.get(package_id, 0)

    async def channels(self) -> Mapping[int, list[Channel]]:
        """Every package's channels (by category, then name), read in two statements the first
        time they are asked for under this token, then kept with it."""
        found = self._channels.get("all")
        if found is None:
            found = self._channels["all"] = await _channels_by_package()
        return found

    def titles_on_sale(
        self,
        *,
        kind: TitleKind | None = None,
        featured_only: bool = False,
        limit: int | None = None,
    ) -> list[Title]:
        """Titles on sale now (:func:`on_sale` at ``clock.now()``), featured first, then by
        name and id; at most ``limit``."""
        at = now()
        found: list[Title] = []
        for title in self.titles:
            if limit is not None and len(found) >= limit:
                break
            if featured_only and not title.featured:
                break  # featured titles come first
            if (kind is None or title.kind is kind) and on_sale(title, at):
                found.append(title)
        return found


_cached: Catalogue | None = None
"""This process's catalogue (replaced whole, never changed: safe for every thread and loop)."""


async def catalogue() -> Catalogue:
    """The catalogue as of now: one statement (the ``catalogue_version`` token, by primary key)
    when this process holds the catalogue of that token, otherwise four (the token, packages,
    channel counts grouped in SQL, titles).

    Exact, not eventually consistent: triggers replace the token by a random one in every
    transaction that writes ``package``, ``channel``, ``package_channel`` or ``title``
    (migration 0016), so a request that starts after a catalogue write committed, on any
    instance, reads the new token and reloads. The token is read before the rows, so rows
    written meanwhile are cached under the older token and reloaded by the next request."""
    global _cached
    token = await CatalogueVersion.filter(id=1).first().values_list("token", flat=True)
    cached = _cached
    if cached is not None and token is not None and cached.token == token:
        return cached
    counts = (
        await Package.all()
        .annotate(count=Count("channels__id"))
        .group_by("id")
        .values_list("id", "count")
    )
    loaded = Catalogue(
        token=token if isinstance(token, int) else None,
        packages=tuple(await Package.all().order_by("position", "id")),
        channel_counts={int(pid): int(n) for pid, n in counts if n},
        titles=tuple(await Title.all().order_by("-featured", "name", "id")),
    )
    if loaded.token is not None:
        _cached = loaded
    return loaded


async def _channels_by_package() -> dict[int, list[Channel]]:
    """Channels per package, by category then name, in two statements."""
    found = await related(Package.all(), "channels", Channel.all())
    return {k: sorted(v, key=lambda c: (c.category, c.name)) for k, v in found.items()}


def on_sale(title: Title, at: datetime | None = None) -> bool:
    """Whether ``title`` can be bought at ``at`` (default now): its sale has not closed
    (``available_until``), and a PPV event has a start and has not ended (a ticket is sold until
    the event ends, see :func:`watchable_until`). Listing and ``wallet.purchase_title``
    both decide by this."""
    at = now() if at is None else at
    if title.available_until is not None and title.available_until <= at:
        return False
    if title.kind is TitleKind.PPV:
        return title.event_starts_at is not None and watchable_until(title, at) > at
    return True


def watchable_until(title: Title, bought_at: datetime) -> datetime:
    """Until when a title bought at ``bought_at`` can be watched: a PPV ticket until the event
    ends (its start plus ``duration_minutes``, 240 minutes when unknown), a VOD rental
    ``rental_hours`` after the purchase."""
    if title.kind is TitleKind.PPV:
        starts = title.event_starts_at or bought_at
        return starts + timedelta(minutes=title.duration_minutes or 240)
    return bought_at + timedelta(hours=title.rental_hours)


async def offers(
    customer_id: int | None,
    subscriptions: Sequence[Subscription] = (),
    services: Iterable[Service] = (),
    catalogue: Sequence[Package] = (),
) -> list[Offer]:
    """Offers valid now, personalised: an offer for a package is shown only when the customer
    could accept it, that is when the package can be added to one of their services
    (``subscriptions.addable_packages``, the rule ``add_package`` enforces) and they have not
    used the offer yet (``subscriptions.offer_is_used``). ``subscriptions``: the customer's;
    ``catalogue``: every package, sellable or not."""
    rows = list(await Offer.filter(offer_scope(customer_id)).order_by("valid_until", "id"))
    if customer_id is None:
        return rows
    addable = {p.id for p in addable_packages(services, subscriptions, catalogue)}
    return [
        o
        for o in rows
        if (o.package_id is None or o.package_id in addable) and not offer_is_used(o, subscriptions)
    ]
