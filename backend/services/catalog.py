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
from backend.services.subscriptions import addable_packages

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
    subscriptions: Sequence[Subscription] = (),
    services: Iterable[Service] = (),
    catalogue: Sequence[Package] = (),
) -> list[Offer]:
    """Offers valid now, personalised: an offer for a package is shown only when the customer
    could accept it, that is when the package can be added to one of their services
    (``subscriptions.addable_packages``, the rule ``add_package`` enforces). ``catalogue``: every
    package, sellable or not."""
    rows = list(await Offer.filter(offer_scope(customer_id)).order_by("valid_until", "id"))
    if customer_id is None:
        return rows
    addable = {p.id for p in addable_packages(services, subscriptions, catalogue)}
    return [o for o in rows if o.package_id is None or o.package_id in addable]
