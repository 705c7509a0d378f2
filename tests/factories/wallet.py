"""Wallets: a top-up, and optionally one purchase."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import now
from backend.models import Customer, Purchase, Title, Wallet, WalletTransaction
from backend.models.enums import PaymentPurpose, WalletTransactionKind
from tests.factories.billing import make_payment


async def make_wallet(
    customer: Customer, *, balance: int = 10000, title: Title | None = None
) -> Wallet:
    """A wallet topped up (two hours ago, by a paid payment) with ``balance`` grosze, so the
    ledger sums to the balance; with ``title``, one purchase of it an hour ago (the balance is
    then ``balance - title.price``)."""
    wallet = await Wallet.create(customer=customer, balance=balance)
    top_up = await make_payment(customer, amount=balance, purpose=PaymentPurpose.WALLET_TOP_UP)
    await WalletTransaction.create(
        wallet=wallet,
        kind=WalletTransactionKind.TOP_UP,
        amount=balance,
        balance_after=balance,
        description="Doładowanie",
        payment=top_up,
        created_at=now() - timedelta(hours=2),
    )
    if title is not None:
        balance -= title.price
        tx = await WalletTransaction.create(
            wallet=wallet,
            kind=WalletTransactionKind.PURCHASE,
            amount=-title.price,
            balance_after=balance,
            description=title.name,
            created_at=now() - timedelta(hours=1),
        )
        await Purchase.create(
            customer=customer,
            title=title,
            price=title.price,
            transaction=tx,
            created_at=now() - timedelta(hours=1),
            available_until=now() + timedelta(hours=47),
        )
        wallet.balance = balance
        await wallet.save(update_fields=["balance"])
    return wallet
