"""Offers for you: valid now, general or personal, only for packages the customer lacks and
can use (a service of the package's kind)."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import now
from backend.models import Offer
from backend.models.enums import ServiceKind
from tests.factories import login_as, make_customer, make_service
from tests.factories_graph import make_catalogue, subscribe

OFFERS = """{ viewer { offers { title description personal promoMonths validFrom validUntil
  monthlyPrice { amount } package { code channels { name } } } } }"""


async def _offer(title: str, **fields) -> Offer:
    return await Offer.create(
        title=title,
        valid_from=fields.pop("valid_from", now() - timedelta(days=1)),
        valid_until=fields.pop("valid_until", now() + timedelta(days=10)),
        **fields,
    )


async def test_personalised_offers(gql, client, settings) -> None:
    cat = await make_catalogue()
    me = await make_customer(settings)
    other = await make_customer(settings)
    tv = await make_service(me)
    await subscribe(tv, cat.sat_base)
    await _offer("general, no package")
    await _offer("Filmbox for everyone lacking it", package=cat.sat_film, monthly_price=999)
    await _offer("Start: already have it", package=cat.sat_base)
    await _offer("Internet: no such service", package=cat.net_base)
    await _offer("just for me", customer=me, package=cat.sat_sport, promo_months=3)
    await _offer("for someone else", customer=other)
    await _offer("expired", valid_until=now() - timedelta(minutes=1))
    await _offer("not yet", valid_from=now() + timedelta(days=1))
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
    offers = {o["title"] for o in (await gql(OFFERS))["viewer"]["offers"]}
    assert "Internet: no such service" in offers
