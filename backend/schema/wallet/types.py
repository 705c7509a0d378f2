"""The VOD / PPV wallet (portmonetka), its ledger, and purchases."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend import models as m
from backend.schema.catalog.types import Title
from backend.schema.context import Info
from backend.schema.enums import WalletTransactionKind
from backend.schema.loaders import loaders
from backend.schema.pagination import After, Connection, First, connection
from backend.schema.relay import Node, register_model_node, to_global_id
from backend.schema.scalars import Money
from backend.services import payments, wallet


@strawberry.type(description="A VOD rental or a PPV ticket paid from the wallet.")
class Purchase(Node):
    pk: strawberry.Private[int]
    title_id: strawberry.Private[int]
    price: Money
    created_at: datetime
    available_until: datetime | None = strawberry.field(description="Watchable until then.")
    active: bool

    @classmethod
    def from_model(cls, row: m.Purchase) -> Purchase:
        return cls(
            id=to_global_id("Purchase", row.id),
            pk=row.id,
            title_id=row.title_id,
            price=Money.of(row.price),
            created_at=row.created_at,
            available_until=row.available_until,
            active=wallet.purchase_is_active(row),
        )

    @strawberry.field
    async def title(self, info: Info) -> Title:
        row = await loaders(info).title.load(self.title_id)
        assert row is not None
        return Title.from_model(row)


register_model_node("Purchase", m.Purchase, Purchase.from_model)


@strawberry.type(description="One wallet ledger entry; amount is signed.")
class WalletTransaction(Node):
    pk: strawberry.Private[int]
    kind: WalletTransactionKind
    amount: Money
    balance_after: Money
    description: str
    created_at: datetime

    @classmethod
    def from_model(cls, row: m.WalletTransaction) -> WalletTransaction:
        return cls(
            id=to_global_id("WalletTransaction", row.id),
            pk=row.id,
            kind=row.kind,
            amount=Money.of(row.amount),
            balance_after=Money.of(row.balance_after),
            description=row.description,
            created_at=row.created_at,
        )

    @strawberry.field(description="The purchase this entry paid for, if any.")
    async def purchase(self, info: Info) -> Purchase | None:
        row = await loaders(info).purchase_by_transaction.load(self.pk)
        return Purchase.from_model(row) if row else None


register_model_node("WalletTransaction", m.WalletTransaction, WalletTransaction.from_model)


@strawberry.type(description="The prepaid wallet for VOD and PPV. Never negative.")
class Wallet:
    customer_id: strawberry.Private[int]
    balance: Money
    updated_at: datetime | None
    top_up_min: Money = strawberry.field(description="The smallest top-up topUpWallet accepts.")
    top_up_max: Money = strawberry.field(description="The largest top-up topUpWallet accepts.")

    @classmethod
    def from_model(cls, customer_id: int, row: m.Wallet | None) -> Wallet:
        """A customer without a wallet row yet has an empty wallet."""
        return cls(
            customer_id=customer_id,
            balance=Money.of(row.balance if row else 0),
            updated_at=row.updated_at if row else None,
            top_up_min=Money.of(payments.TOP_UP_MIN),
            top_up_max=Money.of(payments.TOP_UP_MAX),
        )

    @strawberry.field(description="The ledger, newest first.")
    async def transactions(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[WalletTransaction]:
        return await connection(
            info.context.language,
            lambda: wallet.wallet_transactions_page(self.customer_id, first=first, after=after),
            WalletTransaction.from_model,
        )
