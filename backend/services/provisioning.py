"""The bridge to the operator's provisioning system, which executes ``DeviceCommand`` rows.

Two modes (``Settings.provisioning``). ``operator``: :func:`request_command` writes the command
as SENT and a ``device_command.requested`` event (:mod:`services.outbox`) in the caller's
transaction; the operator carries it out and reports with :func:`complete`
(``completeDeviceCommand``); the worker retries or fails what nobody completed within
``command_timeout_seconds`` (:func:`handle_timeouts`). ``simulated`` (development, demo): the
command is QUEUED and the worker's ``SimulatedProvisioning`` completes it, as below.

Whatever fails a command (the operator, a timeout, the simulation) undoes in the same
transaction what the customer was promised (:func:`undo_failed`): a title's price goes back to
the wallet, a package order is withdrawn, a PIN reset or signal refresh stops counting toward
its limit.

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
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any, Protocol

from tortoise.transactions import in_transaction

from backend import db
from backend.clock import now
from backend.config import ProvisioningMode, Settings, TimeoutAction
from backend.i18n import translate
from backend.models import Customer, Device, DeviceCommand, Service
from backend.models.enums import (
    AuditKind,
    CommandKind,
    CommandStatus,
    DeviceKind,
    Language,
    ServiceKind,
)
from backend.services import audit, outbox, text
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.outbox import EventType
from backend.services.request import RequestMeta

log = logging.getLogger("icok.provisioning")

BATCH = 50
DETAIL_LIMIT = 200
"""The operator's ``detail`` of an outcome, in characters (stored as ``failure_reason``)."""
# Entitlements live on the smart card: prefer it, fall back to the decoder.
ENTITLEMENT_DEVICES = (DeviceKind.SMART_CARD, DeviceKind.DECODER)
_COMMAND_ID = re.compile(r"cmd_([1-9][0-9]{0,17})")


class ReasonCode(StrEnum):
    """Why a command failed, as the customer reads it (``provisioning.reason.<CODE>``, pl/en).
    The operator sends one with a FAILED outcome (``TIMEOUT`` is the portal's own)."""

    CARD_NOT_RESPONDING = "CARD_NOT_RESPONDING"
    DEVICE_OFFLINE = "DEVICE_OFFLINE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    OTHER = "OTHER"
    TIMEOUT = "TIMEOUT"


class CommandResult(StrEnum):
    """The outcome the operator reports for a command."""

    DONE = "done"
    FAILED = "failed"


OPERATOR_REASONS = tuple(code for code in ReasonCode if code is not ReasonCode.TIMEOUT)


def command_id(command_pk: int) -> str:
    """The stable id the operator completes a command by: ``cmd_`` and the row's id."""
    return f"cmd_{command_pk}"


async def find_entitlement_device(service: Service) -> Device | None:
    """The device holding ``service``'s entitlements: its smart card, else its decoder (None
    for a service that is not satellite TV, or has neither)."""
    if service.kind is not ServiceKind.SATELLITE_TV:
        return None
    devices = await Device.filter(service_id=service.id, kind__in=ENTITLEMENT_DEVICES)
    devices.sort(key=lambda d: (ENTITLEMENT_DEVICES.index(d.kind), d.id))
    return devices[0] if devices else None


async def request_command(
    settings: Settings,
    device: Device,
    kind: CommandKind,
    *,
    details: dict[str, Any] | None = None,
    subscription_id: int | None = None,
    purchase_id: int | None = None,
    announce: bool = True,
) -> DeviceCommand:
    """Write a command for ``device``: QUEUED for the simulation, or (operator mode) SENT with
    its ``device_command.requested`` event (with ``announce`` False the caller writes that
    event later with :func:`announce`, after its own). Call it inside the transaction of the
    change that asks for it (the event goes with it or not at all)."""
    at = now()
    operator = settings.provisioning is ProvisioningMode.OPERATOR
    command = await DeviceCommand.create(
        device=device,
        customer_id=device.customer_id,
        kind=kind,
        status=CommandStatus.SENT if operator else CommandStatus.QUEUED,
        requested_at=at,
        sent_at=at if operator else None,
        details=details,
        subscription_id=subscription_id,
        purchase_id=purchase_id,
    )
    if operator:
        command.external_ref = command_id(command.id)
        await DeviceCommand.filter(id=command.id).update(external_ref=command.external_ref)
        if announce:
            await _announce(settings, command, device)
    return command


async def announce(settings: Settings, command: DeviceCommand) -> None:
    """The ``device_command.requested`` event of ``command``, written by
    :func:`request_command` with ``announce`` False (its device loaded): nothing unless it was
    handed to the operator (operator mode). Call it in the same transaction, after the order's
    own event, so the operator reads the order before the command it causes."""
    if settings.provisioning is ProvisioningMode.OPERATOR and command.status is CommandStatus.SENT:
        await _announce(settings, command, command.device)


async def request_entitlement(
    settings: Settings,
    service: Service,
    details: dict[str, Any],
    *,
    subscription_id: int | None = None,
    purchase_id: int | None = None,
) -> DeviceCommand | None:
    """An ENTITLEMENT command for ``service``'s card (:func:`find_entitlement_device`) giving
    what ``details`` say (a package's code and from/until days, or a title's code and until
    instant), linked to the subscription or purchase; None when the service has no card. Call it
    inside the order's transaction, like :func:`request_command`; the command is not announced
    yet: write the order's event, then :func:`announce` it."""
    device = await find_entitlement_device(service)
    if device is None:
        return None
    return await request_command(
        settings,
        device,
        CommandKind.ENTITLEMENT,
        details=details,
        subscription_id=subscription_id,
        purchase_id=purchase_id,
        announce=False,
    )


async def _announce(settings: Settings, command: DeviceCommand, device: Device) -> None:
    """The ``device_command.requested`` event of ``command`` (its current attempt)."""
    customer_number = (
        await Customer.filter(id=device.customer_id).values_list("number", flat=True)
    )[0]
    service = (
        await Service.filter(id=device.service_id).values_list("identifier", flat=True)
        if device.service_id is not None
        else []
    )
    await outbox.emit(
        settings,
        EventType.DEVICE_COMMAND_REQUESTED,
        device.customer_id,
        {
            "commandId": command_id(command.id),
            "kind": command.kind.value,
            "attempt": command.attempts,
            "customerNumber": customer_number,
            "deviceSerial": device.serial_number,
            "deviceKind": device.kind.value,
            "serviceIdentifier": service[0] if service else None,
            "details": command.details,
            "requestedAt": command.requested_at.isoformat(),
        },
    )


def is_delayed(command: DeviceCommand, settings: Settings) -> bool:
    """Not finished ``command_timeout_seconds`` after it was requested ("taking longer")."""
    return command.status in (CommandStatus.QUEUED, CommandStatus.SENT) and now() - (
        command.requested_at
    ) >= timedelta(seconds=settings.command_timeout_seconds)


def reason_code(command: DeviceCommand) -> ReasonCode | None:
    """The coded reason a FAILED command was given (None: none, or free text only)."""
    raw = (
        (command.details or {}).get("reasonCode")
        if command.status is CommandStatus.FAILED
        else None
    )
    try:
        return ReasonCode(raw) if raw else None
    except ValueError:
        return None


def customer_reason(command: DeviceCommand, language: Language) -> str:
    """Why ``command`` failed, for the customer in ``language``: the text of its reason code
    (``OTHER`` followed by the operator's detail), else the stored reason as written, else
    (FAILED with neither) the text of ``OTHER``; "" for a command that has not failed."""
    code = reason_code(command)
    if code is None:
        if command.status is CommandStatus.FAILED and not command.failure_reason:
            return translate(f"provisioning.reason.{ReasonCode.OTHER.value}", language)
        return command.failure_reason
    reason = translate(f"provisioning.reason.{code.value}", language)
    if code is ReasonCode.OTHER and command.failure_reason:
        return f"{reason}: {command.failure_reason}"
    return reason


async def undo_failed(settings: Settings, command_pk: int) -> None:
    """What the failure of the command ``command_pk`` undoes; call it in the transaction that
    moved it to FAILED. An ENTITLEMENT for a purchase: the price back to the wallet once every
    card's entitlement of it failed (``wallet.refund_failed_purchase``); for a package order:
    the order withdrawn (``subscriptions.withdraw_failed_order``; a cancellation's failure
    changes nothing: the package ends and is billed until ``ends_on`` as agreed). A PIN reset
    or signal refresh: its attempt given back (``devices.give_back_limit``)."""
    from backend.services import devices, subscriptions, wallet  # they import this module

    command = await DeviceCommand.get(id=command_pk)
    if command.kind is not CommandKind.ENTITLEMENT:
        await devices.give_back_limit(command)
    elif command.purchase_id is not None:
        await wallet.refund_failed_purchase(settings, command)
    elif command.subscription_id is not None:
        await subscriptions.withdraw_failed_order(settings, command)


async def complete(
    settings: Settings,
    raw_id: str,
    result: CommandResult,
    *,
    detail: str = "",
    code: ReasonCode | None = None,
    writer: str,
    meta: RequestMeta,
) -> DeviceCommand:
    """The operator's outcome of the SENT command ``raw_id`` (``cmd_<n>``): DONE or FAILED (with
    what the failure undoes, :func:`undo_failed`, in its transaction), with
    ``detail`` (one line, at most 200 characters; for FAILED shown to the customer after the
    reason's text when ``code`` is OTHER, alone when there is no ``code``) and an optional ``code`` (FAILED only). The
    change is audited (OPERATOR_WRITE, naming ``writer``, the API key) in its transaction.

    Reporting the outcome a command already has changes nothing and returns it. Raises
    ``DomainError``: NOT_FOUND (``id``), INVALID (``reason_code``:
    TIMEOUT, or with DONE), TOO_LONG / FORBIDDEN_CHARACTER (``detail``), COMMAND_NOT_SENT (``id``:
    still QUEUED for the simulation), COMMAND_ALREADY_COMPLETED (``id``: the other outcome)."""
    status = CommandStatus(result.value)
    errors = Collector()
    detail = text.check_text(errors, detail, "detail", DETAIL_LIMIT)
    if code is not None and (code is ReasonCode.TIMEOUT or status is CommandStatus.DONE):
        errors.add(ErrorCode.INVALID, "reason_code")
    errors.raise_if_any()
    match = _COMMAND_ID.fullmatch(raw_id.strip())
    command = await DeviceCommand.get_or_none(id=int(match.group(1))) if match else None
    if command is None:
        raise DomainError(ErrorCode.NOT_FOUND, "id")
    if command.status is CommandStatus.SENT:
        details = dict(command.details or {})
        if code is not None:
            details["reasonCode"] = code.value
        async with in_transaction():
            changed = await DeviceCommand.filter(id=command.id, status=CommandStatus.SENT).update(
                status=status,
                completed_at=now(),
                failure_reason=detail if status is CommandStatus.FAILED else "",
                details=details or None,
            )
            if changed and status is CommandStatus.FAILED:
                await undo_failed(settings, command.id)
            if changed:
                await audit.record(
                    AuditKind.OPERATOR_WRITE,
                    None,
                    meta,
                    writer=writer,
                    type="device_command",
                    command=command_id(command.id),
                    status=status.value,
                    **({"reason": code.value} if code else {}),
                )
        command = await DeviceCommand.get(id=command.id)
        if changed:
            return command
    if command.status is CommandStatus.QUEUED:
        raise DomainError(ErrorCode.COMMAND_NOT_SENT, "id")
    if command.status is not status:
        raise DomainError(
            ErrorCode.COMMAND_ALREADY_COMPLETED, "id", {"status": command.status.value.upper()}
        )
    return command


async def handle_timeouts(settings: Settings) -> int:
    """Operator mode: each SENT command whose attempt is older than ``command_timeout_seconds``
    is handed over again (``attempts`` + 1, a new event, same ``commandId``) while ``retry``
    allows and attempts remain, else FAILED with ``TIMEOUT`` (and :func:`undo_failed`). Each step is a conditional UPDATE
    on (status, attempts), so racing workers move a command once. Returns how many moved."""
    timeout = timedelta(seconds=settings.command_timeout_seconds)
    changed = 0
    stale = (
        await DeviceCommand.filter(status=CommandStatus.SENT, sent_at__lte=now() - timeout)
        .order_by("sent_at")
        .limit(BATCH)
        .prefetch_related("device")
    )
    for command in stale:
        retry = (
            settings.command_timeout_action is TimeoutAction.RETRY
            and command.attempts < settings.command_max_attempts
        )
        async with in_transaction():
            if retry:
                moved = await DeviceCommand.filter(
                    id=command.id, status=CommandStatus.SENT, attempts=command.attempts
                ).update(attempts=command.attempts + 1, sent_at=now())
                if moved:
                    command.attempts += 1
                    await _announce(settings, command, command.device)
            else:
                moved = await DeviceCommand.filter(
                    id=command.id, status=CommandStatus.SENT, attempts=command.attempts
                ).update(
                    status=CommandStatus.FAILED,
                    completed_at=now(),
                    details={**(command.details or {}), "reasonCode": ReasonCode.TIMEOUT.value},
                )
                if moved:
                    await undo_failed(settings, command.id)
        changed += moved
    return changed


async def hand_over_queued(settings: Settings) -> int:
    """Operator mode: commands left QUEUED (written while the simulation ran) are handed over
    (SENT and announced), so switching modes strands none. Returns how many."""
    changed = 0
    queued = (
        await DeviceCommand.filter(status=CommandStatus.QUEUED)
        .order_by("requested_at")
        .limit(BATCH)
        .prefetch_related("device")
    )
    for command in queued:
        async with in_transaction():
            moved = await DeviceCommand.filter(id=command.id, status=CommandStatus.QUEUED).update(
                status=CommandStatus.SENT, sent_at=now(), external_ref=command_id(command.id)
            )
            if moved:
                await _announce(settings, command, command.device)
        changed += moved
    return changed


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
        system: ProvisioningSystem | None,
        *,
        interval: float = 0.5,
        chores: Sequence[Chore] = (),
        settings: Settings | None = None,
    ) -> None:
        """``system`` executes commands (the simulation); None in operator mode, where
        ``settings`` (required then) give the timeouts. ``settings`` also say where the events
        and notices of a failure go (defaults when a simulation is given none)."""
        self.system = system
        self.settings = settings
        self.interval = interval
        self.chores = list(chores)
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        """Advance every command that can move now; returns how many changed status."""
        if self.system is None:
            assert self.settings is not None
            return await hand_over_queued(self.settings) + await handle_timeouts(self.settings)
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
            async with in_transaction():
                moved = await DeviceCommand.filter(id=command.id, status=CommandStatus.SENT).update(
                    status=CommandStatus.DONE if outcome.ok else CommandStatus.FAILED,
                    completed_at=now(),
                    failure_reason=outcome.reason[:200],
                )
                if moved and not outcome.ok:
                    await undo_failed(self.settings or Settings(), command.id)
            changed += moved
        return changed

    async def _submit(self, command: DeviceCommand) -> str | None:
        assert self.system is not None
        try:
            return await self.system.submit(command)
        except Exception:
            log.exception("provisioning refused command %s", command.id)
            return None

    async def _check(self, command: DeviceCommand) -> Outcome | None:
        assert self.system is not None
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
            except Exception as exc:  # like a failed pass: try again when it is next due
                db.background_failure(log, f"background chore {chore.name!r}", exc)
        return ran

    async def _loop(self) -> None:
        while True:
            await db.incident.check_recovery()
            try:
                await self.run_once()
            except Exception as exc:  # the database may be briefly unavailable: keep going
                db.background_failure(log, "provisioning pass", exc)
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
    """The worker: in operator mode it hands over and times out commands (every second);
    else the built-in simulated system, polling a few times per delay."""
    if settings.provisioning is ProvisioningMode.OPERATOR:
        return ProvisioningWorker(None, interval=1.0, chores=chores, settings=settings)
    delay = settings.provisioning_delay_seconds
    interval = min(1.0, max(0.01, delay / 4))
    return ProvisioningWorker(
        SimulatedProvisioning(delay), interval=interval, chores=chores, settings=settings
    )
