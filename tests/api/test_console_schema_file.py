"""The committed ``console.graphql`` is the console schema the code builds: regenerate it with
``icok export-schema --console -o console.graphql`` after every change of the console API."""

from __future__ import annotations

from pathlib import Path

from backend.console.schema import build_console_schema
from tests.api.test_schema_file import exported

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "console.graphql"
HINT = (
    "console.graphql is stale: run `icok export-schema --console -o console.graphql` and commit it"
)


def test_console_schema_file_is_current() -> None:
    committed = SCHEMA_FILE.read_text()
    built = build_console_schema(production=False).as_str() + "\n"
    assert committed == built, HINT


def test_cli_export_matches(tmp_path: Path) -> None:
    assert exported(tmp_path, "--console") == SCHEMA_FILE.read_text(), HINT


def test_the_console_schema_is_neither_the_customers_nor_the_operators() -> None:
    sdl = SCHEMA_FILE.read_text()
    assert "staffLogin(" in sdl
    # (Descriptions of types shared with the customer schema may name them.)
    for other in ("  viewer:", "  login(", "type Viewer ", "  apiKey:", "  register("):
        assert other not in sdl, other
