"""purchaseVod / purchasePpv through the app: funds, errors, and 50 purchases at once."""

from __future__ import annotations

import asyncio

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
            "message": "Za mało środków w portmonetce. Brakuje 9,99 zł. Doładuj portmonetkę.",
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
