"""Mutations of the wallet domain: buying a VOD rental or a PPV ticket from the wallet."""

from __future__ import annotations

import strawberry

from backend.schema.context import Info
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.permissions import IsAuthenticated
from backend.schema.relay import decode_id
from backend.schema.wallet.types import Purchase, Wallet
from backend.services import wallet


@strawberry.input
class PurchaseVodInput:
    title_id: strawberry.ID


@strawberry.type
class PurchaseVodPayload:
    purchase: Purchase | None = None
    wallet: Wallet | None = strawberry.field(
        default=None, description="The wallet after the purchase."
    )
    errors: list[UserError]


async def _purchase(info: Info, input: PurchaseVodInput) -> PurchaseVodPayload:
    ctx = info.context
    result = await wallet.purchase_title(
        ctx.settings,
        ctx.viewer_id,
        decode_id(input.title_id, "Title", field="titleId"),
        meta=ctx.meta,
    )
    return PurchaseVodPayload(
        purchase=Purchase.from_model(result.purchase),
        wallet=Wallet.from_model(ctx.viewer_id, result.wallet),
        errors=[],
    )


@strawberry.type
class Mutation:
    @mutation(
        description="Rent a VOD title (or buy a PPV ticket) from the wallet.",
        permission_classes=[IsAuthenticated],
    )
    async def purchase_vod(self, info: Info, input: PurchaseVodInput) -> PurchaseVodPayload:
        return await _purchase(info, input)

    @mutation(
        description="Buy a PPV ticket from the wallet (the same as purchaseVod).",
        permission_classes=[IsAuthenticated],
    )
    async def purchase_ppv(self, info: Info, input: PurchaseVodInput) -> PurchaseVodPayload:
        return await _purchase(info, input)
