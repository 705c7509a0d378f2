"""Runs the ``icok`` CLI with the process's clock moved: ``python -m tests.e2e.moved_clock
INSTANT ARGS...`` is ``icok ARGS...`` on a clock that starts at the ISO ``INSTANT`` and ticks on
from there (time-machine moves ``datetime.now`` and ``time.time`` for the whole process; the
event loop's monotonic clock stays real). Browser tests start a server with it to see what the
portal shows days later (``live_server(clock_at=...)``)."""

from __future__ import annotations

import sys
from datetime import datetime

import time_machine

from backend.cli import main

if __name__ == "__main__":
    at = datetime.fromisoformat(sys.argv[1])
    with time_machine.travel(at, tick=True):
        sys.exit(main(sys.argv[2:]))
