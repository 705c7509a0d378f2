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
