"""Global IDs of every object of a test customer's graph, by GraphQL type."""

from __future__ import annotations

from backend.schema.relay import to_global_id
from tests.factories import Graph


def owned_ids(graph: Graph) -> dict[str, list[str]]:
    """IDs of every object type that belongs to the graph's customer only."""

    def ids(type_name: str, rows) -> list[str]:
        return [to_global_id(type_name, r.id) for r in rows]

    contracts = {s.contract_id for s in graph.services}
    personal = [m for m in graph.messages if m.customer_id is not None]
    return {
        "Contract": [to_global_id("Contract", pk) for pk in sorted(contracts)],
        "Service": ids("Service", graph.services),
        "PackageSubscription": ids("PackageSubscription", graph.subscriptions),
        "Device": ids("Device", graph.devices),
        "DeviceCommand": ids("DeviceCommand", graph.commands),
        "Invoice": ids("Invoice", graph.invoices),
        "Payment": ids("Payment", graph.payments),
        "WalletTransaction": ids("WalletTransaction", graph.transactions),
        "Purchase": ids("Purchase", graph.purchases),
        "Message": ids("Message", personal),
        "Offer": ids("Offer", graph.offers),
        "ContactRequest": ids("ContactRequest", graph.requests),
        "ActivityEvent": ids("ActivityEvent", graph.events),
    }
