"""Relay: global IDs, ``node`` / ``nodes`` for every type, and the edges of pagination
(first page, last page, bad cursors, page sizes out of bounds)."""

from __future__ import annotations

import base64

import pytest

from backend.schema.relay import from_global_id, to_global_id
from tests.api.graph_ids import owned_ids
from tests.factories import login_as, make_catalogue, make_customer, make_graph, make_invoice
from tests.statements import count_statements

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Invoice { number } ... on Service { identifier } ... on Contract { number }
  ... on Package { code } ... on Title { name } ... on Device { serialNumber }
  ... on DeviceCommand { commandKind: kind } ... on Payment { status }
  ... on WalletTransaction { txKind: kind }
  ... on Purchase { active } ... on Message { subject } ... on Offer { title }
  ... on ContactRequest { subject } ... on ActivityEvent { eventKind: kind }
  ... on PackageSubscription { state } } }"""

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


def test_global_id_format() -> None:
    gid = to_global_id("Invoice", 42)
    assert base64.b64decode(gid).decode() == "Invoice:42"
    assert from_global_id(gid) == ("Invoice", 42)
    for bad in ("", "!!!", base64.b64encode(b"Invoice").decode(),
                base64.b64encode(b"Invoice:x1").decode(), base64.b64encode(b":1").decode(),
                base64.b64encode(b"Invoice:-1").decode(), "x" * 500,
                base64.b64encode(b"Invoice:2147483648").decode(),
                base64.b64encode(b"Invoice:99999999999999").decode(),
                base64.b64encode(b"Invoice:007").decode(),
                base64.b64encode(b"Invoice:\xff").decode()):  # fmt: skip
        assert from_global_id(bad) is None, bad


async def test_node_for_every_type(gql, client, settings) -> None:
    cat = await make_catalogue()
    customer = await make_customer(settings)
    graph = await make_graph(customer, cat, services=2, invoices=3)
    await login_as(client, settings, customer)
    every = owned_ids(graph)
    every["Package"] = [to_global_id("Package", cat.sat_base.id)]
    every["Title"] = [to_global_id("Title", cat.titles[0].id)]
    for type_name, ids in every.items():
        assert ids, type_name
        for gid in ids:
            node = (await gql(NODE, {"id": gid}))["node"]
            assert node is not None, (type_name, gid)
            assert node["__typename"] == type_name and node["id"] == gid
    invoice = graph.invoices[0]
    node = (await gql(NODE, {"id": to_global_id("Invoice", invoice.id)}))["node"]
    assert node["number"] == invoice.number

    # nodes: order kept, nulls for unknown / malformed, one query per type.
    ids = [gid for group in every.values() for gid in group]
    mixed = [ids[0], "garbage", to_global_id("Invoice", 999_999), *ids[1:]]
    with count_statements() as seen:
        found = (await gql(NODES, {"ids": mixed}))["nodes"]
    assert found[1] is None and found[2] is None
    assert [n["id"] for n in [found[0], *found[3:]]] == ids
    assert len(seen) <= len(every) + 3  # session lookup + touch, then one batch per type


async def test_public_nodes_without_login(gql, settings) -> None:
    cat = await make_catalogue()
    customer = await make_customer(settings)
    invoice = await make_invoice(customer)
    package = (await gql(NODE, {"id": to_global_id("Package", cat.sat_sport.id)}))["node"]
    assert package == {
        "__typename": "Package",
        "id": to_global_id("Package", cat.sat_sport.id),
        "code": cat.sat_sport.code,
    }
    assert (await gql(NODE, {"id": to_global_id("Invoice", invoice.id)}))["node"] is None
    assert (await gql(NODE, {"id": to_global_id("Nope", 1)}))["node"] is None
    huge = base64.b64encode(b"Invoice:2147483648").decode()
    assert (await gql(NODE, {"id": huge}))["node"] is None
    assert from_global_id(to_global_id("Invoice", 2**31 - 1)) == ("Invoice", 2**31 - 1)


async def test_nodes_bounded(gql) -> None:
    body = await gql(NODES, {"ids": ["x"] * 101}, expect_errors=True)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "PAGE_SIZE_TOO_LARGE"
    assert "100" in error["message"]
    assert len((await gql(NODES, {"ids": ["x"] * 100}))["nodes"]) == 100


INVOICES = """query($first: Int, $after: String) { viewer { invoices(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { number } } } } }"""


@pytest.fixture
async def invoices(client, settings):
    customer = await make_customer(settings)
    made = [await make_invoice(customer) for _ in range(5)]  # same issue date: ID breaks ties
    await login_as(client, settings, customer)
    return [i.number for i in reversed(made)]


async def test_first_and_last_page(gql, invoices) -> None:
    first = (await gql(INVOICES, {"first": 2}))["viewer"]["invoices"]
    assert [e["node"]["number"] for e in first["edges"]] == invoices[:2]
    info = first["pageInfo"]
    assert info["hasNextPage"] is True and info["hasPreviousPage"] is False
    assert info["startCursor"] == first["edges"][0]["cursor"]
    assert info["endCursor"] == first["edges"][1]["cursor"]
    middle = (await gql(INVOICES, {"first": 2, "after": info["endCursor"]}))["viewer"]["invoices"]
    assert [e["node"]["number"] for e in middle["edges"]] == invoices[2:4]
    last = (await gql(INVOICES, {"first": 2, "after": middle["pageInfo"]["endCursor"]}))["viewer"][
        "invoices"
    ]
    assert [e["node"]["number"] for e in last["edges"]] == invoices[4:]
    assert last["pageInfo"]["hasNextPage"] is False
    assert last["pageInfo"]["hasPreviousPage"] is True
    beyond = (await gql(INVOICES, {"first": 2, "after": last["pageInfo"]["endCursor"]}))["viewer"][
        "invoices"
    ]
    assert beyond["edges"] == [] and beyond["pageInfo"]["endCursor"] is None
    assert beyond["totalCount"] == 5
    exact = (await gql(INVOICES, {"first": 5}))["viewer"]["invoices"]
    assert len(exact["edges"]) == 5 and exact["pageInfo"]["hasNextPage"] is False
    default = (await gql(INVOICES))["viewer"]["invoices"]
    assert len(default["edges"]) == 5


async def test_first_zero_counts_only(gql, invoices) -> None:
    page = (await gql(INVOICES, {"first": 0}))["viewer"]["invoices"]
    assert page["edges"] == [] and page["totalCount"] == 5
    assert page["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b'["payments","2026-01-01T00:00:00+00:00",1]').decode(),
        base64.urlsafe_b64encode(b'["invoices","2026-13-01",1]').decode(),
        base64.urlsafe_b64encode(b'["invoices","2026-01-01","1"]').decode(),
        base64.urlsafe_b64encode(b'["invoices","2026-01-01"]').decode(),
        base64.urlsafe_b64encode(b'["invoices","2026-01-01",99999999999]').decode(),
        base64.urlsafe_b64encode(b'{"a":1}').decode(),
        "A" * 5000,
    ],
)
async def test_bad_cursor(gql, invoices, cursor) -> None:
    body = await gql(INVOICES, {"first": 2, "after": cursor}, expect_errors=True)
    if cursor == "":
        # An empty cursor means "from the start".
        assert "errors" not in body
        return
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INVALID_CURSOR", cursor
    assert error["message"] == "Nieprawidłowy kursor stronicowania."
    assert body["data"] is None or body["data"]["viewer"] is None


async def test_page_size_bounds(gql, invoices) -> None:
    body = await gql(INVOICES, {"first": 101}, expect_errors=True)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "PAGE_SIZE_TOO_LARGE"
    assert error["message"] == "Można pobrać najwyżej 100 elementów naraz."
    english = await gql(INVOICES, {"first": 1000}, headers={"Accept-Language": "en"},
                        expect_errors=True)  # fmt: skip
    assert english["errors"][0]["message"] == "At most 100 items can be fetched at once."
    negative = await gql(INVOICES, {"first": -1}, expect_errors=True)
    assert negative["errors"][0]["extensions"]["code"] == "INVALID"
    assert len((await gql(INVOICES, {"first": 100}))["viewer"]["invoices"]["edges"]) == 5


@pytest.mark.parametrize(
    "connection",
    ["payments", "messages", "activity", "wallet { transactions", "invoices"],
)
async def test_every_connection_is_bounded(gql, invoices, connection) -> None:
    closing = " }" if "{" in connection else ""
    query = f"{{ viewer {{ {connection}(first: 101) {{ totalCount }}{closing} }} }}"
    body = await gql(query, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "PAGE_SIZE_TOO_LARGE"
    query = f'{{ viewer {{ {connection}(after: "x") {{ totalCount }}{closing} }} }}'
    body = await gql(query, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_codes_survive_production_masking(settings, db) -> None:
    """In production unexpected errors are masked; these expected ones keep code and text."""
    import httpx

    from backend.app import create_app
    from backend.config import Mode

    app = create_app(settings.with_overrides(mode=Mode.PRODUCTION), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        customer = await make_customer(settings)
        await make_invoice(customer)
        await login_as(client, settings, customer)
        for variables, code in (({"first": 500}, "PAGE_SIZE_TOO_LARGE"),
                                ({"after": "bogus"}, "INVALID_CURSOR")):  # fmt: skip
            response = await client.post(
                "/graphql", json={"query": INVOICES, "variables": variables}
            )
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == code
            assert error["message"] != "Unexpected error."
