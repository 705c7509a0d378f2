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
    variables = set(re.findall(r"ICOK_[A-Z_]+", source))
    assert len(variables) >= 10
    for name in variables:
        assert f"| `{name}` |" in README, f"{name} is missing from the README's configuration table"


def test_quickstart_commands_exist() -> None:
    for script in ("scripts/serve", "scripts/test"):
        assert f"./{script}" in README
        path = ROOT / script
        assert path.is_file() and path.stat().st_mode & 0o111, script
