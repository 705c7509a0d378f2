"""Accepting an offer prices its package at the offer's price for its months, then the list
price; the monthly fee is one figure ("Your data", the quote's monthly totals) without cancelled
add-ons, and the next invoice another (the quote, the message after adding, Start)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from backend.clock import clock, today
from backend.models import Package, Service
from backend.models.enums import PackageKind, ServiceKind
from backend.schema.relay import to_global_id
from backend.services import subscriptions
from tests.factories import (
    login_as,
    make_contract,
    make_customer,
    make_offer,
    make_package,
    make_service,
    subscribe,
)

QUOTE = """query($s: ID!, $p: ID!, $o: ID) {
  packageQuote(serviceId: $s, packageId: $p, offerId: $o) {
    quote { effectiveOn promoUntil monthlyPrice { amount } regularPrice { amount }
            proratedAmount { amount } currentMonthlyTotal { amount } newMonthlyTotal { amount }
            nextInvoiceTotal { amount } }
    errors { field code } } }"""
ADD = """mutation($input: AddPackageInput!) {
  addPackage(input: $input) {
    subscription { id monthlyPrice { amount } regularPrice { amount } promoUntil }
    quote { newMonthlyTotal { amount } }
    errors { field code } } }"""
CANCEL = """mutation($input: CancelPackageInput!) {
  cancelPackage(input: $input) { subscription { endsOn } errors { code } } }"""
ADD_WITH_MESSAGE = """mutation($input: AddPackageInput!) {
  addPackage(input: $input) {
    quote { nextInvoiceTotal { amount } } message { body } errors { field code } } }"""
FIGURES = """{ viewer {
  monthlyTotal { amount }
  contracts { monthlyTotal { amount } services { monthlyTotal { amount } } }
  upcomingPayments { nextCharge { amount { amount } } }
  offers { title }
  services { subscriptions { package { name } monthlyPrice { amount } } } } }"""


def _amount(grosze: int) -> dict[str, str]:
    return {"amount": f"{grosze // 100}.{grosze % 100:02d}"}


async def _tv(settings: Any) -> tuple[Any, Service, Package]:
    customer = await make_customer(settings)
    service = await make_service(customer, contract=await make_contract(customer))
    await subscribe(service, await make_package(monthly_price=5999, name="Start"))
    sport = await make_package(kind=PackageKind.ADDON, monthly_price=3499, name="Sport")
    return customer, service, sport


def _ids(service: Service, package: Package, offer_id: int | None = None) -> dict[str, Any]:
    ids: dict[str, Any] = {
        "s": to_global_id("Service", service.id),
        "p": to_global_id("Package", package.id),
    }
    if offer_id is not None:
        ids["o"] = to_global_id("Offer", offer_id)
    return ids


async def _figures(gql: Any) -> dict[str, Any]:
    viewer = (await gql(FIGURES))["viewer"]
    contract = viewer["contracts"][0]
    return {
        "your data (viewer)": viewer["monthlyTotal"],
        "your data (contract)": contract["monthlyTotal"],
        "services": [s["monthlyTotal"] for s in contract["services"]],
        "start (next charge)": viewer["upcomingPayments"]["nextCharge"]["amount"],
        "offers": [o["title"] for o in viewer["offers"]],
    }


async def test_an_accepted_offer_is_charged_at_its_price_for_its_months(
    gql, client, settings
) -> None:
    customer, service, sport = await _tv(settings)
    offer = await make_offer(
        "Sport – 3 months at half price", package=sport, monthly_price=1749, promo_months=3
    )
    await login_as(client, settings, customer)
    assert (await _figures(gql))["offers"] == ["Sport – 3 months at half price"]

    day = today()  # 2026-11-18: 13 of 30 days left
    quote = (await gql(QUOTE, _ids(service, sport, offer.id)))["packageQuote"]
    assert quote["errors"] == []
    assert quote["quote"] == {
        "effectiveOn": day.isoformat(),
        "promoUntil": "2027-02-28",  # the rest of November, then December to February
        "monthlyPrice": _amount(1749),
        "regularPrice": _amount(3499),
        "proratedAmount": _amount(subscriptions.prorate(1749, day)),
        "currentMonthlyTotal": _amount(5999),
        "newMonthlyTotal": _amount(5999 + 1749),
        "nextInvoiceTotal": _amount(subscriptions.prorate(1749, day) + 5999 + 1749),
    }
    without = (await gql(QUOTE, _ids(service, sport)))["packageQuote"]["quote"]
    assert without["monthlyPrice"] == _amount(3499) and without["promoUntil"] is None

    input_ = {
        "serviceId": to_global_id("Service", service.id),
        "packageId": to_global_id("Package", sport.id),
        "offerId": to_global_id("Offer", offer.id),
    }
    added = (await gql(ADD, {"input": input_}))["addPackage"]
    assert added["errors"] == []
    assert added["subscription"]["monthlyPrice"] == _amount(1749)
    assert added["subscription"]["regularPrice"] == _amount(3499)
    assert added["subscription"]["promoUntil"] == "2027-02-28"
    assert added["quote"]["newMonthlyTotal"] == _amount(5999 + 1749)

    figures = await _figures(gql)
    assert figures == {
        "your data (viewer)": _amount(7748),
        "your data (contract)": _amount(7748),
        "services": [_amount(7748)],
        # The next invoice: the monthly fee plus November's pro-rata, as the quote promised.
        "start (next charge)": quote["quote"]["nextInvoiceTotal"],
        "offers": [],  # used: not offered again
    }

    # February is the last month at the offer's price; March's charge is the list price.
    clock.travel_to(datetime(2027, 1, 20, 9, tzinfo=UTC))
    await login_as(client, settings, customer)  # the session has long expired
    assert (await _figures(gql))["start (next charge)"] == _amount(7748)
    clock.travel_to(datetime(2027, 2, 20, 9, tzinfo=UTC))
    await login_as(client, settings, customer)  # the session has long expired
    figures = await _figures(gql)
    assert figures["start (next charge)"] == _amount(5999 + 3499)
    assert figures["your data (viewer)"] == _amount(5999 + 3499)
    prices = (await gql(FIGURES))["viewer"]["services"][0]["subscriptions"]
    assert {p["package"]["name"]: p["monthlyPrice"] for p in prices}["Sport"] == _amount(1749)
    clock.travel_to(datetime(2027, 3, 1, 9, tzinfo=UTC))
    await login_as(client, settings, customer)  # the session has long expired
    prices = (await gql(FIGURES))["viewer"]["services"][0]["subscriptions"]
    assert {p["package"]["name"]: p["monthlyPrice"] for p in prices}["Sport"] == _amount(3499)


async def test_an_offer_is_used_once_and_only_for_its_package(gql, client, settings) -> None:
    customer, service, sport = await _tv(settings)
    film = await make_package(kind=PackageKind.ADDON, monthly_price=1999, name="Film")
    offer = await make_offer("Sport", package=sport, monthly_price=1749, promo_months=3)
    expired = await make_offer(
        "old", package=sport, monthly_price=1, valid_until=clock.now() - timedelta(minutes=1)
    )
    someone_elses = await make_offer(
        "theirs", package=sport, monthly_price=1, customer=await make_customer(settings)
    )
    await login_as(client, settings, customer)

    async def code(package: Package, offer_id: int, on: Service = service) -> Any:
        errors = (await gql(QUOTE, _ids(on, package, offer_id)))["packageQuote"]["errors"]
        return [(e["field"], e["code"]) for e in errors]

    assert await code(film, offer.id) == [("offerId", "OFFER_NOT_FOR_PACKAGE")]
    assert await code(sport, expired.id) == [("offerId", "NOT_FOUND")]
    assert await code(sport, someone_elses.id) == [("offerId", "NOT_FOUND")]
    input_ = {
        "serviceId": to_global_id("Service", service.id),
        "packageId": to_global_id("Package", sport.id),
        "offerId": to_global_id("Offer", offer.id),
    }
    assert (await gql(ADD, {"input": input_}))["addPackage"]["errors"] == []

    # A second TV service of the same customer: the offer was used.
    other = await make_service(customer)
    await subscribe(other, await make_package(monthly_price=5999, name="Start 2"))
    assert await code(sport, offer.id, other) == [("offerId", "OFFER_ALREADY_USED")]
    again = {**input_, "serviceId": to_global_id("Service", other.id)}
    errors = (await gql(ADD, {"input": again}))["addPackage"]["errors"]
    assert errors == [{"field": "offerId", "code": "OFFER_ALREADY_USED"}]


async def test_the_monthly_fee_and_the_next_invoice_are_one_figure_each(
    gql, client, settings
) -> None:
    """Add Sport, cancel it, add Kino+ (issue 11.5), with a second service: "Your data" shows the
    monthly fee without the cancelled Sport; the quote, the message after adding and Start show
    one next invoice: all services' fees plus the pro-rata of both packages added this month."""
    customer, service, sport = await _tv(settings)
    internet = await make_service(
        customer, kind=ServiceKind.INTERNET, contract=await service.contract
    )
    await subscribe(internet, await make_package(monthly_price=4999, name="Światłowód"))
    kino = await make_package(kind=PackageKind.ADDON, monthly_price=2999, name="Kino+")
    await login_as(client, settings, customer)
    add = {"serviceId": to_global_id("Service", service.id)}
    added = await gql(ADD, {"input": {**add, "packageId": to_global_id("Package", sport.id)}})
    subscription_id = added["addPackage"]["subscription"]["id"]
    cancelled = await gql(CANCEL, {"input": {"subscriptionId": subscription_id}})
    assert cancelled["cancelPackage"]["errors"] == []

    quote = (await gql(QUOTE, _ids(service, kino)))["packageQuote"]["quote"]
    assert quote["currentMonthlyTotal"] == _amount(5999)
    assert quote["newMonthlyTotal"] == _amount(5999 + 2999)
    # 18 November: 13 of 30 days left; Sport 34.99 -> 15.16, Kino+ 29.99 -> 13.00 (12.9957).
    assert quote["proratedAmount"] == _amount(1300)
    assert quote["nextInvoiceTotal"] == _amount(5999 + 2999 + 4999 + 1516 + 1300)
    added = await gql(
        ADD_WITH_MESSAGE, {"input": {**add, "packageId": to_global_id("Package", kino.id)}}
    )
    assert added["addPackage"]["errors"] == []
    assert added["addPackage"]["quote"]["nextInvoiceTotal"] == quote["nextInvoiceTotal"]
    assert "168,13\u00a0zł" in added["addPackage"]["message"]["body"]

    figures = await _figures(gql)
    assert figures == {
        "your data (viewer)": _amount(5999 + 2999 + 4999),
        "your data (contract)": _amount(5999 + 2999 + 4999),
        "services": [quote["newMonthlyTotal"], _amount(4999)],
        "start (next charge)": quote["nextInvoiceTotal"],
        "offers": [],
    }
    # In December the pro-rata is behind (on the 1 December invoice): the fees alone.
    clock.travel_to(datetime(2026, 12, 10, 9, tzinfo=UTC))
    await login_as(client, settings, customer)  # the session has long expired
    assert (await _figures(gql))["start (next charge)"] == _amount(5999 + 2999 + 4999)
