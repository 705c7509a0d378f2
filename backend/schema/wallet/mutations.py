"""Mutations of the wallet domain: buying a VOD rental or a PPV ticket from the wallet."""

from __future__ import annotations

import strawberry

from backend.schema.context import Info
from backend.schema.errors import UserError, to_user_errors
from backend.schema.permissions import IsAuthenticated
from backend.schema.relay import decode_id
from backend.schema.wallet.types import Purchase, Wallet
from backend.services import wallet
from backend.services.errors import DomainError


@strawberry.input
class PurchaseVodInput:
    title_id: strawberry.ID


@strawberry.type
class PurchaseVodPayload:
    purchase: Purchase | None
    wallet: Wallet | None = strawberry.field(description="The wallet after the purchase.")
    errors: list[UserError]


async def _purchase(info: Info, input: PurchaseVodInput) -> PurchaseVodPayload:
    ctx = info.context
    assert ctx.customer_id is not None
    try:
        result = await wallet.purchase_title(
            ctx.customer_id,
            decode_id(input.title_id, "Title", field="titleId"),
            ip=ctx.ip,
            user_agent=ctx.user_agent,
        )
    except DomainError as exc:
        return PurchaseVodPayload(
            purchase=None, wallet=None, errors=to_user_errors(exc, ctx.language)
        )
    return PurchaseVodPayload(
        purchase=Purchase.from_model(result.purchase),
        wallet=Wallet.from_model(ctx.customer_id, result.wallet),
        errors=[],
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Rent a VOD title (or buy a PPV ticket) from the wallet.",
        permission_classes=[IsAuthenticated],
    )
    async def purchase_vod(self, info: Info, input: PurchaseVodInput) -> PurchaseVodPayload:
        return await _purchase(info, input)

    @strawberry.mutation(
        description="Buy a PPV ticket from the wallet (the same as purchaseVod).",
        permission_classes=[IsAuthenticated],
    )
    async def purchase_ppv(self, info: Info, input: PurchaseVodInput) -> PurchaseVodPayload:
        return await _purchase(info, input)
