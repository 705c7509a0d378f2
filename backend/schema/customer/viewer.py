"""Viewer fields about the customer's relationship with the operator. Mixed into ``Viewer``."""

from __future__ import annotations

import strawberry

from backend.models import Customer
from backend.schema.context import Info


@strawberry.type
class CustomerFields:
    customer_id: strawberry.Private[int]

    @strawberry.field(description="The operator's customer number.")
    async def customer_number(self, info: Info) -> str:
        customer = await Customer.get(id=self.customer_id)
        return customer.number
