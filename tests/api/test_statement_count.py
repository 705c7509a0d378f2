"""Speed by construction: the number of SQL statements for the dashboard and for a query that
walks the whole customer graph does not depend on how much the customer has."""

from __future__ import annotations

import pytest

from tests.api.graph_queries import DASHBOARD, WHOLE_GRAPH
from tests.factories import login_as, make_catalogue, make_customer, make_graph
from tests.statements import count_statements


async def _count(gql, query: str) -> tuple[int, dict]:
    with count_statements() as seen:
        data = await gql(query)
    return len(seen), data


@pytest.mark.parametrize("query", [DASHBOARD, WHOLE_GRAPH], ids=["dashboard", "whole-graph"])
async def test_statements_do_not_grow_with_data(gql, client, settings, query) -> None:
    cat = await make_catalogue()
    small = await make_customer(settings)
    await make_graph(small, cat, services=1, invoices=1)
    big = await make_customer(settings)
    await make_graph(big, cat, services=10, invoices=200)

    await login_as(client, settings, small)
    small_count, small_data = await _count(gql, query)
    client.cookies.clear()
    await login_as(client, settings, big)
    big_count, big_data = await _count(gql, query)

    assert small_count == big_count, (small_count, big_count)
    # The big customer really returned much more (so the equality is meaningful).
    if query is WHOLE_GRAPH:
        big_viewer, small_viewer = big_data["viewer"], small_data["viewer"]
        assert len(big_viewer["contracts"][0]["services"]) == 10
        assert len(small_viewer["contracts"][0]["services"]) == 1
        assert big_viewer["invoices"]["totalCount"] == 200
        assert len(big_viewer["invoices"]["edges"]) == 100
        assert big_viewer["invoices"]["pageInfo"]["hasNextPage"] is True
        assert small_viewer["invoices"]["totalCount"] == 1
    else:
        assert len(big_data["viewer"]["dashboard"]["tvPackages"]) == 10
        assert len(small_data["viewer"]["dashboard"]["tvPackages"]) == 2
    print(f"statements: small={small_count} big={big_count}")


async def test_counter_sees_every_statement(gql, client, settings) -> None:
    """The counter itself works: a query that touches the database is counted."""
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    with count_statements() as seen:
        await gql("{ apiVersion }")
    baseline = len(seen)
    with count_statements() as seen:
        await gql("{ viewer { profile { fullName } contracts { number } } }")
    assert len(seen) >= baseline + 2
