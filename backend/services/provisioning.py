"""The bridge to the operator's provisioning system, which executes ``DeviceCommand`` rows.

Commands are persisted, so any app instance's worker can pick them up. Each step is a conditional
UPDATE on the status (``QUEUED → SENT``, then ``SENT → DONE | FAILED``): when several workers
race for a command, exactly one wins each step.

``ProvisioningSystem`` is the interface a real integration implements. The built-in
``SimulatedProvisioning`` accepts a command halfway through ``provisioning_delay_seconds`` and
reports it done when the whole delay has passed, so the status visibly moves QUEUED → SENT → DONE.
It fails commands for devices whose serial number starts with ``ERR`` (to demonstrate FAILED).
All waiting is measured with ``backend.clock``, so tests move time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from backend.clock import now
from backend.config import Settings
from backend.models import DeviceCommand
from backend.models.enums import CommandStatus

log = logging.getLogger("icok.provisioning")

BATCH = 50


@dataclass(frozen=True)
class Outcome:
    """A final answer from the provisioning system."""

    ok: bool
    reason: str = ""


class ProvisioningSystem(Protocol):
    async def submit(self, command: DeviceCommand) -> str | None:
        """Hand the command over; returns the system's reference, or None for "not yet"."""

    async def check(self, command: DeviceCommand) -> Outcome | None:
        """The outcome of a submitted command, or None while it is still running."""


class SimulatedProvisioning:
    def __init__(self, delay_seconds: float) -> None:
        self.delay = timedelta(seconds=delay_seconds)

    async def submit(self, command: DeviceCommand) -> str | None:
        if now() - command.requested_at < self.delay / 2:
            return None
        return f"SIM-{command.id}-{secrets.token_hex(4)}"

    async def check(self, command: DeviceCommand) -> Outcome | None:
        if command.sent_at is None or now() - command.requested_at < self.delay:
            return None
        await command.fetch_related("device")
        if command.device.serial_number.upper().startswith("ERR"):
            return Outcome(ok=False, reason="device not responding")
        return Outcome(ok=True)


@dataclass
class Chore:
    """Other periodic work sharing the worker's loop (e.g. expiring stale payments), run at
    start and then every ``every`` seconds of real time."""

    name: str
    run: Callable[[], Awaitable[object]]
    every: float
    due: float = 0.0  # time.monotonic() of the next run


class ProvisioningWorker:
    """Moves commands along; ``run_once`` is one pass, ``start``/``stop`` run it periodically,
    together with the ``chores`` that are due."""

    def __init__(
        self,
        system: ProvisioningSystem,
        *,
        interval: float = 0.5,
        chores: Sequence[Chore] = (),
    ) -> None:
        self.system = system
        self.interval = interval
        self.chores = list(chores)
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        """Advance every command that can move now; returns how many changed status."""
        changed = 0
        for command in (
            await DeviceCommand.filter(status=CommandStatus.QUEUED)
            .order_by("requested_at")
            .limit(BATCH)
        ):
            ref = await self._submit(command)
            if ref is None:
                continue
            at = now()
            if await DeviceCommand.filter(id=command.id, status=CommandStatus.QUEUED).update(
                status=CommandStatus.SENT, sent_at=at, external_ref=ref[:64]
            ):
                changed += 1
        for command in (
            await DeviceCommand.filter(status=CommandStatus.SENT).order_by("sent_at").limit(BATCH)
        ):
            outcome = await self._check(command)
            if outcome is None:
                continue
            if await DeviceCommand.filter(id=command.id, status=CommandStatus.SENT).update(
                status=CommandStatus.DONE if outcome.ok else CommandStatus.FAILED,
                completed_at=now(),
                failure_reason=outcome.reason[:200],
            ):
                changed += 1
        return changed

    async def _submit(self, command: DeviceCommand) -> str | None:
        try:
            return await self.system.submit(command)
        except Exception:
            log.exception("provisioning refused command %s", command.id)
            return None

    async def _check(self, command: DeviceCommand) -> Outcome | None:
        try:
            return await self.system.check(command)
        except Exception:
            log.exception("provisioning check of command %s failed", command.id)
            return None

    async def run_chores(self, *, force: bool = False) -> int:
        """Run the chores that are due (all with ``force``); returns how many ran."""
        ran = 0
        for chore in self.chores:
            if not force and time.monotonic() < chore.due:
                continue
            chore.due = time.monotonic() + chore.every
            ran += 1
            try:
                await chore.run()
            except Exception:  # like a failed pass: try again when it is next due
                log.exception("background chore %r failed", chore.name)
        return ran

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # the database may be briefly unavailable: keep going
                log.exception("provisioning pass failed")
            await self.run_chores()
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="icok-provisioning")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def build_worker(settings: Settings, *, chores: Sequence[Chore] = ()) -> ProvisioningWorker:
    """The worker with the built-in simulated system, polling a few times per delay."""
    delay = settings.provisioning_delay_seconds
    interval = min(1.0, max(0.01, delay / 4))
    return ProvisioningWorker(SimulatedProvisioning(delay), interval=interval, chores=chores)
