"""``viewer``: the logged-in customer's graph (null when logged out).

Each domain contributes a mixin of fields; ``Viewer`` combines them.
"""

from __future__ import annotations

import strawberry

from backend.schema.accounts.viewer import AccountFields
from backend.schema.context import Info
from backend.schema.customer.viewer import CustomerFields


@strawberry.type(description="The logged-in customer and everything they can see.")
class Viewer(CustomerFields, AccountFields):
    pass


@strawberry.type
class Query:
    @strawberry.field(description="The logged-in customer, or null when not logged in.")
    def viewer(self, info: Info) -> Viewer | None:
        customer_id = info.context.customer_id
        return None if customer_id is None else Viewer(customer_id=customer_id)
