"""Trusted documents (``ICOK_TRUSTED_DOCUMENTS``): with the switch on, ``/graphql`` and
``/console/graphql`` run only the documents of the committed manifests (the SPA's, the console's)
and of the mobile app's manifest, named by their full text or by their SHA-256
(``documentId`` / Apollo's ``persistedQuery``); anything else is refused with a coded, translated
error before it is parsed. With the switch off everything runs as before, and identifiers still
resolve. The operator API is exempt."""

from __future__ import annotations

import json
import logging
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.config import Settings
from backend.trusted_documents import (
    CONSOLE_MANIFEST,
    CONSOLE_OPERATIONS,
    CUSTOMER_MANIFEST,
    SPA_OPERATIONS,
    document_hash,
    manifest_text,
    module_operations,
    operations,
    parse_manifest,
)
from tests.api.test_schema_file import exported

CAPTCHA = next(d for _, d in operations(SPA_OPERATIONS) if "query Captcha " in d)
CONSOLE_ME = next(d for _, d in operations(CONSOLE_OPERATIONS) if "query ConsoleMe " in d)
UNREGISTERED = "{ apiVersion }"
MOBILE = "query MobileVersion { apiVersion serverTime }"


def _client(settings: Settings, **overrides: Any) -> httpx.AsyncClient:
    app = create_app(settings.with_overrides(**overrides), manage_database=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
def trusted(settings: Settings, db: str) -> httpx.AsyncClient:
    """A client of the app with ``ICOK_TRUSTED_DOCUMENTS=on``."""
    return _client(settings, trusted_documents=True)


def _codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code", "") for e in body.get("errors", [])]


# --- the committed manifests -------------------------------------------------------------------

HINT = "stale: run `icok export-operations {}-o {}` and commit it"


@pytest.mark.parametrize(
    ("directory", "manifest", "option"),
    [(SPA_OPERATIONS, CUSTOMER_MANIFEST, ""), (CONSOLE_OPERATIONS, CONSOLE_MANIFEST, "--console ")],
    ids=["spa", "console"],
)
def test_committed_manifest_is_current(directory: Path, manifest: Path, option: str) -> None:
    assert manifest.read_text() == manifest_text(directory), HINT.format(option, manifest.name)


def test_cli_writes_the_committed_manifest(tmp_path: Path) -> None:
    assert exported(tmp_path, command="export-operations") == CUSTOMER_MANIFEST.read_text()


NODE_EVALUATES = """
const [dir] = process.argv.slice(1);
const fs = await import('node:fs');
const out = [];
for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.js')).sort()) {
  const m = await import('file://' + dir + '/' + name);
  for (const v of Object.values(m)) if (typeof v === 'string' && /^\\s*(query|mutation)\\b/.test(v)) out.push(v);
}
console.log(JSON.stringify(out));
"""


@pytest.mark.parametrize(
    ("directory", "manifest"),
    [(SPA_OPERATIONS, CUSTOMER_MANIFEST), (CONSOLE_OPERATIONS, CONSOLE_MANIFEST)],
    ids=["spa", "console"],
)
def test_manifest_holds_exactly_what_the_browser_sends(directory: Path, manifest: Path) -> None:
    """The operations modules evaluated by a JavaScript engine (node), as the browser evaluates
    them before ``api.js`` sends them: every exported operation's exact text is registered, and
    nothing else is."""
    result = subprocess.run(
        ["node", "--input-type=module", "-e", NODE_EVALUATES, str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    evaluated = json.loads(result.stdout)
    assert len(evaluated) >= 30
    assert {document_hash(d) for d in evaluated} == set(json.loads(manifest.read_text()))


# --- the switch on -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "directory"),
    [("/graphql", SPA_OPERATIONS), ("/console/graphql", CONSOLE_OPERATIONS)],
    ids=["spa", "console"],
)
async def test_every_frontend_operation_passes(
    trusted: httpx.AsyncClient, path: str, directory: Path
) -> None:
    """Each operation posted as ``api.js`` posts it (``{query, variables}``) reaches the schema
    (where it may miss a variable or a session: not the check's business)."""
    refused = []
    async with trusted as client:
        for name, document in operations(directory):
            response = await client.post(path, json={"query": document, "variables": {}})
            if "DOCUMENT_NOT_TRUSTED" in _codes(response.json()):
                refused.append(f"{name}: {document[:40]!r}")
    assert refused == []


async def test_registered_document_runs(trusted: httpx.AsyncClient) -> None:
    async with trusted as client:
        response = await client.post("/graphql", json={"query": CAPTCHA, "variables": {}})
    assert response.json()["data"]["captcha"]["question"]


@pytest.mark.parametrize(
    ("language", "words"), [("pl", "zarejestrowane"), ("en", "registered GraphQL documents only")]
)
async def test_unregistered_document_is_refused_before_parsing(
    trusted: httpx.AsyncClient, language: str, words: str
) -> None:
    async with trusted as client:
        for document in (UNREGISTERED, CAPTCHA + " ", "{ not valid graphql ((("):
            response = await client.post(
                "/graphql", json={"query": document}, headers={"X-Icok-Language": language}
            )
            body = response.json()
            assert body.get("data") is None
            assert _codes(body) == ["DOCUMENT_NOT_TRUSTED"], body  # (not a syntax error)
            assert words in body["errors"][0]["message"]


async def test_unregistered_mutation_does_not_run(trusted: httpx.AsyncClient) -> None:
    """A mutation with a registered operation's name but another text is refused, not run."""
    async with trusted as client:
        document = "mutation Logout { logout { errors { code } } }"
        body = (await client.post("/graphql", json={"query": document})).json()
    assert _codes(body) == ["DOCUMENT_NOT_TRUSTED"] and body.get("data") is None


async def test_document_id_alone_runs_the_registered_document(trusted: httpx.AsyncClient) -> None:
    document_id = "sha256:" + document_hash(CAPTCHA)
    async with trusted as client:
        by_id = await client.post("/graphql", json={"documentId": document_id})
        apollo = await client.post(
            "/graphql",
            json={
                "extensions": {
                    "persistedQuery": {"version": 1, "sha256Hash": document_hash(CAPTCHA)}
                }
            },
        )
    assert by_id.json()["data"]["captcha"]["question"]
    assert apollo.json()["data"]["captcha"]["question"]


async def test_document_id_by_get(settings: Settings, db: str) -> None:
    """Development answers queries by GET: a ``documentId`` in the query string works too."""
    async with _client(settings, trusted_documents=True) as client:
        response = await client.get(
            "/graphql",
            params={"documentId": "sha256:" + document_hash(CAPTCHA)},
            headers={"Accept": "application/json"},
        )
    assert response.json()["data"]["captcha"]["question"]


@pytest.mark.parametrize(
    "request_body",
    [
        {"documentId": "sha256:" + document_hash(UNREGISTERED)},
        {"documentId": document_hash(CAPTCHA)},  # (no sha256: prefix: a custom id, unknown)
        {"documentId": 12},
        {"documentId": "sha256:" + "x" * 10_000},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": None}}},
    ],
    ids=["unknown", "unprefixed", "number", "long", "apollo-unknown", "apollo-null"],
)
async def test_unknown_document_id_is_refused(
    trusted: httpx.AsyncClient, request_body: dict[str, Any]
) -> None:
    async with trusted as client:
        response = await client.post(
            "/graphql", json=request_body, headers={"X-Icok-Language": "en"}
        )
    body = response.json()
    assert _codes(body) == ["PERSISTED_QUERY_NOT_FOUND"], body
    assert body.get("data") is None
    assert body["errors"][0]["message"] == "No registered GraphQL document has this identifier."


async def test_console_has_its_own_manifest(trusted: httpx.AsyncClient) -> None:
    async with trusted as client:
        own = await client.post("/console/graphql", json={"query": CONSOLE_ME})
        spa = await client.post("/console/graphql", json={"query": CAPTCHA})
        other = await client.post("/console/graphql", json={"query": "{ serverTime }"})
        by_id = await client.post(
            "/console/graphql", json={"documentId": "sha256:" + document_hash(CONSOLE_ME)}
        )
        spa_id = await client.post(
            "/graphql", json={"documentId": "sha256:" + document_hash(CONSOLE_ME)}
        )
    assert "errors" not in own.json() and own.json()["data"]["me"] is None
    assert _codes(spa.json()) == ["DOCUMENT_NOT_TRUSTED"]
    assert _codes(other.json()) == ["DOCUMENT_NOT_TRUSTED"]
    assert by_id.json()["data"]["me"] is None
    assert _codes(spa_id.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_operator_api_is_exempt(trusted: httpx.AsyncClient) -> None:
    async with trusted as client:
        response = await client.post("/operator/graphql", json={"query": "{ apiKey { name } }"})
    assert "DOCUMENT_NOT_TRUSTED" not in _codes(response.json())
    assert _codes(response.json())  # (refused for want of a key, as before)


# --- the mobile app's manifest -----------------------------------------------------------------


def _mobile_manifest(tmp_path: Path, *, prefixed: bool) -> Path:
    key = ("sha256:" if prefixed else "") + document_hash(MOBILE)
    path = tmp_path / "mobile.json"
    path.write_text(json.dumps({key: MOBILE}))
    return path


@pytest.mark.parametrize("prefixed", [False, True], ids=["codegen-keys", "document-id-keys"])
async def test_mobile_manifest_documents_run(
    settings: Settings, db: str, tmp_path: Path, prefixed: bool
) -> None:
    manifest = _mobile_manifest(tmp_path, prefixed=prefixed)
    async with _client(
        settings, trusted_documents=True, trusted_documents_manifest=manifest
    ) as client:
        text = await client.post("/graphql", json={"query": MOBILE})
        by_id = await client.post(
            "/graphql", json={"documentId": "sha256:" + document_hash(MOBILE)}
        )
        spa = await client.post("/graphql", json={"query": CAPTCHA})
        console = await client.post("/console/graphql", json={"query": MOBILE})
    assert text.json()["data"]["apiVersion"]
    assert by_id.json()["data"]["apiVersion"]
    assert spa.json()["data"]["captcha"]  # the SPA's stay registered
    assert _codes(console.json()) == ["DOCUMENT_NOT_TRUSTED"]  # (for /graphql only)


# --- the switch off ----------------------------------------------------------------------------


async def test_switch_off_runs_any_document_and_resolves_ids(
    gql: Any, client: httpx.AsyncClient
) -> None:
    assert (await gql(UNREGISTERED))["apiVersion"]
    body = (await client.post("/graphql", json={"query": "{ apiVersio }"})).json()
    assert _codes(body) != ["DOCUMENT_NOT_TRUSTED"]  # (a validation error, as before)
    by_id = await client.post("/graphql", json={"documentId": "sha256:" + document_hash(CAPTCHA)})
    assert by_id.json()["data"]["captcha"]["question"]
    unknown = await client.post("/graphql", json={"documentId": "sha256:" + "0" * 64})
    assert _codes(unknown.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    nothing = await client.post("/graphql", json={"variables": {}})
    assert nothing.status_code == 400  # no document at all: strawberry's answer, as before


def test_readme_example_manifest_is_valid() -> None:
    """The mobile manifest shown in the README's Security section is one the server accepts."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = re.search(r"^(\{\"[0-9a-f]{64}\": .*\})$", readme, re.M)
    assert example, "the README's example manifest is gone"
    assert parse_manifest(json.loads(example.group(1)))


async def test_refusals_are_logged_at_info_by_hash(trusted: httpx.AsyncClient, caplog: Any) -> None:
    """One INFO line per refusal, no traceback, naming the hash (not the document's text) or
    the identifier asked for (quoted: a control character cannot forge a log line)."""
    secret_text = "{ apiVersion } # Sekret-w-zapytaniu"
    caplog.set_level(logging.INFO, logger="icok")
    async with trusted as client:
        await client.post("/graphql", json={"query": secret_text})
        await client.post("/graphql", json={"documentId": "sha256:abc\nforged line"})
    refusals = [r for r in caplog.records if r.getMessage().startswith("refused ")]
    assert [r.levelno for r in refusals] == [logging.INFO, logging.INFO]
    assert all(r.exc_info is None for r in refusals)
    assert f"DOCUMENT_NOT_TRUSTED (sha256:{document_hash(secret_text)})" in refusals[0].getMessage()
    assert "Sekret" not in caplog.text
    assert "\n" not in refusals[1].getMessage()
    assert "PERSISTED_QUERY_NOT_FOUND" in refusals[1].getMessage()


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ('export const A = /* GraphQL */ `\n  query A { x(s: "\\n") }\n`;', "escape"),
        ("export const A = /* GraphQL */ `\n  query A { ${MISSING} }\n`;", "MISSING"),
        (
            "const F = 'x';\nexport const A = /* GraphQL */ `\n  query A { ${F + F} }\n`;",
            "expression",
        ),
    ],
    ids=["escape", "unknown-constant", "expression"],
)
def test_operations_that_cannot_be_read_exactly_are_refused(source: str, problem: str) -> None:
    """The manifest must hold the text the browser evaluates: an escape, an unknown name or an
    expression in a template would make the reader's text differ, so it refuses them."""
    with pytest.raises(ValueError, match=problem):
        module_operations(source)
    assert module_operations(
        "const F = 'y';\nexport const A = /* GraphQL */ `query A { ${F} }`;"
    ) == ["query A { y }"]


async def test_refusal_is_a_request_error(trusted: httpx.AsyncClient) -> None:
    """Nothing ran: with ``application/graphql-response+json`` a refusal is 400 without
    ``data`` (GraphQL-over-HTTP's request error); with ``application/json``, 200 as before."""
    async with trusted as client:
        modern = await client.post(
            "/graphql",
            json={"query": UNREGISTERED},
            headers={"Accept": "application/graphql-response+json"},
        )
        legacy = await client.post("/graphql", json={"documentId": "sha256:" + "0" * 64})
    assert modern.status_code == 400 and "data" not in modern.json()
    assert _codes(modern.json()) == ["DOCUMENT_NOT_TRUSTED"]
    assert legacy.status_code == 200 and _codes(legacy.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
