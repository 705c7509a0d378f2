"""Read side of the catalogue: packages and channels, which packages fit a service, VOD titles
and PPV events, and the offers prepared for a customer.

The fitting rule mirrors ``services.subscriptions.quote`` (which enforces it when a package is
added): sellable, made for the service's kind, not already active, a base package only on a
service without one, an add-on only on top of an active base (the specific one when the add-on
names it). Services that are not active get no suggestions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from tortoise.expressions import Q

from backend.clock import now
from backend.models import Channel, Offer, Package, Service, Subscription, Title
from backend.models.enums import PackageKind, ServiceKind, ServiceStatus, TitleKind
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


def fits(
    package: Package,
    service: Service,
    subscriptions: Iterable[Subscription],
    packages: dict[int, Package],
    day: date | None = None,
) -> bool:
    """Whether ``package`` can be added to ``service`` (see the module docstring)."""
    if not package.sellable or package.service_kind is not service.kind:
        return False
    if service.status is not ServiceStatus.ACTIVE:
        return False
    active_ids = {s.package_id for s in subscriptions if is_active(s, day)}  # type: ignore[attr-defined]
    if package.id in active_ids:
        return False
    bases = {i for i in active_ids if i in packages and packages[i].kind is PackageKind.BASE}
    if package.kind is PackageKind.BASE:
        return not bases
    required = package.requires_base_id  # type: ignore[attr-defined]
    return bool(bases) and (required is None or required in bases)


def available_packages(
    service: Service,
    subscriptions: Iterable[Subscription],
    catalogue: Sequence[Package],
    day: date | None = None,
) -> list[Package]:
    """The packages the customer can still add to ``service``, in catalogue order.

    ``catalogue`` must hold every package the subscriptions refer to (the whole catalogue,
    sellable or not), so that a base that is no longer sold still counts as present."""
    by_id = {p.id: p for p in catalogue}
    subs = list(subscriptions)
    return [p for p in catalogue if fits(p, service, subs, by_id, day)]


TV_KINDS = (ServiceKind.SATELLITE_TV, ServiceKind.MOBILE_TV)


def tv_packages(
    services: Iterable[Service],
    subscriptions: Sequence[Subscription],
    catalogue: Sequence[Package],
    day: date | None = None,
) -> tuple[list[Subscription], list[Package]]:
    """For the start screen: the active packages of the TV services (satellite and mobile TV),
    and the packages that could still be added to any of them (each once, catalogue order
    within a service)."""
    tv = {s.id: s for s in services if s.kind in TV_KINDS}
    active = [s for s in subscriptions if s.service_id in tv and is_active(s, day)]  # type: ignore[attr-defined]
    available: dict[int, Package] = {}
    for service in tv.values():
        own = [s for s in subscriptions if s.service_id == service.id]  # type: ignore[attr-defined]
        for package in available_packages(service, own, catalogue, day):
            available.setdefault(package.id, package)
    return active, list(available.values())


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
    owned = {s.package_id for s in subscriptions if is_active(s)}  # type: ignore[attr-defined]
    kinds = {s.kind for s in services if service_is_open(s)}
    result = []
    for offer in rows:
        package_id = offer.package_id  # type: ignore[attr-defined]
        if package_id is None:
            result.append(offer)
            continue
        package = by_id.get(package_id)
        if package is None or package_id in owned or package.service_kind not in kinds:
            continue
        result.append(offer)
    return result
