"""Indexes by construction: every statement the Dashboard operation and a query walking the whole
customer graph send reaches the customer's rows through an index, never by reading a whole
customer-owned table (at 100,000 customers such a scan cost 41-99 ms per statement).

The statements are recorded as the app sends them (with their parameters) and planned again
under ``EXPLAIN``. Test tables are tiny, so the planners would happily scan them: PostgreSQL is
told not to (``enable_seqscan = off``: a sequential scan then remains only where no index can
serve), and SQLite plans without statistics, as if every table were large.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

import pytest
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from tests.api.graph_queries import DASHBOARD, WHOLE_GRAPH
from tests.factories import login_as, make_catalogue, make_customer, make_graph
from tests.statements import Statement, record_statements

# The operator's catalogue: the same for every customer, read whole (not per customer).
CATALOGUE = {"package", "channel", "package_channel", "title"}

# The customer's other reads, which neither of the two documents above makes.
REST_OF_GRAPH = """
query Rest {
  viewer {
    services { identifier subscriptions(includeEnded: true) { id state cardCommand { id status }
      service { identifier } } }
    unpaid: invoices(first: 2, status: UNPAID) { totalCount edges { node { number
      contract { number } payments { id } } } }
    unread: messages(first: 5, unreadOnly: true) { totalCount edges { node { id readAt } } }
    payments(first: 5) { edges { node { id title invoices { number } } } }
    contactRequests { id replies { body } complaint { number state walletCredit { amount { amount } } } }
    session { expiresAt }
    sessions { id current }
    deviceLogins { id current }
    loginEmail { email pendingEmail }
    secondFactor { enabled recoveryCodesLeft }
  }
}
"""

_PLANNED = re.compile(r"^\s*(SELECT|WITH|UPDATE|DELETE)\b", re.IGNORECASE)


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """A PostgreSQL JSON plan node and every node below it."""
    found = [plan]
    for child in plan.get("Plans", []):
        found += _nodes(child)
    return found


# Plan as for tables of unknown size and content: autovacuum may have analysed the shared test
# database's tiny tables, and with their real statistics every plan reads a few rows whole.
# Never analysed, a table counts as ten pages and an equality as selective. Rolled back with the
# transaction (a superuser's right: the test database's owner is one).
_AS_IF_LARGE = """
SET LOCAL enable_seqscan = off;
UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE relnamespace = 'public'::regnamespace;
DELETE FROM pg_statistic WHERE starelid IN (
    SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace);
"""


class _RollBack(Exception):
    """Leaves ``in_transaction()`` by a rollback."""


async def _leading_columns() -> dict[str, tuple[str, str]]:
    """The table and the first column of every PostgreSQL index, by index name."""
    rows = await get_connection("default").execute_query_dict(
        "SELECT c.relname AS index, t.relname AS table, a.attname AS column FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
    )
    return {row["index"]: (row["table"], row["column"]) for row in rows}


async def _full_scans_postgres(statement: Statement) -> list[str]:
    """The customer-owned tables a statement reads whole: a ``Seq Scan``, or an index scanned
    from end to end (no ``Index Cond`` on its first column: walked for its order, or searched
    by a later column only)."""
    leading = await _leading_columns()
    rows: list[dict[str, Any]] = []
    with contextlib.suppress(_RollBack):
        async with in_transaction() as conn:
            await conn.execute_script(_AS_IF_LARGE)
            rows = await conn.execute_query_dict(
                f"EXPLAIN (FORMAT JSON) {statement.sql}", statement.values
            )
            raise _RollBack
    document = rows[0]["QUERY PLAN"]
    plan = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    scans = []
    for node in _nodes(plan):
        table, index = node.get("Relation Name"), node.get("Index Name")
        if node["Node Type"] == "Seq Scan" and table not in CATALOGUE:
            scans.append(f"Seq Scan on {table}")
        elif index is not None and leading[index][0] not in CATALOGUE:
            condition = node.get("Index Cond", "")
            # The first column compared: "(customer_id = $1)", "((token_hash)::text = ...)".
            first = re.escape(leading[index][1])
            if not re.search(rf'\(\(?"?{first}"?\)?(::[\w ]+)?\s*(=|<|>|IS\b)', condition):
                on = f"{leading[index][0]} using {index}"
                scans.append(f"{node['Node Type']} on {on} ({condition or 'no condition'})")
    return scans


async def _full_scans_sqlite(statement: Statement) -> list[str]:
    """The customer-owned tables a statement reads whole: ``SCAN table`` (with or without an
    index walked for its order), where a ``SEARCH`` would find the rows."""
    rows = await get_connection("default").execute_query_dict(
        f"EXPLAIN QUERY PLAN {statement.sql}", statement.values
    )
    scans = []
    for row in rows:
        match = re.match(r"SCAN (\w+)", row["detail"])
        if match and match.group(1) not in CATALOGUE:
            scans.append(row["detail"])
    return scans


async def _plans(gql, query: str) -> dict[str, list[str]]:
    """Each statement ``query`` sends that reads a customer-owned table whole, with what does."""
    with record_statements() as seen:
        await gql(query)
    planned = [s for s in seen if _PLANNED.match(s.sql)]
    assert planned, "no statement recorded"
    postgres = get_connection("default").capabilities.dialect == "postgres"
    found = {}
    for statement in planned:
        scans = await (_full_scans_postgres if postgres else _full_scans_sqlite)(statement)
        if scans:
            found[statement.sql] = scans
    return found


@pytest.mark.parametrize(
    "query", [DASHBOARD, WHOLE_GRAPH, REST_OF_GRAPH], ids=["dashboard", "whole-graph", "rest"]
)
async def test_no_statement_reads_a_customer_table_whole(gql, client, settings, query) -> None:
    cat = await make_catalogue()
    others = [await make_customer(settings) for _ in range(2)]
    for other in others:
        await make_graph(other, cat, services=2, invoices=2)
    customer = await make_customer(settings)
    await make_graph(customer, cat, services=3, invoices=3)
    await login_as(client, settings, customer)

    full_scans = await _plans(gql, query)

    assert full_scans == {}, "\n\n".join(
        f"{sql}\n  -> {scans}" for sql, scans in full_scans.items()
    )


# Statements the check must refuse: a column without an index, and only the second column of
# an index (invoice_line is unique on (invoice_id, position)).
UNINDEXED = {
    "postgres": [
        'SELECT "id" FROM "customer" WHERE "city" = $1',
        'SELECT "id" FROM "invoice_line" WHERE "position" = $1',
    ],
    "sqlite": [
        'SELECT "id" FROM "customer" WHERE "city" = ?',
        'SELECT "id" FROM "invoice_line" WHERE "position" = ?',
    ],
}


async def test_the_check_sees_a_full_scan(db) -> None:
    """The check above can fail: both statements of ``UNINDEXED`` read a table whole (and it
    leaves the statistics of PostgreSQL as they were)."""
    conn = get_connection("default")
    dialect = conn.capabilities.dialect
    if dialect == "postgres":
        await conn.execute_script('ANALYZE "customer"')
    check = _full_scans_postgres if dialect == "postgres" else _full_scans_sqlite
    for sql, value in zip(UNINDEXED[dialect], ["Kraków", 1], strict=True):
        scans = await check(Statement(sql, [value]))
        table = sql.split('"')[3]
        assert len(scans) == 1 and table in scans[0], (sql, scans)
    if dialect == "postgres":  # the pretence of unknown statistics was rolled back
        rows = await conn.execute_query_dict(
            "SELECT reltuples FROM pg_class WHERE relname = 'customer'"
        )
        assert rows[0]["reltuples"] >= 0
