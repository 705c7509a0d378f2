"""The wallet: balance, ledger connection, VOD / PPV catalogue with the viewer's purchases."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import now
from backend.models import Purchase
from tests.factories import login_as, make_catalogue, make_customer, make_wallet

WALLET = """{ viewer {
  wallet { balance { amount formatted } updatedAt
    transactions(first: 10) { totalCount nodes { kind amount { amount } balanceAfter { amount }
      description createdAt purchase { title { name } price { amount } } } } }
  purchases { price { amount } active availableUntil title { name kind } }
  vodCatalogue { name activePurchase { availableUntil } }
  ppv: vodCatalogue(kind: PPV) { name } } }"""


async def test_wallet_ledger_and_purchases(gql, client, settings) -> None:
    cat = await make_catalogue()
    customer = await make_customer(settings)
    await make_wallet(customer, title=cat.titles[0])  # 100.00 top-up, then Film A for 9.99
    await login_as(client, settings, customer)
    viewer = (await gql(WALLET))["viewer"]
    wallet = viewer["wallet"]
    assert wallet["balance"] == {"amount": "90.01", "formatted": "90,01\u00a0zł"}
    ledger = wallet["transactions"]["nodes"]
    assert wallet["transactions"]["totalCount"] == 2
    assert [t["kind"] for t in ledger] == ["PURCHASE", "TOP_UP"]
    assert ledger[0]["amount"]["amount"] == "-9.99"
    assert ledger[0]["balanceAfter"]["amount"] == "90.01"
    assert ledger[0]["purchase"] == {"title": {"name": "Film A"}, "price": {"amount": "9.99"}}
    assert ledger[1]["purchase"] is None
    # The ledger sums to the balance.
    total = sum(round(float(t["amount"]["amount"]) * 100) for t in ledger)
    assert total == 9001

    assert viewer["purchases"] == [
        {
            "price": {"amount": "9.99"},
            "active": True,
            "availableUntil": viewer["purchases"][0]["availableUntil"],
            "title": {"name": "Film A", "kind": "VOD"},
        }
    ]
    catalogue = {t["name"]: t["activePurchase"] for t in viewer["vodCatalogue"]}
    assert catalogue["Film A"] is not None and catalogue["Film B"] is None
    assert "Gone" not in catalogue
    assert [t["name"] for t in viewer["ppv"]] == ["Gala"]


async def test_expired_rental_is_not_active(gql, client, settings) -> None:
    cat = await make_catalogue()
    customer = await make_customer(settings)
    await make_wallet(customer, title=cat.titles[0])
    await Purchase.filter(customer=customer).update(available_until=now() - timedelta(hours=1))
    await login_as(client, settings, customer)
    viewer = (await gql(WALLET))["viewer"]
    assert viewer["purchases"][0]["active"] is False
    assert all(t["activePurchase"] is None for t in viewer["vodCatalogue"])


async def test_customer_without_wallet_has_an_empty_one(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    wallet = (await gql(WALLET))["viewer"]["wallet"]
    assert wallet["balance"]["amount"] == "0.00"
    assert wallet["updatedAt"] is None
    assert wallet["transactions"] == {"totalCount": 0, "nodes": []}
