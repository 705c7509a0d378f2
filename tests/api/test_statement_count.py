"""Speed by construction: the number of SQL statements for the dashboard and for a query that
walks the whole customer graph does not depend on how much the customer has, and is exactly
what it is today (a change shows here): the catalogue, cached per process
(``services.catalog.catalogue``), costs one statement once warm."""

from __future__ import annotations

import re

import pytest

from backend.trusted_documents import CUSTOMER_MANIFEST, load_manifest
from tests.api.graph_queries import DASHBOARD, WHOLE_GRAPH
from tests.factories import login_as, make_catalogue, make_customer, make_graph
from tests.statements import count_statements

SPA_DASHBOARD = next(
    d for d in load_manifest(CUSTOMER_MANIFEST).values() if re.match(r"\s*query Dashboard\b", d)
)
# Statements per request with a warm catalogue (time stands still: the session's activity is not
# written again): the session, then the query's own. SPA Dashboard: the customer (first name),
# unpaid invoices counted and summed, subscriptions, the first unpaid invoices, services (the TV
# packages' services are those rows), the catalogue's token, unread count, debt (overdue
# invoice, suspended service), urgent messages.
EXACT = {"spa-dashboard": 11, "dashboard": 11, "whole-graph": 41}
CATALOGUE_LOAD = {"spa-dashboard": 3, "dashboard": 5, "whole-graph": 5}
"""What a cold catalogue adds: packages, channel counts, titles (and the channels when asked)."""


async def _count(gql, query: str) -> tuple[int, dict]:
    with count_statements() as seen:
        data = await gql(query)
    return len(seen), data


@pytest.mark.parametrize(
    ("name", "query"),
    [("spa-dashboard", SPA_DASHBOARD), ("dashboard", DASHBOARD), ("whole-graph", WHOLE_GRAPH)],
    ids=["spa-dashboard", "dashboard", "whole-graph"],
)
async def test_statements_do_not_grow_with_data(gql, client, settings, name, query) -> None:
    cat = await make_catalogue()
    small = await make_customer(settings)
    await make_graph(small, cat, services=1, invoices=1)
    big = await make_customer(settings)
    await make_graph(big, cat, services=10, invoices=200)

    await login_as(client, settings, small)
    cold_count, _ = await _count(gql, query)  # the first request after the catalogue changed
    small_count, small_data = await _count(gql, query)
    client.cookies.clear()
    await login_as(client, settings, big)
    big_count, big_data = await _count(gql, query)

    assert (cold_count, small_count, big_count) == (
        EXACT[name] + CATALOGUE_LOAD[name],
        EXACT[name],
        EXACT[name],
    )
    # The big customer really returned much more (so the equality is meaningful).
    if query is WHOLE_GRAPH:
        big_viewer, small_viewer = big_data["viewer"], small_data["viewer"]
        assert len(big_viewer["contracts"][0]["services"]) == 10
        assert len(small_viewer["contracts"][0]["services"]) == 1
        assert big_viewer["invoices"]["totalCount"] == 200
        assert len(big_viewer["invoices"]["edges"]) == 100
        assert big_viewer["invoices"]["pageInfo"]["hasNextPage"] is True
        assert small_viewer["invoices"]["totalCount"] == 1
    elif query is SPA_DASHBOARD:
        big_board, small_board = big_data["viewer"]["dashboard"], small_data["viewer"]["dashboard"]
        assert len(big_board["tvPackages"]) == 10 and len(small_board["tvPackages"]) == 2
        assert big_board["upcomingPayments"]["unpaidCount"] > 5
        assert len(big_board["upcomingPayments"]["invoices"]) == 5
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
