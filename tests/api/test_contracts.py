"""Contracts with their services, subscriptions, monthly totals, usage and suspension."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import now, today
from backend.models.enums import ServiceKind, ServiceStatus, SuspensionReason
from tests.factories import (
    login_as,
    make_catalogue,
    make_contract,
    make_customer,
    make_service,
    make_usage,
    subscribe,
)

CONTRACTS = """{ viewer { monthlyTotal { amount formatted }
  contracts { number signedOn endsOn daysRemaining status monthlyTotal { amount }
    services { kind identifier name status suspensionReason suspendedAt activatedOn
      monthlyTotal { amount }
      subscriptions { state startsOn endsOn active monthlyPrice { amount }
        package { code kind } service { identifier } }
      all: subscriptions(includeEnded: true) { package { code } state }
      usage { periodStart periodEnd dataUsedMb dataLimitMb percentUsed remainingMb } } }
  services { identifier contract { number } } } }"""


async def test_contracts_services_and_totals(gql, client, settings) -> None:
    cat = await make_catalogue()
    customer = await make_customer(settings)
    fixed = await make_contract(customer, ends_on=today() + timedelta(days=45))
    open_ended = await make_contract(customer)
    tv = await make_service(customer, contract=fixed, name="Salon")
    await subscribe(tv, cat.sat_base, monthly_price=3999)  # a negotiated price
    await subscribe(tv, cat.sat_sport, ends_on=today() + timedelta(days=10))
    await subscribe(tv, cat.sat_film, ends_on=today() - timedelta(days=1))
    await subscribe(tv, cat.sat_base_2, starts_on=today() + timedelta(days=5))
    net = await make_service(
        customer,
        kind=ServiceKind.INTERNET,
        contract=open_ended,
        status=ServiceStatus.SUSPENDED,
        suspension_reason=SuspensionReason.DEBT,
        suspended_at=now(),
    )
    await subscribe(net, cat.net_base)
    period_start = today() - timedelta(days=3)
    await make_usage(net, period_start=period_start, data_used_mb=30_000)
    last = period_start - timedelta(days=30)
    await make_usage(net, period_start=last, data_used_mb=99_000)  # last period: not shown
    other = await make_customer(settings)
    await make_service(other, contract=await make_contract(other))
    await login_as(client, settings, customer)

    viewer = (await gql(CONTRACTS))["viewer"]
    # The monthly fee is next period's: 39.99 + Familijny (from the 23rd) 69.99 + internet 59.00;
    # Sport ends on the 28th and is not in it.
    assert viewer["monthlyTotal"] == {"amount": "168.98", "formatted": "168,98\u00a0zł"}
    by_number = {c["number"]: c for c in viewer["contracts"]}
    assert set(by_number) == {fixed.number, open_ended.number}
    first = by_number[fixed.number]
    assert first["daysRemaining"] == 45
    assert first["endsOn"] == (today() + timedelta(days=45)).isoformat()
    assert first["status"] == "ACTIVE"
    assert first["monthlyTotal"]["amount"] == "109.98"
    assert by_number[open_ended.number]["daysRemaining"] is None
    assert by_number[open_ended.number]["endsOn"] is None

    service = first["services"][0]
    assert service["kind"] == "SATELLITE_TV"
    assert service["identifier"] == tv.identifier and service["name"] == "Salon"
    assert service["status"] == "ACTIVE" and service["suspensionReason"] is None
    assert service["monthlyTotal"]["amount"] == "109.98"
    states = {s["package"]["code"]: s for s in service["subscriptions"]}
    assert set(states) == {cat.sat_base.code, cat.sat_sport.code, cat.sat_base_2.code}
    assert states[cat.sat_base.code]["state"] == "ACTIVE"
    assert states[cat.sat_base.code]["monthlyPrice"]["amount"] == "39.99"
    assert states[cat.sat_base.code]["package"]["kind"] == "BASE"
    assert states[cat.sat_sport.code]["state"] == "ENDING"
    assert states[cat.sat_sport.code]["active"] is True
    assert states[cat.sat_base_2.code]["state"] == "SCHEDULED"
    assert states[cat.sat_base_2.code]["active"] is False
    assert states[cat.sat_base.code]["service"]["identifier"] == tv.identifier
    ended = [s for s in service["all"] if s["state"] == "ENDED"]
    assert [s["package"]["code"] for s in ended] == [cat.sat_film.code]
    assert service["usage"] is None

    internet = by_number[open_ended.number]["services"][0]
    assert internet["status"] == "SUSPENDED"
    assert internet["suspensionReason"] == "DEBT"
    assert internet["suspendedAt"].endswith("+00:00")
    assert internet["usage"] == {
        "periodStart": period_start.isoformat(),
        "periodEnd": (period_start + timedelta(days=29)).isoformat(),
        "dataUsedMb": 30_000,
        "dataLimitMb": 100_000,
        "percentUsed": 30.0,
        "remainingMb": 70_000,
    }
    assert {s["identifier"] for s in viewer["services"]} == {tv.identifier, net.identifier}


async def test_unlimited_usage(gql, client, settings) -> None:
    customer = await make_customer(settings)
    net = await make_service(customer, kind=ServiceKind.INTERNET)
    await make_usage(net, period_start=today(), days=31, data_used_mb=5, data_limit_mb=None)
    await login_as(client, settings, customer)
    service = (
        await gql("{ viewer { services { usage { percentUsed remainingMb dataLimitMb } } } }")
    )["viewer"]["services"][0]
    assert service["usage"] == {"percentUsed": None, "remainingMb": None, "dataLimitMb": None}


async def test_customer_without_anything(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    viewer = (await gql(CONTRACTS))["viewer"]
    assert viewer == {
        "monthlyTotal": {"amount": "0.00", "formatted": "0,00\u00a0zł"},
        "contracts": [],
        "services": [],
    }


async def test_days_remaining_never_negative(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await make_contract(customer, ends_on=today() - timedelta(days=3))
    await make_contract(customer, ends_on=today())
    await login_as(client, settings, customer)
    contracts = (await gql("{ viewer { contracts { daysRemaining } } }"))["viewer"]["contracts"]
    assert sorted(c["daysRemaining"] for c in contracts) == [0, 0]
