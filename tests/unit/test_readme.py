"""The README tells the truth about the demo data and the configuration."""

from __future__ import annotations

import re
from pathlib import Path

from backend import config
from backend.demo import CUSTOMERS, DEMO_EMAIL, DEMO_PASSWORD, pesel_of, ready_to_register

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_demo_credentials_and_registration_data_are_listed() -> None:
    assert DEMO_EMAIL in README
    assert DEMO_PASSWORD in README
    for row in ready_to_register():
        assert f"`{row.identifier}`" in README, row
        assert f"`{row.pesel}`" in README, row
    for spec in CUSTOMERS:
        assert f"`{pesel_of(spec)}`" in README, spec.key


def test_every_setting_is_documented() -> None:
    source = Path(config.__file__).read_text()
    # names only: not "ICOK_PAYU_*" in a message
    variables = set(re.findall(r"ICOK_[A-Z_]*[A-Z](?![A-Z_*])", source))
    assert len(variables) >= 10
    for name in variables:
        assert f"| `{name}` |" in README, f"{name} is missing from the README's configuration table"


def test_quickstart_commands_exist() -> None:
    for script in ("scripts/serve", "scripts/test"):
        assert f"./{script}" in README
        path = ROOT / script
        assert path.is_file() and path.stat().st_mode & 0o111, script


def test_layout_lists_every_top_level_module() -> None:
    layout = README.split("## Layout", 1)[1].split("```")[1]
    listed = set(re.findall(r"^  ([a-z0-9_]+(?:\.py|/))", layout, flags=re.MULTILINE))
    backend = ROOT / "backend"
    present = {
        p.name + ("/" if p.is_dir() else "")
        for p in backend.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py")
        or (p.is_dir() and not p.name.startswith(("_", ".")))
    }
    assert present - listed == set(), "add these to the README's Layout section"


def _cells(row: str) -> int:
    """The number of cells of a GitHub table row (an escaped ``\\|`` does not split)."""
    return len(re.split(r"(?<!\\)\|", row.strip().strip("|")))


def test_every_table_renders() -> None:
    """Each table is one block: a header, its ``---`` row, rows with as many cells; a blank
    line inside a table ends it, and the rows after it lose their header (rendered as text)."""
    tables: list[tuple[int, list[str]]] = []
    fenced = False
    for number, line in enumerate(README.splitlines(), start=1):
        if line.startswith("```"):
            fenced = not fenced
        if fenced or not line.startswith("|"):
            continue
        if tables and tables[-1][0] + len(tables[-1][1]) == number:
            tables[-1][1].append(line)
        else:
            tables.append((number, [line]))
    assert len(tables) >= 3
    for start, rows in tables:
        assert len(rows) >= 2 and re.fullmatch(r"\|( *:?-+:? *\|)+", rows[1].strip()), (
            f"README line {start}: a table without its header row and --- row"
        )
        width = _cells(rows[0])
        for offset, row in enumerate(rows):
            assert _cells(row) == width, (
                f"README line {start + offset}: {_cells(row)} cells, not {width}"
            )
