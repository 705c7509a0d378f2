"""Offers for you: valid now, general or personal, only for packages the customer lacks and
can use (a service of the package's kind)."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import now
from backend.models.enums import ServiceKind
from tests.factories import (
    login_as,
    make_catalogue,
    make_customer,
    make_offer,
    make_service,
    subscribe,
)

OFFERS = """{ viewer { offers { title description personal promoMonths validFrom validUntil
  monthlyPrice { amount } package { code channels { name } } } } }"""


async def test_personalised_offers(gql, client, settings) -> None:
    cat = await make_catalogue()
    me = await make_customer(settings)
    other = await make_customer(settings)
    tv = await make_service(me)
    await subscribe(tv, cat.sat_base)
    await make_offer("general, no package")
    await make_offer("Filmbox for everyone lacking it", package=cat.sat_film, monthly_price=999)
    await make_offer("Start: already have it", package=cat.sat_base)
    await make_offer("Internet: no such service", package=cat.net_base)
    await make_offer("just for me", customer=me, package=cat.sat_sport, promo_months=3)
    await make_offer("for someone else", customer=other)
    await make_offer("expired", valid_until=now() - timedelta(minutes=1))
    await make_offer("not yet", valid_from=now() + timedelta(days=1))
    await login_as(client, settings, me)

    offers = {o["title"]: o for o in (await gql(OFFERS))["viewer"]["offers"]}
    assert set(offers) == {"general, no package", "Filmbox for everyone lacking it", "just for me"}
    assert offers["just for me"]["personal"] is True
    assert offers["just for me"]["promoMonths"] == 3
    assert offers["just for me"]["package"]["code"] == cat.sat_sport.code
    assert offers["general, no package"]["personal"] is False
    assert offers["general, no package"]["package"] is None
    assert offers["Filmbox for everyone lacking it"]["monthlyPrice"] == {"amount": "9.99"}
    assert len(offers["Filmbox for everyone lacking it"]["package"]["channels"]) == 2

    # Once the customer has an internet service, the internet offer appears.
    await make_service(me, kind=ServiceKind.INTERNET)
    titles = {o["title"] for o in (await gql(OFFERS))["viewer"]["offers"]}
    assert "Internet: no such service" in titles
