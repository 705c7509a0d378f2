"""The committed ``operator.graphql`` is the operator schema the code builds: regenerate it with
``icok export-schema --operator -o operator.graphql`` after every change of the operator API."""

from __future__ import annotations

from pathlib import Path

from backend.operator.schema import build_operator_schema
from tests.api.test_schema_file import exported

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "operator.graphql"
HINT = (
    "operator.graphql is stale: run `icok export-schema --operator -o operator.graphql` "
    "and commit it"
)


def test_operator_schema_file_is_current() -> None:
    committed = SCHEMA_FILE.read_text()
    built = build_operator_schema(production=False).as_str() + "\n"
    assert committed == built, HINT


def test_cli_export_matches(tmp_path: Path) -> None:
    assert exported(tmp_path, "--operator") == SCHEMA_FILE.read_text(), HINT


def test_the_operator_schema_is_not_the_customer_schema() -> None:
    sdl = SCHEMA_FILE.read_text()
    assert "apiKey: ApiKey!" in sdl
    for customer_only in ("viewer", "login", "type Viewer", "node(id: ID!)"):
        assert customer_only not in sdl, customer_only
