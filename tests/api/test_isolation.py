"""Isolation: customer A, logged in, reaches nothing of customer B's by any path: ``node``,
``nodes``, every connection and list under ``viewer``, IDs in mutation inputs, the PDF URL.
Logged out, ``viewer`` is null and no owned object is reachable."""

from __future__ import annotations

import json

import pytest

from backend.models import DeviceCommand, MessageRead, Payment, Subscription
from backend.schema import build_schema
from backend.schema.relay import to_global_id
from tests.api.graph_ids import owned_ids
from tests.api.graph_queries import DASHBOARD, WHOLE_GRAPH
from tests.factories import login_as, make_catalogue, make_customer, make_graph

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


@pytest.fixture
async def two_customers(client, settings):
    cat = await make_catalogue()
    a = await make_customer(settings, first_name="Anna")
    b = await make_customer(settings, first_name="Bartosz")
    graph_a = await make_graph(a, cat, services=2, invoices=3)
    graph_b = await make_graph(b, cat, services=2, invoices=3)
    return cat, graph_a, graph_b


async def test_node_and_nodes_refuse_other_customers(gql, client, settings, two_customers):
    _, graph_a, graph_b = two_customers
    await login_as(client, settings, graph_a.customer)
    theirs = owned_ids(graph_b)
    mine = owned_ids(graph_a)
    for type_name, ids in theirs.items():
        assert ids, type_name  # every type is really present for B
        for gid in ids:
            assert (await gql(NODE, {"id": gid}))["node"] is None, (type_name, gid)
        # A's own object of the same type is reachable (the query itself works).
        assert (await gql(NODE, {"id": mine[type_name][0]}))["node"]["id"] == mine[type_name][0]
    all_theirs = [gid for ids in theirs.values() for gid in ids]
    assert (await gql(NODES, {"ids": all_theirs[:100]}))["nodes"] == [None] * min(
        100, len(all_theirs)
    )


async def test_no_foreign_object_in_any_list(gql, client, settings, two_customers):
    _, graph_a, graph_b = two_customers
    await login_as(client, settings, graph_a.customer)
    text = json.dumps(await gql(WHOLE_GRAPH)) + json.dumps(await gql(DASHBOARD))
    for type_name, ids in owned_ids(graph_b).items():
        for gid in ids:
            assert gid not in text, (type_name, gid)
    # ... while every object of A's is listed (the query does walk everything).
    for type_name, ids in owned_ids(graph_a).items():
        for gid in ids:
            assert gid in text, (type_name, gid)
    for value in (
        graph_b.customer.number,
        graph_b.customer.email,
        *[i.number for i in graph_b.invoices],
        *[s.identifier for s in graph_b.services],
        *[d.serial_number for d in graph_b.devices],
    ):
        assert value not in text, value
    assert "Bartosz" not in text


async def test_pdf_of_other_customer(client, settings, two_customers):
    _, graph_a, graph_b = two_customers
    await login_as(client, settings, graph_a.customer)
    for invoice in graph_b.invoices:
        response = await client.get(f"/invoices/{to_global_id('Invoice', invoice.id)}.pdf")
        assert response.status_code == 404
        assert invoice.number.encode() not in response.content
    own = await client.get(f"/invoices/{to_global_id('Invoice', graph_a.invoices[0].id)}.pdf")
    assert own.status_code == 200


async def test_logged_out_reaches_nothing(gql, client, settings, two_customers):
    _, graph_a, _ = two_customers
    whole = await gql(WHOLE_GRAPH, expect_errors=True)  # (costs more than an anonymous budget)
    assert whole["data"] is None
    assert whole["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert (await gql(DASHBOARD))["viewer"] is None
    ids = [gid for group in owned_ids(graph_a).values() for gid in group]
    assert (await gql(NODES, {"ids": ids[:100]}))["nodes"] == [None] * min(100, len(ids))
    response = await client.get(f"/invoices/{to_global_id('Invoice', graph_a.invoices[0].id)}.pdf")
    assert response.status_code == 401


MUTATIONS = {
    "addPackage": (
        "mutation($s: ID!, $p: ID!) { addPackage(input: {serviceId: $s, packageId: $p}) "
        "{ subscription { id } errors { code field } } }"
    ),
    "cancelPackage": (
        "mutation($id: ID!) { cancelPackage(input: {subscriptionId: $id}) "
        "{ subscription { id } errors { code field } } }"
    ),
    "resetDecoderPin": (
        "mutation($id: ID!) { resetDecoderPin(input: {deviceId: $id}) "
        "{ command { id } errors { code field } } }"
    ),
    "refreshSignal": (
        "mutation($id: ID!) { refreshSignal(input: {serviceId: $id}) "
        "{ command { id } errors { code field } } }"
    ),
    "payInvoices": (
        "mutation($ids: [ID!]!) { payInvoices(input: {invoiceIds: $ids, method: BLIK, "
        'idempotencyKey: "isolation-test-1"}) { payment { id } errors { code field } } }'
    ),
    "markMessageRead": (
        "mutation($id: ID!) { markMessageRead(input: {messageId: $id}) "
        "{ message { id } errors { code field } } }"
    ),
}


async def test_ids_of_other_customer_in_mutation_inputs(gql, client, settings, two_customers):
    cat, graph_a, graph_b = two_customers
    mutation_type = build_schema(production=False)._schema.mutation_type
    # Every listed mutation must exist: a renamed one would otherwise drop out of the check.
    assert mutation_type is not None and set(MUTATIONS) <= set(mutation_type.fields)
    await login_as(client, settings, graph_a.customer)
    sat_b = graph_b.services[0]
    decoder_b = next(d for d in graph_b.devices if d.kind.value == "decoder")
    addon_b = next(s for s in graph_b.subscriptions if s.package_id == cat.sat_sport.id)
    personal_b = next(m for m in graph_b.messages if m.customer_id is not None)
    unpaid_b = [i for i in graph_b.invoices if i.status.value == "unpaid"]
    before = (
        await DeviceCommand.filter(customer=graph_b.customer).count(),
        await Payment.filter(customer=graph_b.customer).count(),
        await Subscription.filter(service__customer_id=graph_b.customer.id).count(),
        await MessageRead.filter(message=personal_b).count(),
    )
    calls = {
        "addPackage": {
            "s": to_global_id("Service", sat_b.id),
            "p": to_global_id("Package", cat.sat_film.id),
        },
        "cancelPackage": {"id": to_global_id("PackageSubscription", addon_b.id)},
        "resetDecoderPin": {"id": to_global_id("Device", decoder_b.id)},
        "refreshSignal": {"id": to_global_id("Service", sat_b.id)},
        "payInvoices": {"ids": [to_global_id("Invoice", i.id) for i in unpaid_b]},
        "markMessageRead": {"id": to_global_id("Message", personal_b.id)},
    }
    for name in sorted(MUTATIONS):
        payload = (await gql(MUTATIONS[name], calls[name]))[name]
        codes = [e["code"] for e in payload["errors"]]
        assert codes and set(codes) == {"NOT_FOUND"}, (name, payload)
        assert all(v is None for k, v in payload.items() if k != "errors"), (name, payload)
    after = (
        await DeviceCommand.filter(customer=graph_b.customer).count(),
        await Payment.filter(customer=graph_b.customer).count(),
        await Subscription.filter(service__customer_id=graph_b.customer.id).count(),
        await MessageRead.filter(message=personal_b).count(),
    )
    assert after == before
