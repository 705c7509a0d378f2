"""``viewer``: the logged-in customer's graph (null when logged out).

Each domain contributes a mixin of fields (``backend/schema/<domain>/viewer.py``); ``Viewer``
combines them.
"""

from __future__ import annotations

import strawberry

from backend.schema.accounts.viewer import AccountFields
from backend.schema.activity.viewer import ActivityFields
from backend.schema.billing.viewer import BillingFields
from backend.schema.catalog.viewer import CatalogFields
from backend.schema.contact.viewer import ContactFields
from backend.schema.context import Info
from backend.schema.customer.viewer import CustomerFields, DashboardFields
from backend.schema.devices.viewer import DeviceFields
from backend.schema.subscriptions.viewer import SubscriptionFields
from backend.schema.wallet.viewer import WalletFields


@strawberry.type(description="The logged-in customer and everything they can see.")
class Viewer(
    # The order of the mixins is the order of the fields in the schema.
    CustomerFields,
    SubscriptionFields,
    DeviceFields,
    BillingFields,
    WalletFields,
    CatalogFields,
    ContactFields,
    ActivityFields,
    DashboardFields,
    AccountFields,
):
    pass


@strawberry.type
class Query:
    @strawberry.field(description="The logged-in customer, or null when not logged in.")
    def viewer(self, info: Info) -> Viewer | None:
        customer_id = info.context.customer_id
        return None if customer_id is None else Viewer(customer_id=customer_id)
