"""Queries of the billing domain that are not under ``viewer``."""

from __future__ import annotations

import strawberry

from backend.schema.billing.types import Payment
from backend.schema.context import Info
from backend.schema.permissions import IsAuthenticated
from backend.schema.relay import from_global_id
from backend.services import payments
from backend.services.errors import DomainError


@strawberry.type
class Query:
    @strawberry.field(
        description="One of your payments (e.g. after returning from the provider); null if not yours.",
        permission_classes=[IsAuthenticated],
    )
    async def payment(self, info: Info, id: strawberry.ID) -> Payment | None:
        parsed = from_global_id(id)
        if parsed is None or parsed[0] != "Payment":
            return None
        try:
            return Payment.from_model(
                await payments.get_payment(info.context.viewer_id, parsed[1], info.context.settings)
            )
        except DomainError:
            return None
