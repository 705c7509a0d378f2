"""The catalogue cached per process (``services.catalog.catalogue``): whoever changes the
catalogue (the operator API, ``icok import`` in another process, plain SQL), the next customer
request of every instance sees it; a warm catalogue costs one statement; what depends on the
time (a title's sale) follows the clock without reloading."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from tortoise.connection import get_connection

from backend.app import create_app
from backend.clock import clock, now
from backend.config import Settings
from backend.models import Package, Title
from backend.models.enums import TitleKind
from backend.services import catalog
from backend.services.operator_keys import Scope
from tests.api.test_operator_catalogue import PACKAGES, TITLES, call
from tests.conftest import GraphQLClient
from tests.factories import make_api_key
from tests.statements import count_statements
from tests.test_cli import icok

CATALOGUE = """{
  packages { code name channelCount channels { name } }
  vodTitles { name featured }
}"""
TABLES = ("package", "channel", "package_channel", "title")

START: dict[str, Any] = {
    "code": "SAT_START",
    "name": "Start",
    "kind": "BASE",
    "serviceKind": "SATELLITE_TV",
    "monthlyPrice": 2999,
    "channels": [{"name": "TVP1 HD", "category": "general"}],
}
FILM = {"code": "VOD-FILM", "kind": "VOD", "name": "Film", "price": 999}


async def _seen(gql: GraphQLClient) -> dict[str, Any]:
    data = await gql(CATALOGUE)
    return {
        "packages": {p["code"]: (p["name"], p["channelCount"]) for p in data["packages"]},
        "channels": {p["code"]: [c["name"] for c in p["channels"]] for p in data["packages"]},
        "titles": [(t["name"], t["featured"]) for t in data["vodTitles"]],
    }


async def test_every_catalogue_table_has_its_version_triggers(db: str, settings: Settings) -> None:
    """Migration 0016's triggers are all there after the last migration (a later migration that
    rebuilds one of these tables on SQLite would drop them silently)."""
    conn = get_connection("default")
    if settings.is_sqlite:
        rows = await conn.execute_query_dict(
            "SELECT tbl_name AS t, name FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'catalogue_version_%'"
        )
        expected = {
            (t, f"catalogue_version_{t}_{e}")
            for t in TABLES
            for e in ("insert", "update", "delete")
        }
    else:
        rows = await conn.execute_query_dict(
            "SELECT c.relname AS t, g.tgname AS name FROM pg_trigger g "
            "JOIN pg_class c ON c.oid = g.tgrelid WHERE g.tgname LIKE 'catalogue_version_%'"
        )
        expected = {(t, f"catalogue_version_{t}") for t in TABLES}
    assert {(r["t"], r["name"]) for r in rows} == expected


async def test_an_operator_change_is_seen_by_the_next_request_of_every_instance(
    client: httpx.AsyncClient, gql: GraphQLClient, settings: Settings
) -> None:
    """Two app instances on one database: the customer reads through one (its catalogue warm),
    the operator writes through the other; the first instance's next answer has the change.
    Then plain SQL, through no path of the app: seen too (the database says what changed)."""
    key = await make_api_key(Scope.CATALOG_WRITE)
    await call(client, key.headers, PACKAGES, [START])
    await call(client, key.headers, TITLES, [FILM])
    assert await _seen(gql) == {
        "packages": {"SAT_START": ("Start", 1)},
        "channels": {"SAT_START": ["TVP1 HD"]},
        "titles": [("Film", False)],
    }
    with count_statements() as warm:
        await _seen(gql)
    assert len(warm) == 1  # the catalogue's token only

    other = create_app(settings, manage_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=other), base_url="http://testserver"
    ) as operator:
        renamed = {
            **START,
            "name": "Start+",
            "channels": [*START["channels"], {"name": "Polsat", "category": "general"}],
        }
        await call(operator, key.headers, PACKAGES, [renamed])
        await call(operator, key.headers, TITLES, [{**FILM, "featured": True}])
    assert await _seen(gql) == {
        "packages": {"SAT_START": ("Start+", 2)},
        "channels": {"SAT_START": ["Polsat", "TVP1 HD"]},
        "titles": [("Film", True)],
    }

    await Package.filter(code="SAT_START").update(sellable=False)
    await Title.filter(code="VOD-FILM").update(name="Film 2")
    assert await _seen(gql) == {"packages": {}, "channels": {}, "titles": [("Film 2", True)]}


async def test_an_import_by_another_process_is_seen_by_the_next_request(
    gql: GraphQLClient, settings: Settings, tmp_path: Path
) -> None:
    """``icok import`` runs in a process of its own (as on another machine): the app's warm
    catalogue is replaced at the next request."""
    assert await _seen(gql) == {"packages": {}, "channels": {}, "titles": []}
    lines = tmp_path / "catalogue.jsonl"
    items = [
        {"type": "package", **START},
        {"type": "title", **FILM},
    ]
    lines.write_text("".join(json.dumps(i) + "\n" for i in items))
    result = icok(tmp_path, "import", str(lines), ICOK_DATABASE_URL=settings.database_url)
    assert result.code == 0, result
    assert await _seen(gql) == {
        "packages": {"SAT_START": ("Start", 1)},
        "channels": {"SAT_START": ["TVP1 HD"]},
        "titles": [("Film", False)],
    }


async def test_sales_follow_the_clock_without_reloading(gql: GraphQLClient) -> None:
    """A title whose sale closes, and a PPV event that ends, leave the list when the clock
    passes their time, from the cached rows; travelling back brings them back."""
    closes = now() + timedelta(hours=2)
    await Title.create(kind=TitleKind.VOD, name="Closing", price=999, available_until=closes)
    await Title.create(
        kind=TitleKind.PPV,
        name="Gala",
        price=2999,
        event_starts_at=now() + timedelta(hours=1),
        duration_minutes=120,
    )
    await Title.create(kind=TitleKind.VOD, name="Open", price=999)
    names = """{ vodTitles { name } }"""
    assert [t["name"] for t in (await gql(names))["vodTitles"]] == ["Closing", "Gala", "Open"]
    start = now()
    for hours, expected in [
        (2, ["Gala", "Open"]),
        (3, ["Open"]),
        (0, ["Closing", "Gala", "Open"]),
    ]:
        clock.travel_to(start + timedelta(hours=hours))
        with count_statements() as seen:
            assert [t["name"] for t in (await gql(names))["vodTitles"]] == expected
        assert len(seen) == 1, seen  # the token: no reload


async def test_the_catalogue_without_a_token_row_is_read_but_not_kept(db: str) -> None:
    """No ``catalogue_version`` row (a database emptied by hand): every read loads afresh."""
    await get_connection("default").execute_script("DELETE FROM catalogue_version")
    first = await catalog.catalogue()
    assert first.token is None
    assert await catalog.catalogue() is not first
    await Title.create(kind=TitleKind.VOD, name="Open", price=999)  # the trigger brings it back
    kept = await catalog.catalogue()
    assert kept.token is not None and await catalog.catalogue() is kept
