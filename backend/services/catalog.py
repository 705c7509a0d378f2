"""The catalog domain: packages and channels, VOD titles and PPV events, and the offers
prepared for a customer. Which packages can be added to a service is decided in
``services.subscriptions`` (``package_refusal``, listed by ``available_packages``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tortoise.expressions import Q

from backend.clock import now
from backend.models import Channel, Offer, Package, Service, Subscription, Title
from backend.models.enums import ServiceKind, TitleKind
from backend.services.batch import related
from backend.services.ownership import offer_scope
from backend.services.subscriptions import is_active, service_is_open

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


def titles_query(kind: TitleKind | None = None) -> Q:
    at = now()
    condition = Q(available_until__isnull=True) | Q(available_until__gt=at)
    if kind is not None:
        condition &= Q(kind=kind)
    return condition


async def titles(
    *, kind: TitleKind | None = None, featured_only: bool = False, limit: int | None = None
) -> list[Title]:
    """Titles still available, featured first, then by name (no NULL-ordering differences
    between SQLite and PostgreSQL)."""
    query = Title.filter(titles_query(kind))
    if featured_only:
        query = query.filter(featured=True)
    query = query.order_by("-featured", "name", "id")
    if limit is not None:
        query = query.limit(limit)
    return list(await query)


async def titles_by_id(ids: Sequence[int]) -> dict[int, Title]:
    return {t.id: t for t in await Title.filter(id__in=ids)}


async def offers(
    customer_id: int | None,
    subscriptions: Iterable[Subscription] = (),
    services: Iterable[Service] = (),
    catalogue: Sequence[Package] = (),
) -> list[Offer]:
    """Offers valid now, personalised: an offer for a package is shown only to a customer who
    has a service of that package's kind and does not have the package yet."""
    rows = list(await Offer.filter(offer_scope(customer_id)).order_by("valid_until", "id"))
    if customer_id is None:
        return rows
    by_id = {p.id: p for p in catalogue}
    owned = {s.package_id for s in subscriptions if is_active(s)}
    kinds = {s.kind for s in services if service_is_open(s)}
    result = []
    for offer in rows:
        package_id = offer.package_id
        if package_id is None:
            result.append(offer)
            continue
        package = by_id.get(package_id)
        if package is None or package_id in owned or package.service_kind not in kinds:
            continue
        result.append(offer)
    return result
