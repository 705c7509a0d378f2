"""The committed ``schema.graphql`` is the schema the code builds: regenerate it with
``icok export-schema -o schema.graphql`` after every schema change."""

from __future__ import annotations

import subprocess
from pathlib import Path

from backend.schema import build_schema
from tests.checkout import ICOK, checkout_env

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema.graphql"
HINT = "schema.graphql is stale: run `icok export-schema -o schema.graphql` and commit it"


def test_schema_file_is_current() -> None:
    committed = SCHEMA_FILE.read_text()
    built = build_schema(production=False).as_str() + "\n"
    assert committed == built, HINT


def exported(tmp_path: Path, *options: str, command: str = "export-schema") -> str:
    """What ``icok COMMAND OPTIONS -o FILE`` (``export-schema``, ``export-operations``) of this
    checkout writes, run in ``tmp_path``."""
    out = tmp_path / "exported.graphql"
    result = subprocess.run(
        [*ICOK, command, *options, "-o", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=checkout_env({"ICOK_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}),
    )
    assert result.returncode == 0, result.stderr
    return out.read_text()


def test_cli_export_matches(tmp_path: Path) -> None:
    assert exported(tmp_path) == SCHEMA_FILE.read_text(), HINT


def test_schema_has_the_customer_graph() -> None:
    sdl = SCHEMA_FILE.read_text()
    for needle in (
        "interface Node",
        "node(id: ID!): Node",
        "nodes(ids: [ID!]!): [Node]!",
        "type Viewer",
        "dashboard: Dashboard!",
        "type Money",
        "type InvoiceConnection",
        "pdfUrl: String!",
    ):
        assert needle in sdl, needle
