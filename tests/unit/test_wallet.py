"""Buying VOD and PPV from the wallet: the balance never goes negative and the ledger adds up."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from backend.clock import clock
from backend.models import Purchase, Wallet, WalletTransaction
from backend.models.enums import TitleKind, WalletTransactionKind
from backend.services import wallet
from backend.services.errors import DomainError, ErrorCode
from tests.factories import make_customer, make_meta, make_title, make_wallet
from tests.raises import domain_error


async def _assert_consistent(customer_id: int) -> Wallet:
    purse = await Wallet.get(customer_id=customer_id)
    assert purse.balance >= 0
    assert await wallet.ledger_sum(purse.id) == purse.balance
    running = 0
    for entry in await WalletTransaction.filter(wallet=purse).order_by("id"):
        running += entry.amount
        assert entry.balance_after == running
    return purse


async def test_purchase_vod_and_ppv(db, settings) -> None:
    customer = await make_customer(settings)
    await make_wallet(customer, balance=5000)
    vod = await make_title(price=1500)
    ppv = await make_title(price=3000, kind=TitleKind.PPV)
    bought = await wallet.purchase_title(
        settings, customer.id, vod.id, meta=make_meta(ip="192.0.2.1")
    )
    assert bought.wallet.balance == 3500 and bought.purchase.price == 1500
    available_until = bought.purchase.available_until
    assert available_until is not None and available_until > clock.now() + timedelta(hours=47)
    ticket = await wallet.purchase_title(settings, customer.id, ppv.id, meta=make_meta())
    assert ticket.wallet.balance == 500
    entry = await WalletTransaction.get(purchase__id=ticket.purchase.id)
    assert (entry.kind, entry.amount, entry.balance_after) == (
        WalletTransactionKind.PURCHASE,
        -3000,
        500,
    )
    assert (
        await domain_error(wallet.purchase_title(settings, customer.id, vod.id, meta=make_meta()))
    ).code is (ErrorCode.ALREADY_PURCHASED)
    await _assert_consistent(customer.id)


async def test_insufficient_funds_says_what_is_missing(db, settings) -> None:
    customer = await make_customer(settings)
    title = await make_title(price=1999)
    empty = await domain_error(
        wallet.purchase_title(settings, customer.id, title.id, meta=make_meta())
    )  # no wallet yet
    assert empty.code is ErrorCode.INSUFFICIENT_FUNDS and empty.params["missing_grosze"] == 1999
    await Wallet.filter(customer_id=customer.id).delete()
    await make_wallet(customer, balance=1000)
    short = await domain_error(
        wallet.purchase_title(settings, customer.id, title.id, meta=make_meta())
    )
    assert short.params["missing"] == "9,99\u00a0zł"
    purse = await _assert_consistent(customer.id)
    assert purse.balance == 1000 and await Purchase.all().count() == 0


async def test_unavailable_and_unknown_titles(db, settings) -> None:
    customer = await make_customer(settings)
    await make_wallet(customer, balance=10000)
    expired = await make_title(available_days=1)
    clock.advance(days=2)
    assert (
        await domain_error(
            wallet.purchase_title(settings, customer.id, expired.id, meta=make_meta())
        )
    ).code is (ErrorCode.TITLE_NOT_AVAILABLE)
    unknown = await domain_error(
        wallet.purchase_title(settings, customer.id, 999999, meta=make_meta())
    )
    assert (unknown.code, unknown.field) == (ErrorCode.NOT_FOUND, "title_id")
    past_event = await make_title(kind=TitleKind.PPV, available_days=None)
    clock.advance(days=3)
    assert (
        await domain_error(
            wallet.purchase_title(settings, customer.id, past_event.id, meta=make_meta())
        )
    ).code is (ErrorCode.TITLE_NOT_AVAILABLE)
    assert (await Wallet.get(customer_id=customer.id)).balance == 10000


async def test_fifty_simultaneous_purchases(db, settings) -> None:
    customer = await make_customer(settings)
    await make_wallet(customer, balance=20 * 1000 + 500)  # enough for 20 titles at 10 zł
    titles = [await make_title(price=1000) for _ in range(50)]
    results = await asyncio.gather(
        *(wallet.purchase_title(settings, customer.id, t.id, meta=make_meta()) for t in titles),
        return_exceptions=True,
    )
    ok = [r for r in results if isinstance(r, wallet.PurchaseResult)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(ok) == 20 and len(refused) == 30
    assert all(r.code is ErrorCode.INSUFFICIENT_FUNDS for r in refused)
    purse = await _assert_consistent(customer.id)
    assert purse.balance == 500
    assert await Purchase.filter(customer_id=customer.id).count() == 20


async def test_same_title_bought_once_under_concurrency(db, settings) -> None:
    customer = await make_customer(settings)
    await make_wallet(customer, balance=10000)
    title = await make_title(price=1000)
    results = await asyncio.gather(
        *(
            wallet.purchase_title(settings, customer.id, title.id, meta=make_meta())
            for _ in range(10)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, wallet.PurchaseResult) for r in results) == 1
    purse = await _assert_consistent(customer.id)
    assert purse.balance == 9000


async def test_database_refuses_a_negative_balance(db, settings) -> None:
    """The CHECK constraint backs the conditional debit up, on SQLite (trigger) and PostgreSQL."""
    from tortoise.exceptions import IntegrityError, OperationalError

    customer = await make_customer(settings)
    purse = await make_wallet(customer, balance=100)
    with pytest.raises((IntegrityError, OperationalError)):
        await Wallet.filter(id=purse.id).update(balance=-1)
    assert (await Wallet.get(id=purse.id)).balance == 100


async def test_purchase_activity_has_one_definition(db, settings) -> None:
    """The purchase list's ``active`` and the already-purchased check agree over time."""
    customer = await make_customer(settings)
    await make_wallet(customer, balance=10_000)
    short = await make_title(price=100, rental_hours=1)
    long = await make_title(price=100, rental_hours=48)
    bought = [
        (await wallet.purchase_title(settings, customer.id, t.id, meta=make_meta())).purchase.id
        for t in (short, long)
    ]
    for hours, expected in ((0, set(bought)), (2, {bought[1]}), (49, set())):
        clock.advance(hours=hours)
        rows = await Purchase.filter(customer_id=customer.id).order_by("id")
        queried = set(
            await Purchase.filter(wallet.active_purchases(), customer_id=customer.id).values_list(
                "id", flat=True
            )
        )
        assert {p.id for p in rows if wallet.purchase_is_active(p)} == queried == expected
