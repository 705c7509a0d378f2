"""One rule decides which packages can be added to a service, and one when a subscription is
active: listing (``availablePackages``, the dashboard, offers), quoting (``packageQuote``) and
enforcement (``addPackage``) agree on every service and package, for every reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.clock import today
from backend.models import Package, Service, Subscription
from backend.models.enums import ServiceKind, ServiceStatus, SuspensionReason
from backend.schema.relay import to_global_id
from backend.services import subscriptions
from tests.factories import (
    login_as,
    make_catalogue,
    make_customer,
    make_offer,
    make_service,
    subscribe,
)

LISTED = """{ viewer {
  services { id availablePackages { id } }
  dashboard { availableTvPackages { id } }
  offers { package { id } }
} }"""
QUOTE = """
query($s: ID!, $p: ID!) {
  packageQuote(serviceId: $s, packageId: $p) { quote { effectiveOn } errors { field code } }
}"""
ADD = """
mutation($input: AddPackageInput!) {
  addPackage(input: $input) { subscription { id } errors { field code } }
}"""


async def _situation(settings: Any, client: Any) -> tuple[dict[str, Service], dict[str, Package]]:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    cat = await make_catalogue()
    packages = {
        "base": cat.sat_base,
        "other base": cat.sat_base_2,
        "add-on of base": cat.sat_sport,
        "any add-on": cat.sat_film,
        "internet": cat.net_base,
        "mobile": cat.mobile_base,
        "not sold": cat.retired,
    }
    sat = ServiceKind.SATELLITE_TV
    services = {
        "empty": await make_service(customer, kind=sat),
        "with base": await make_service(customer, kind=sat),
        "base ending": await make_service(customer, kind=sat),
        "base ended": await make_service(customer, kind=sat),
        "base scheduled": await make_service(customer, kind=sat),
        "other base": await make_service(customer, kind=sat),
        "debt": await make_service(
            customer,
            kind=sat,
            status=ServiceStatus.SUSPENDED,
            suspension_reason=SuspensionReason.DEBT,
        ),
        "suspended": await make_service(
            customer,
            kind=sat,
            status=ServiceStatus.SUSPENDED,
            suspension_reason=SuspensionReason.TECHNICAL,
        ),
        "closed": await make_service(customer, kind=sat, status=ServiceStatus.TERMINATED),
        "internet": await make_service(customer, kind=ServiceKind.INTERNET),
        "mobile": await make_service(customer, kind=ServiceKind.MOBILE_TV),
    }
    day = today()
    await subscribe(services["with base"], cat.sat_base)
    await subscribe(services["base ending"], cat.sat_base, ends_on=day + timedelta(days=3))
    await subscribe(services["base ended"], cat.sat_base, ends_on=day - timedelta(days=1))
    await subscribe(services["base scheduled"], cat.sat_base, starts_on=day + timedelta(days=1))
    await subscribe(services["other base"], cat.sat_base_2)
    for name in ("debt", "suspended", "closed"):
        await subscribe(services[name], cat.sat_base)
    return services, packages


# The reason each refusal must give (service, package) -> code; every other pair is checked
# for agreement only.
EXPECTED = {
    ("empty", "base"): None,
    ("empty", "any add-on"): "BASE_PACKAGE_REQUIRED",
    ("empty", "not sold"): "PACKAGE_NOT_AVAILABLE",
    ("empty", "internet"): "PACKAGE_NOT_AVAILABLE",
    ("with base", "base"): "PACKAGE_ALREADY_ACTIVE",
    ("with base", "other base"): "PACKAGE_NOT_AVAILABLE",
    ("with base", "add-on of base"): None,
    ("with base", "any add-on"): None,
    ("base ending", "base"): "PACKAGE_ALREADY_ACTIVE",
    ("base ending", "add-on of base"): None,
    ("base ended", "base"): None,
    ("base ended", "any add-on"): "BASE_PACKAGE_REQUIRED",
    ("base scheduled", "other base"): None,
    ("base scheduled", "any add-on"): "BASE_PACKAGE_REQUIRED",
    ("other base", "add-on of base"): "BASE_PACKAGE_REQUIRED",
    ("other base", "any add-on"): None,
    ("debt", "any add-on"): "SERVICE_SUSPENDED_FOR_DEBT",
    ("suspended", "any add-on"): "SERVICE_SUSPENDED",
    ("closed", "base"): "NOT_FOUND",
    ("internet", "internet"): None,
    ("internet", "base"): "PACKAGE_NOT_AVAILABLE",
    ("mobile", "mobile"): None,
}


async def test_listing_quoting_and_adding_agree(db, gql, client, settings) -> None:
    services, packages = await _situation(settings, client)
    for name, package in packages.items():
        await make_offer(f"offer: {name}", package=package)
    viewer = (await gql(LISTED))["viewer"]
    listed = {s["id"]: {p["id"] for p in s["availablePackages"]} for s in viewer["services"]}
    before = await Subscription.all().count()
    seen: set[tuple[str, str]] = set()
    for service_name, service in services.items():
        sid = to_global_id("Service", service.id)
        for package_name, package in packages.items():
            pid = to_global_id("Package", package.id)
            quoted = (await gql(QUOTE, {"s": sid, "p": pid}))["packageQuote"]
            quote_code = quoted["errors"][0]["code"] if quoted["errors"] else None
            where = (service_name, package_name)
            assert (pid in listed[sid]) == (quote_code is None), where
            assert (quoted["quote"] is None) == (quote_code is not None), where
            if where in EXPECTED:
                assert quote_code == EXPECTED[where], where
                seen.add(where)
            if quote_code is None:
                continue
            added = await gql(ADD, {"input": {"serviceId": sid, "packageId": pid}})
            assert added["addPackage"]["subscription"] is None, where
            assert added["addPackage"]["errors"] == quoted["errors"], where
    assert seen == set(EXPECTED)
    assert await Subscription.all().count() == before  # every refusal refused
    # The dashboard offers what the TV services list (each package once).
    tv = {
        to_global_id("Service", s.id) for s in services.values() if s.kind in subscriptions.TV_KINDS
    }
    expected_tv = set().union(*(listed[sid] for sid in tv))
    assert {p["id"] for p in viewer["dashboard"]["availableTvPackages"]} == expected_tv
    # An offer is shown only for what some service lists, so every offer can be accepted.
    offered = {o["package"]["id"] for o in viewer["offers"]}
    assert offered == set().union(*listed.values())
    assert offered < {to_global_id("Package", p.id) for p in packages.values()}
    # And what is listed can be added.
    for service in services.values():
        sid = to_global_id("Service", service.id)
        for pid in sorted(listed[sid])[:1]:
            added = await gql(ADD, {"input": {"serviceId": sid, "packageId": pid}})
            assert added["addPackage"]["errors"] == [], (sid, pid)


async def test_one_definition_of_active(db, settings) -> None:
    """The state shown, ``is_active``, the monthly total and the period rule agree."""
    customer = await make_customer(settings)
    service = await make_service(customer)
    cat = await make_catalogue()
    day = today()
    cases = {  # one subscription per package and start day on a service (a unique key)
        "running": (day - timedelta(days=10), None),
        "ending": (day - timedelta(days=11), day + timedelta(days=2)),
        "last day": (day - timedelta(days=12), day),
        "first day": (day, None),
        "ended": (day - timedelta(days=13), day - timedelta(days=1)),
        "scheduled": (day + timedelta(days=1), None),
    }
    subs = {
        name: await subscribe(
            service, cat.sat_film, starts_on=start, ends_on=end, monthly_price=100
        )
        for name, (start, end) in cases.items()
    }
    active = {name for name, s in subs.items() if subscriptions.is_active(s, day)}
    assert active == {"running", "ending", "last day", "first day"}
    for name, sub in subs.items():
        state = subscriptions.subscription_state(sub, day)
        assert (state in subscriptions.ON_STATES) == (name in active), name
        assert subscriptions.runs_during(sub, day, day) == (name in active), name
    first = subscriptions.next_period_start(day)
    on_next = [s for s in subs.values() if subscriptions.is_active(s, first)]
    assert subscriptions.monthly_fee(subs.values(), day) == 100 * len(on_next)
    found = await Subscription.filter(subscriptions.active_on(day), service_id=service.id)
    assert {s.id for s in found} == {subs[name].id for name in active}
