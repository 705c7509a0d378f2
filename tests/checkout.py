"""Subprocesses run this checkout: the ``icok`` CLI and servers the tests start import
``backend`` from the repository under test (first on ``PYTHONPATH``), never from whatever copy
or console script happens to be installed."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout under test (holds backend/)

# ``icok ARGS`` as a command line: this interpreter, this checkout's ``backend.cli``.
ICOK = [sys.executable, "-m", "backend.cli"]


def checkout_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with the checkout's root first on ``PYTHONPATH``."""
    rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {**env, "PYTHONPATH": os.pathsep.join([str(ROOT), *rest])}
