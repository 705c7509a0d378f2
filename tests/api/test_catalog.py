"""The catalogue: which packages each service can still add, channels and prices, and the
public catalogue for logged-out visitors."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import today
from backend.models.enums import ServiceKind, ServiceStatus, SuspensionReason
from tests.factories import login_as, make_catalogue, make_customer, make_service, subscribe

AVAILABLE = """{ viewer { services { identifier availablePackages {
  code name kind serviceKind monthlyPrice { amount formatted } dataLimitMb sellable
  channelCount channels { name category hd } requiresBase { code } } } } }"""


async def _available(gql) -> dict[str, list[str]]:
    services = (await gql(AVAILABLE))["viewer"]["services"]
    return {s["identifier"]: [p["code"] for p in s["availablePackages"]] for s in services}


async def test_fitting_rules(gql, client, settings) -> None:
    cat = await make_catalogue()
    customer = await make_customer(settings)
    bare = await make_service(customer)  # no base yet
    start = await make_service(customer)
    await subscribe(start, cat.sat_base)
    other_base = await make_service(customer)
    await subscribe(other_base, cat.sat_base_2)
    full = await make_service(customer)
    await subscribe(full, cat.sat_base)
    await subscribe(full, cat.sat_sport)
    ended = await make_service(customer)
    await subscribe(ended, cat.sat_base, ends_on=today() - timedelta(days=1))
    retired_base = await make_service(customer)
    await subscribe(retired_base, cat.retired)
    internet = await make_service(customer, kind=ServiceKind.INTERNET)
    mobile = await make_service(customer, kind=ServiceKind.MOBILE_TV)
    suspended = await make_service(
        customer, status=ServiceStatus.SUSPENDED, suspension_reason=SuspensionReason.DEBT
    )
    await login_as(client, settings, customer)

    available = await _available(gql)
    # No base: only the sellable satellite bases (not add-ons, not the retired one).
    assert available[bare.identifier] == [cat.sat_base.code, cat.sat_base_2.code]
    # With Start: its add-ons (Sport needs exactly Start, Filmbox any base); no second base.
    assert available[start.identifier] == [cat.sat_sport.code, cat.sat_film.code]
    # With another base: Sport needs Start specifically.
    assert available[other_base.identifier] == [cat.sat_film.code]
    # Already active packages are not offered again.
    assert available[full.identifier] == [cat.sat_film.code]
    # An ended base is no base.
    assert available[ended.identifier] == [cat.sat_base.code, cat.sat_base_2.code]
    # A base no longer sold still counts as the base for add-ons.
    assert available[retired_base.identifier] == [cat.sat_film.code]
    assert available[internet.identifier] == [cat.net_base.code]
    assert available[mobile.identifier] == [cat.mobile_base.code]
    assert available[suspended.identifier] == []


async def test_package_details(gql, client, settings) -> None:
    cat = await make_catalogue()
    customer = await make_customer(settings)
    service = await make_service(customer)
    await subscribe(service, cat.sat_base)
    await login_as(client, settings, customer)
    services = (await gql(AVAILABLE, headers={"Accept-Language": "en"}))["viewer"]["services"]
    sport = next(p for p in services[0]["availablePackages"] if p["code"] == cat.sat_sport.code)
    assert sport["kind"] == "ADDON" and sport["serviceKind"] == "SATELLITE_TV"
    assert sport["monthlyPrice"] == {"amount": "25.00", "formatted": "PLN\u00a025.00"}
    assert sport["requiresBase"] == {"code": cat.sat_base.code}
    assert sport["channelCount"] == 1
    assert sport["channels"][0]["category"] == "sport"
    film = next(p for p in services[0]["availablePackages"] if p["code"] == cat.sat_film.code)
    assert film["requiresBase"] is None and film["channelCount"] == 2


PUBLIC = """query($kind: ServiceKind) { packages(serviceKind: $kind) { code name sellable
  monthlyPrice { formatted } channels { name } }
  vodTitles { name kind price { amount } activePurchase { id } }
  ppv: vodTitles(kind: PPV) { name eventStartsAt }
  featured: vodTitles(featuredOnly: true) { name } }"""


async def test_public_catalogue_without_login(gql) -> None:
    cat = await make_catalogue()
    data = await gql(PUBLIC)
    codes = [p["code"] for p in data["packages"]]
    assert cat.retired.code not in codes
    assert codes[:3] == [cat.sat_base.code, cat.sat_base_2.code, cat.sat_sport.code]
    internet = await gql(PUBLIC, {"kind": "INTERNET"})
    assert [p["code"] for p in internet["packages"]] == [cat.net_base.code]
    titles = [t["name"] for t in data["vodTitles"]]
    assert "Gone" not in titles  # no longer available
    assert titles == ["Film A", "Gala", "Film B"]  # featured first, then by name
    assert all(t["activePurchase"] is None for t in data["vodTitles"])
    assert [t["name"] for t in data["ppv"]] == ["Gala"]
    assert data["ppv"][0]["eventStartsAt"].endswith("+00:00")
    assert sorted(t["name"] for t in data["featured"]) == ["Film A", "Gala"]
    assert (await gql("{ viewer { customerNumber } }"))["viewer"] is None
