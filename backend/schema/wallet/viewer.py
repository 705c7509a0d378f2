"""Viewer fields of the wallet domain (the VOD / PPV wallet and what it bought). Mixed into
``Viewer``."""

from __future__ import annotations

import strawberry

from backend.schema.context import Info
from backend.schema.wallet.types import Purchase, Wallet
from backend.services import wallet


@strawberry.type
class WalletFields:
    customer_id: strawberry.Private[int]

    @strawberry.field(description="The VOD / PPV wallet.")
    async def wallet(self, info: Info) -> Wallet:
        return Wallet.from_model(self.customer_id, await wallet.wallet(self.customer_id))

    @strawberry.field(description="VOD rentals and PPV tickets bought, newest first.")
    async def purchases(self, info: Info) -> list[Purchase]:
        return [Purchase.from_model(p) for p in await wallet.purchases(self.customer_id)]
