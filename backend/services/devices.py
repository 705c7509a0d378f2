"""The devices domain: the customer's equipment (reads, batched for the DataLoaders) and the
commands a customer sends to it: decoder PIN reset and signal refresh.

Both are written as ``DeviceCommand`` rows by ``services.provisioning.request_command`` (in the
request's transaction, with the operator's event in operator mode), which any app instance's
worker moves along. Limits are counted in the
shared rate-limit table, so they hold across instances and under concurrent requests: a PIN
reset 3 times per Warsaw calendar day per device (counted afresh from local midnight), a signal
refresh once per 15 minutes per service. A command that fails (the operator's FAILED, a
timeout, the simulation) is given back (:func:`give_back_limit`), so "try again" can be tried.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from tortoise.transactions import in_transaction

from backend.clock import day_of, now, start_of, today
from backend.config import Settings
from backend.models import Device, DeviceCommand, Service
from backend.models.enums import (
    AuditKind,
    CommandKind,
    DeviceKind,
    Language,
    ServiceStatus,
)
from backend.services import audit, provisioning, ratelimit
from backend.services.batch import group
from backend.services.dates import format_instant
from backend.services.errors import DomainError, ErrorCode
from backend.services.ownership import visible
from backend.services.request import RequestMeta
from backend.services.subscriptions import ensure_service_active, owned_service

PIN_RESETS_PER_DAY = 3
SIGNAL_REFRESH_WINDOW = timedelta(minutes=15)
RECENT_COMMANDS = 5
RECENT_COMMANDS_WINDOW = timedelta(days=30)


async def devices(customer_id: int) -> list[Device]:
    return list(await visible(Device, customer_id).order_by("installed_on", "id"))


async def devices_by_service(customer_id: int, ids: Sequence[int]) -> dict[int, list[Device]]:
    rows = await visible(Device, customer_id).filter(service_id__in=ids).order_by("id")
    return group(rows, "service_id")


async def recent_commands_by_device(
    customer_id: int, ids: Sequence[int]
) -> dict[int, list[DeviceCommand]]:
    """The newest commands per device from the last 30 days (at most 5 each), newest first."""
    rows = await (
        visible(DeviceCommand, customer_id)
        .filter(device_id__in=ids, requested_at__gte=now() - RECENT_COMMANDS_WINDOW)
        .order_by("-requested_at", "-id")
    )
    return {k: v[:RECENT_COMMANDS] for k, v in group(rows, "device_id").items()}


async def entitlements_by_subscription(
    customer_id: int, ids: Sequence[int]
) -> dict[int, DeviceCommand]:
    """The newest ENTITLEMENT command of each subscription (its activation on the card, or the
    cancellation's), by subscription id."""
    rows = await (
        visible(DeviceCommand, customer_id)
        .filter(subscription_id__in=ids, kind=CommandKind.ENTITLEMENT)
        .order_by("-requested_at", "-id")
    )
    newest: dict[int, DeviceCommand] = {}
    for row in rows:
        if row.subscription_id is not None:
            newest.setdefault(row.subscription_id, row)
    return newest


def _limit_reached(verdict: ratelimit.Verdict, field: str, language: Language) -> DomainError:
    """COMMAND_LIMIT_REACHED with ``retry_at`` as the reader writes a Warsaw time ("1 grudnia
    2026, 00:00 (czas środkowoeuropejski standardowy)", :func:`dates.format_instant`)."""
    return DomainError(
        ErrorCode.COMMAND_LIMIT_REACHED,
        field,
        {"retry_at": format_instant(verdict.retry_at, language)},
    )


def supports_pin_reset(kind: DeviceKind) -> bool:
    """Only a decoder has a PIN the customer can reset."""
    return kind is DeviceKind.DECODER


async def reset_decoder_pin(
    settings: Settings, customer_id: int, device_id: int, *, meta: RequestMeta
) -> DeviceCommand:
    """Ask for the decoder's PIN to be reset (``provisioning.request_command``).

    Raises ``DomainError`` on ``device_id``: NOT_FOUND, NOT_A_DECODER, COMMAND_LIMIT_REACHED."""
    device = await Device.get_or_none(id=device_id, customer_id=customer_id)
    if device is None:
        raise DomainError(ErrorCode.NOT_FOUND, "device_id")
    if not supports_pin_reset(device.kind):
        raise DomainError(ErrorCode.NOT_A_DECODER, "device_id")
    verdict = await ratelimit.hit(
        f"pin-reset:{device.id}",
        limit=PIN_RESETS_PER_DAY,
        until=start_of(today() + timedelta(days=1)),
    )
    if not verdict.allowed:
        raise _limit_reached(verdict, "device_id", meta.language)
    async with in_transaction():
        command = await provisioning.request_command(settings, device, CommandKind.PIN_RESET)
        await audit.record(AuditKind.PIN_RESET, customer_id, meta, device=device.serial_number)
    return command


async def refresh_signal(
    settings: Settings,
    customer_id: int,
    *,
    service_id: int | None = None,
    device_id: int | None = None,
    meta: RequestMeta,
) -> DeviceCommand:
    """Re-send a satellite service's entitlements ("wznów sygnał")."""
    if (service_id is None) == (device_id is None):
        raise DomainError(ErrorCode.REQUIRED, "service_id")
    if device_id is not None:
        device = await Device.get_or_none(id=device_id, customer_id=customer_id)
        if device is None or device.service_id is None:
            raise DomainError(ErrorCode.NOT_FOUND, "device_id")
        service_id = device.service_id
    assert service_id is not None
    field = "device_id" if device_id is not None else "service_id"
    service = await owned_service(customer_id, service_id, field=field)
    ensure_service_active(service)
    target = await _entitlement_device(service)
    if target is None:
        raise DomainError(ErrorCode.SIGNAL_REFRESH_NOT_AVAILABLE, field)
    verdict = await ratelimit.hit(
        f"signal-refresh:{service.id}", limit=1, window=SIGNAL_REFRESH_WINDOW
    )
    if not verdict.allowed:
        raise _limit_reached(verdict, field, meta.language)
    async with in_transaction():
        command = await provisioning.request_command(settings, target, CommandKind.SIGNAL_REFRESH)
        await audit.record(
            AuditKind.SIGNAL_REFRESH,
            customer_id,
            meta,
            service=service.identifier,
            device=target.serial_number,
        )
    return command


async def _entitlement_device(service: Service) -> Device | None:
    if service.status is not ServiceStatus.ACTIVE:
        return None
    return await provisioning.find_entitlement_device(service)


SYSTEM_REFRESH = {"trigger": "suspension_lifted"}
"""The ``details`` of a signal refresh the portal asks for itself (not counted for the customer)."""


async def queue_signal_refresh(settings: Settings, service: Service) -> DeviceCommand | None:
    """Re-send entitlements without a customer limit (after a debt suspension is lifted); call
    it inside the transaction that brings the service back."""
    target = await _entitlement_device(service)
    if target is None:
        return None
    return await provisioning.request_command(
        settings, target, CommandKind.SIGNAL_REFRESH, details=dict(SYSTEM_REFRESH)
    )


async def give_back_limit(command: DeviceCommand) -> bool:
    """A failed PIN reset or customer's signal refresh does not count toward its limit: give
    its attempt back (``ratelimit.give_back``) while the window it was counted in lasts (the
    Warsaw day of the request; the 15 minutes from the window's first refresh). Call it in the
    transaction that fails ``command``. Returns whether an attempt was given back."""
    if command.kind is CommandKind.PIN_RESET:
        return await ratelimit.give_back(
            f"pin-reset:{command.device_id}",
            limit=PIN_RESETS_PER_DAY,
            counted_at=command.requested_at,
            window_ends_by=start_of(day_of(command.requested_at) + timedelta(days=1)),
        )
    if command.kind is not CommandKind.SIGNAL_REFRESH or command.details == SYSTEM_REFRESH:
        return False
    device = await Device.get(id=command.device_id)
    if device.service_id is None:
        return False
    return await ratelimit.give_back(
        f"signal-refresh:{device.service_id}",
        limit=1,
        counted_at=command.requested_at,
        window_ends_by=command.requested_at + SIGNAL_REFRESH_WINDOW,
    )
