"""The start screen in one query: upcoming payments, TV packages, the VOD offer, messages."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import today
from backend.models.enums import ServiceKind
from tests.api.graph_queries import DASHBOARD
from tests.factories import (
    login_as,
    make_catalogue,
    make_customer,
    make_invoice,
    make_message,
    make_service,
    subscribe,
)


async def test_dashboard(gql, client, settings) -> None:
    cat = await make_catalogue()
    customer = await make_customer(settings)
    tv = await make_service(customer)
    await subscribe(tv, cat.sat_base)
    await subscribe(tv, cat.sat_sport, ends_on=today() - timedelta(days=1))  # ended
    mobile = await make_service(customer, kind=ServiceKind.MOBILE_TV)
    internet = await make_service(customer, kind=ServiceKind.INTERNET)
    await subscribe(internet, cat.net_base)
    late = await make_invoice(customer, issued_on=today() - timedelta(days=40))
    await make_message(customer, urgent=True, subject="Awaria")
    await make_message(customer, subject="Nowości")
    await login_as(client, settings, customer)

    board = (await gql(DASHBOARD))["viewer"]["dashboard"]
    payments = board["upcomingPayments"]
    assert [i["number"] for i in payments["invoices"]] == [late.number]
    assert payments["invoices"][0]["overdue"] is True
    assert payments["overdueCount"] == 1
    assert payments["totalDue"] == {"amount": "100.00", "formatted": "100,00\u00a0zł"}
    assert payments["nextCharge"]["amount"]["formatted"] == "108,99\u00a0zł"  # 49.99 + 59.00
    # Only active TV packages (the internet one and the ended Sport are not TV packages now).
    assert [p["package"]["name"] for p in board["tvPackages"]] == ["Start"]
    assert board["tvPackages"][0]["state"] == "ACTIVE"
    # Sport and Filmbox for the satellite service, the mobile-TV base for the mobile service.
    assert sorted(p["name"] for p in board["availableTvPackages"]) == [
        "Filmbox",
        "Sport",
        "TV Mobilna",
    ]
    assert [t["name"] for t in board["featuredTitles"]] == ["Film A", "Gala"]
    assert board["unreadMessageCount"] == 2
    assert [m["subject"] for m in board["urgentMessages"]] == ["Awaria"]
    assert mobile.id


async def test_dashboard_of_a_new_customer(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    board = (await gql(DASHBOARD))["viewer"]["dashboard"]
    assert board["upcomingPayments"]["invoices"] == []
    assert board["upcomingPayments"]["nextCharge"] is None
    assert board["tvPackages"] == [] and board["availableTvPackages"] == []
    assert board["featuredTitles"] == [] and board["urgentMessages"] == []


async def test_dashboard_needs_login(gql) -> None:
    assert (await gql(DASHBOARD))["viewer"] is None
