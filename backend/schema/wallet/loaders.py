"""The wallet domain's DataLoaders (mixed into ``backend.schema.loaders.Loaders``)."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from backend.models import Purchase
from backend.schema.dataloader import BaseLoaders, by_key
from backend.services import wallet


class WalletLoaders(BaseLoaders):
    """Purchases by title and by wallet transaction."""

    @cached_property
    def purchases_by_title(self) -> DataLoader[int, list[Purchase]]:
        return by_key(lambda ids: wallet.purchases_by_title(self._cid, ids), list)

    @cached_property
    def purchase_by_transaction(self) -> DataLoader[int, Purchase | None]:
        return by_key(lambda ids: wallet.purchase_by_transaction(self._cid, ids))
