"""The console's frontend (``frontend/console/``): every GraphQL operation it sends is valid
against the console schema, its texts exist in Polish and English without clashing with the
SPA's (the two dictionaries are merged), every module is preloaded, and ``/console/...`` paths
are served its ``index.html`` (after ``/console/graphql``, before the SPA's catch-all)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from graphql import OperationDefinitionNode, parse, validate

from backend.console.schema import build_console_schema
from tests.api.test_spa_operations import _dictionary_keys, named_operations

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
CONSOLE = FRONTEND / "console"
SCHEMA = build_console_schema(production=False)._schema


OPERATIONS = named_operations(CONSOLE / "js" / "operations")


def test_operations_are_found_and_named_once() -> None:
    names = [name.split(":", 1)[1] for name, _ in OPERATIONS]
    assert len(names) >= 10 and "?" not in names, names
    assert len(names) == len(set(names)), sorted(names)


@pytest.mark.parametrize(("name", "document"), OPERATIONS, ids=[n for n, _ in OPERATIONS])
def test_operation_is_valid_against_the_console_schema(name: str, document: str) -> None:
    ast = parse(document)
    assert len([d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]) == 1
    errors = validate(SCHEMA, ast)
    assert not errors, f"{name}: " + "; ".join(e.message for e in errors)


def test_every_operation_file_is_used() -> None:
    sources = "\n".join(p.read_text() for p in (CONSOLE / "js").rglob("*.js"))
    for path in (CONSOLE / "js" / "operations").glob("*.js"):
        assert f"operations/{path.name}" in sources, f"{path.name} is imported nowhere"


def test_both_languages_have_the_same_texts_and_placeholders() -> None:
    pl_source = (CONSOLE / "js" / "i18n" / "pl.js").read_text()
    en_source = (CONSOLE / "js" / "i18n" / "en.js").read_text()
    pl, en = (
        _dictionary_keys(CONSOLE / "js" / "i18n" / "pl.js"),
        _dictionary_keys(CONSOLE / "js" / "i18n" / "en.js"),
    )
    assert len(pl) > 30
    assert pl - en == set(), "missing in English"
    assert en - pl == set(), "missing in Polish"

    def placeholders(source: str) -> dict[str, set[str]]:
        texts = re.findall(r"^\s*'([\w.]+)': '((?:[^'\\]|\\.)*)',", source, re.M)
        return {key: set(re.findall(r"\{(\w+)\}", text)) for key, text in texts}

    assert placeholders(pl_source) == placeholders(en_source)


def test_console_texts_do_not_replace_the_spas() -> None:
    spa = _dictionary_keys(FRONTEND / "js" / "i18n" / "pl.js")
    console = _dictionary_keys(CONSOLE / "js" / "i18n" / "pl.js")
    assert console & spa == set()


def test_static_keys_used_by_the_console_exist() -> None:
    keys = _dictionary_keys(CONSOLE / "js" / "i18n" / "pl.js") | _dictionary_keys(
        FRONTEND / "js" / "i18n" / "pl.js"
    )
    used: set[str] = set()
    for path in (CONSOLE / "js").rglob("*.js"):
        source = path.read_text()
        used |= set(re.findall(r"\bt\('([\w]+\.[\w.]+)'", source))
        used |= set(re.findall(r"\bkey: '([\w]+\.[\w.]+)'", source))
    assert used
    assert used - keys == set()


def test_index_preloads_every_module() -> None:
    index = (CONSOLE / "index.html").read_text()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', index))
    console = {
        "/console/" + str(p.relative_to(CONSOLE))
        for p in (CONSOLE / "js").rglob("*.js")
        if p.name != "app.js"
    }
    assert console <= preloaded, console - preloaded
    for shared in preloaded - console:
        assert (FRONTEND / shared.lstrip("/")).is_file(), shared


@pytest.mark.parametrize("path", ["/console/", "/console/login", "/console/queue/12"])
async def test_console_paths_serve_the_console_index(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert '<script type="module" src="/assets/' in response.text
    assert '/console/js/app.js">' in response.text


async def test_console_assets_and_missing_files(client: httpx.AsyncClient) -> None:
    assert (await client.get("/console/js/app.js")).status_code == 200
    assert (await client.get("/console/js/nothing.js")).status_code == 404
    # The customer's SPA keeps its own index.
    spa = await client.get("/payments")
    assert re.search(r'<script type="module" src="/assets/[0-9a-f]+/js/app\.js">', spa.text)
