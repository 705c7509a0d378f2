"""The catalogue: channels, packages, VOD titles and PPV events, offers; subscriptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from backend.clock import now, today
from backend.models import Channel, Customer, Offer, Package, Service, Subscription, Title
from backend.models.enums import PackageKind, ServiceKind, TitleKind
from tests.factories import sequences


async def make_channel(*, category: str = "news", hd: bool = True, **fields: Any) -> Channel:
    return await Channel.create(
        **{"name": sequences.channel_name(), "category": category, "hd": hd, **fields}
    )


async def make_package(
    *,
    kind: PackageKind = PackageKind.BASE,
    service_kind: ServiceKind = ServiceKind.SATELLITE_TV,
    monthly_price: int = 3000,
    requires_base: Package | None = None,
    sellable: bool = True,
    **fields: Any,
) -> Package:
    """A sellable satellite base package for 30 zł a month (prices in grosze) unless told
    otherwise; code, name and position come from one sequence."""
    code = sequences.package_code()
    defaults: dict[str, Any] = {
        "code": code,
        "name": f"Pakiet {code}",
        "position": sequences.position(),
    }
    return await Package.create(
        kind=kind,
        service_kind=service_kind,
        monthly_price=monthly_price,
        requires_base=requires_base,
        sellable=sellable,
        **{**defaults, **fields},
    )


async def make_title(
    *,
    price: int = 1500,
    kind: TitleKind = TitleKind.VOD,
    available_days: int | None = 30,
    **fields: Any,
) -> Title:
    """A VOD title (or a PPV event in two days) for ``price`` grosze, available for
    ``available_days`` days from now (forever when None)."""
    defaults: dict[str, Any] = {
        "name": sequences.title_name(),
        "available_until": now() + timedelta(days=available_days) if available_days else None,
        "event_starts_at": now() + timedelta(days=2) if kind is TitleKind.PPV else None,
    }
    return await Title.create(kind=kind, price=price, **{**defaults, **fields})


async def make_offer(
    title: str = "Oferta",
    *,
    customer: Customer | None = None,
    package: Package | None = None,
    **fields: Any,
) -> Offer:
    """An offer valid from yesterday until 10 days from now, for ``customer`` (everyone when
    None), of ``package`` (none when None)."""
    defaults: dict[str, Any] = {
        "valid_from": now() - timedelta(days=1),
        "valid_until": now() + timedelta(days=10),
    }
    return await Offer.create(
        title=title, customer=customer, package=package, **{**defaults, **fields}
    )


async def subscribe(
    service: Service, package: Package, *, starts_on: date | None = None, **fields: Any
) -> Subscription:
    """``service`` subscribed to ``package`` since 100 days ago at the package's price."""
    return await Subscription.create(
        service=service,
        package=package,
        starts_on=starts_on or today() - timedelta(days=100),
        monthly_price=fields.pop("monthly_price", package.monthly_price),
        **fields,
    )


@dataclass
class Catalogue:
    sat_base: Package
    sat_base_2: Package
    sat_sport: Package  # add-on needing sat_base specifically
    sat_film: Package  # add-on fitting any base
    net_base: Package
    mobile_base: Package
    retired: Package  # no longer sellable
    titles: list[Title] = field(default_factory=list)


async def make_catalogue() -> Catalogue:
    """A small catalogue: two satellite bases, two add-ons, internet, mobile TV, a retired
    package, and four titles (two VOD, one PPV event, one no longer available)."""
    channels = [
        await make_channel(category=cat, hd=i % 2 == 0)
        for i, cat in enumerate(["news", "sport", "film", "kids"])
    ]
    sat_base = await make_package(name="Start", monthly_price=4999)
    await sat_base.channels.add(*channels[:2])
    sat_base_2 = await make_package(name="Familijny", monthly_price=6999)
    sport = await make_package(
        name="Sport", kind=PackageKind.ADDON, monthly_price=2500, requires_base=sat_base
    )
    await sport.channels.add(channels[1])
    film = await make_package(name="Filmbox", kind=PackageKind.ADDON, monthly_price=1999)
    await film.channels.add(channels[2], channels[3])
    net = await make_package(
        name="Internet 100 GB",
        service_kind=ServiceKind.INTERNET,
        monthly_price=5900,
        data_limit_mb=100_000,
    )
    mobile = await make_package(
        name="TV Mobilna", service_kind=ServiceKind.MOBILE_TV, monthly_price=1500
    )
    retired = await make_package(name="Stary", sellable=False, monthly_price=3000)
    titles = [
        await make_title(name="Film A", price=999, featured=True, available_days=None),
        await make_title(name="Film B", price=1499, available_days=None),
        await make_title(
            kind=TitleKind.PPV,
            name="Gala",
            price=3999,
            event_starts_at=now() + timedelta(days=3),
            featured=True,
            available_days=None,
        ),
        await make_title(
            name="Gone", price=500, available_until=now() - timedelta(days=1), available_days=None
        ),
    ]
    return Catalogue(sat_base, sat_base_2, sport, film, net, mobile, retired, titles)
