"""The catalog domain: packages and channels, VOD titles and PPV events, and the offers
prepared for a customer. Which packages can be added to a service is decided in
``services.subscriptions`` (``package_refusal``, listed by ``available_packages``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from tortoise.expressions import Q

from backend.clock import now
from backend.models import Channel, Offer, Package, Service, Subscription, Title
from backend.models.enums import ServiceKind, TitleKind
from backend.services.batch import related
from backend.services.ownership import offer_scope
from backend.services.subscriptions import addable_packages, offer_is_used

FEATURED_TITLES = 6


async def packages(
    *, service_kind: ServiceKind | None = None, sellable_only: bool = True
) -> list[Package]:
    query = Package.all()
    if sellable_only:
        query = query.filter(sellable=True)
    if service_kind is not None:
        query = query.filter(service_kind=service_kind)
    return list(await query.order_by("position", "id"))


async def channels_by_package(ids: Sequence[int] | None) -> dict[int, list[Channel]]:
    """Channels per package (of every package when ``ids`` is None), in two statements."""
    packages = Package.all() if ids is None else Package.filter(id__in=ids)
    found = await related(packages, "channels", Channel.all())
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


async def titles(
    *, kind: TitleKind | None = None, featured_only: bool = False, limit: int | None = None
) -> list[Title]:
    """Titles on sale now (:func:`on_sale`), featured first, then by name (no NULL-ordering
    differences between SQLite and PostgreSQL); at most ``limit``."""
    at = now()
    query = Title.filter(Q(available_until__isnull=True) | Q(available_until__gt=at))
    if kind is not None:
        query = query.filter(kind=kind)
    if featured_only:
        query = query.filter(featured=True)
    rows = [t for t in await query.order_by("-featured", "name", "id") if on_sale(t, at)]
    return rows if limit is None else rows[:limit]


async def titles_by_id(ids: Sequence[int]) -> dict[int, Title]:
    return {t.id: t for t in await Title.filter(id__in=ids)}


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
