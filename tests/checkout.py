"""Subprocesses run this checkout: the ``icok`` CLI and servers the tests start import
``backend`` from the repository under test (first on ``PYTHONPATH``), never from whatever copy
or console script happens to be installed; and the free port such a server listens on."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout under test (holds backend/)

# ``icok ARGS`` as a command line: this interpreter, this checkout's ``backend.cli``.
ICOK = [sys.executable, "-m", "backend.cli"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def checkout_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with the checkout's root first on ``PYTHONPATH``."""
    rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {**env, "PYTHONPATH": os.pathsep.join([str(ROOT), *rest])}
