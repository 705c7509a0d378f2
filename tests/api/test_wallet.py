"""purchaseVod / purchasePpv through the app: funds, errors, and 50 purchases at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from backend.clock import clock, now
from backend.models import Purchase, Wallet, WalletTransaction
from backend.models.enums import TitleKind
from backend.schema.relay import to_global_id
from backend.services import wallet
from tests.factories import login_as, make_customer, make_title, make_wallet

BUY = """
mutation($input: PurchaseVodInput!) {
  purchaseVod(input: $input) {
    purchase { id price { amount } availableUntil }
    wallet { balance { amount currency formatted } }
    errors { field code message }
  }
}"""
BUY_PPV = BUY.replace("purchaseVod(", "purchasePpv(").replace(
    "PurchaseVodInput", "PurchaseVodInput"
)


async def test_purchase_and_insufficient_funds(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    await make_wallet(customer, balance=2500)
    vod = await make_title(price=1500)
    ppv = await make_title(price=1999, kind=TitleKind.PPV)
    bought = (await gql(BUY, {"input": {"titleId": to_global_id("Title", vod.id)}}))["purchaseVod"]
    assert bought["errors"] == [] and bought["wallet"]["balance"]["amount"] == "10.00"
    short = (await gql(BUY_PPV, {"input": {"titleId": to_global_id("Title", ppv.id)}}))[
        "purchasePpv"
    ]
    assert short["purchase"] is None
    assert short["errors"] == [
        {
            "field": "titleId",
            "code": "INSUFFICIENT_FUNDS",
            "message": "Za mało środków w portmonetce. Brakuje 9,99\u00a0zł. Doładuj portmonetkę.",
        }
    ]
    twice = (await gql(BUY, {"input": {"titleId": to_global_id("Title", vod.id)}}))["purchaseVod"]
    assert twice["errors"][0]["code"] == "ALREADY_PURCHASED"
    for bad in ("", "nonsense", to_global_id("Package", vod.id), to_global_id("Title", 999999)):
        data = (await gql(BUY, {"input": {"titleId": bad}}))["purchaseVod"]
        assert data["errors"][0]["code"] == "NOT_FOUND", bad
    assert (await Wallet.get(customer_id=customer.id)).balance == 1000


async def test_fifty_simultaneous_purchases_over_http(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    await make_wallet(customer, balance=12 * 700 + 300)
    titles = [await make_title(price=700) for _ in range(50)]
    results = await asyncio.gather(
        *(gql(BUY, {"input": {"titleId": to_global_id("Title", t.id)}}) for t in titles)
    )
    ok = [r for r in results if not r["purchaseVod"]["errors"]]
    refused = [r["purchaseVod"]["errors"][0]["code"] for r in results if r["purchaseVod"]["errors"]]
    assert len(ok) == 12 and refused == ["INSUFFICIENT_FUNDS"] * 38
    purse = await Wallet.get(customer_id=customer.id)
    assert purse.balance == 300 == await wallet.ledger_sum(purse.id)
    assert await Purchase.filter(customer_id=customer.id).count() == 12
    assert await WalletTransaction.filter(wallet=purse).count() == 13


CATALOGUE = "{ viewer { vodCatalogue { id } } }"


async def test_what_is_listed_is_what_can_be_bought(gql, client, settings) -> None:
    """One rule (``catalog.on_sale``) decides both: a PPV event stays on sale until it ends,
    a title until its sale closes; the list and the purchase agree as time moves."""
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    await make_wallet(customer, balance=100_000)
    at = now()
    titles = {
        "vod": await make_title(price=100),
        "vod closing": await make_title(price=100, available_until=at + timedelta(hours=1)),
        "ppv in a day": await make_title(
            price=100,
            kind=TitleKind.PPV,
            event_starts_at=at + timedelta(days=1),
            duration_minutes=120,
        ),
        "ppv running": await make_title(
            price=100,
            kind=TitleKind.PPV,
            event_starts_at=at - timedelta(minutes=30),
            duration_minutes=120,
        ),
        "ppv over": await make_title(
            price=100,
            kind=TitleKind.PPV,
            event_starts_at=at - timedelta(hours=3),
            duration_minutes=120,
        ),
        "ppv no start": await make_title(price=100, kind=TitleKind.PPV, event_starts_at=None),
    }

    async def listed() -> set[str]:
        await login_as(client, settings, customer)  # the clock moved past the idle timeout
        ids = {t["id"] for t in (await gql(CATALOGUE))["viewer"]["vodCatalogue"]}
        return {name for name, t in titles.items() if to_global_id("Title", t.id) in ids}

    async def buyable(names: set[str]) -> set[str]:
        bought = set()
        for name in names:
            query = BUY_PPV if titles[name].kind is TitleKind.PPV else BUY
            field = "purchasePpv" if titles[name].kind is TitleKind.PPV else "purchaseVod"
            gid = to_global_id("Title", titles[name].id)
            result = (await gql(query, {"input": {"titleId": gid}}))[field]
            if result["errors"]:
                assert result["errors"][0]["code"] == "TITLE_NOT_AVAILABLE", (name, result)
            else:
                bought.add(name)
        return bought

    assert await listed() == {"vod", "vod closing", "ppv in a day", "ppv running"}
    assert await buyable({"ppv over", "ppv no start"}) == set()
    assert await buyable({"ppv running"}) == {"ppv running"}
    clock.advance(hours=2)  # the sale of "vod closing" has closed, "ppv running" has ended
    assert await listed() == {"vod", "ppv in a day"}
    assert await buyable({"vod closing"}) == set()
    clock.advance(hours=23)  # "ppv in a day" started an hour ago: still on sale
    assert await listed() == {"vod", "ppv in a day"}
    clock.advance(hours=1)
    assert await listed() == {"vod"}
    assert await buyable({"ppv in a day"}) == set()


ASKED = """query($id: ID!) { node(id: $id) { ... on Title { watchableUntilIfBoughtNow } } }"""


async def test_the_question_before_buying_says_until_when(gql, client, settings) -> None:
    """What the purchase question shows (watchableUntilIfBoughtNow) is what the purchase gets:
    a VOD rental rentalHours from now, a PPV ticket until its event ends."""
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    await make_wallet(customer, balance=10000)
    vod = await make_title(rental_hours=48)
    ppv = await make_title(kind=TitleKind.PPV, duration_minutes=90)
    expected = {
        vod: now() + timedelta(hours=48),
        ppv: (ppv.event_starts_at or now()) + timedelta(minutes=90),
    }
    for title, mutation, field in ((vod, BUY, "purchaseVod"), (ppv, BUY_PPV, "purchasePpv")):
        title_id = to_global_id("Title", title.id)
        asked = (await gql(ASKED, {"id": title_id}))["node"]["watchableUntilIfBoughtNow"]
        assert asked == expected[title].isoformat(), title.kind
        bought = (await gql(mutation, {"input": {"titleId": title_id}}))[field]
        assert bought["purchase"]["availableUntil"] == asked, title.kind
