"""PIN reset and signal refresh: who may, how often, and how commands move through provisioning."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from backend.clock import clock
from backend.models import AuditEvent, DeviceCommand
from backend.models.enums import (
    AuditKind,
    CommandKind,
    CommandStatus,
    DeviceKind,
    Language,
    ServiceKind,
    ServiceStatus,
    SuspensionReason,
)
from backend.services import devices, provisioning
from backend.services.errors import ErrorCode
from tests.factories import make_customer, make_device, make_meta, make_service
from tests.raises import domain_error
from tests.waiting import wait_until


async def test_pin_reset_decoders_only_and_three_a_day(db, settings) -> None:
    """Three per Warsaw calendar day: counted afresh from local midnight (here at 23:50 CET,
    the fourth can be sent 10 minutes later)."""
    clock.travel_to(datetime(2026, 11, 30, 22, 50, tzinfo=UTC))
    customer = await make_customer(settings)
    service = await make_service(customer)
    decoder = await make_device(service)
    card = await make_device(service, kind=DeviceKind.SMART_CARD)
    assert (
        await domain_error(
            devices.reset_decoder_pin(settings, customer.id, card.id, meta=make_meta())
        )
    ).code is (ErrorCode.NOT_A_DECODER)
    for _ in range(3):
        command = await devices.reset_decoder_pin(
            settings, customer.id, decoder.id, meta=make_meta(ip="198.51.100.1")
        )
        assert command.kind is CommandKind.PIN_RESET and command.status is CommandStatus.QUEUED
    refused = await domain_error(
        devices.reset_decoder_pin(settings, customer.id, decoder.id, meta=make_meta())
    )
    assert refused.code is ErrorCode.COMMAND_LIMIT_REACHED and refused.field == "device_id"
    assert refused.params["retry_at"] == (
        "1 grudnia 2026, 00:00 (czas środkowoeuropejski standardowy)"
    )
    assert await DeviceCommand.filter(device=decoder).count() == 3
    assert await AuditEvent.filter(kind=AuditKind.PIN_RESET).count() == 3
    clock.advance(minutes=9, seconds=59)  # 23:59:59 in Warsaw: still the same day
    assert (
        await domain_error(
            devices.reset_decoder_pin(settings, customer.id, decoder.id, meta=make_meta())
        )
    ).code is ErrorCode.COMMAND_LIMIT_REACHED
    clock.advance(seconds=1)  # midnight: a new day, three more
    for _ in range(3):
        await devices.reset_decoder_pin(settings, customer.id, decoder.id, meta=make_meta())
    refused = await domain_error(
        devices.reset_decoder_pin(
            settings, customer.id, decoder.id, meta=make_meta(language=Language.EN)
        )
    )
    assert refused.params["retry_at"] == "2 December 2026, 00:00 (Central European Standard Time)"


async def test_pin_reset_day_in_summer_time(db, settings) -> None:
    clock.travel_to(datetime(2026, 7, 1, 21, 30, tzinfo=UTC))  # 23:30 CEST
    customer = await make_customer(settings)
    decoder = await make_device(await make_service(customer))
    for _ in range(3):
        await devices.reset_decoder_pin(settings, customer.id, decoder.id, meta=make_meta())
    refused = await domain_error(
        devices.reset_decoder_pin(settings, customer.id, decoder.id, meta=make_meta())
    )
    assert refused.params["retry_at"] == ("2 lipca 2026, 00:00 (czas środkowoeuropejski letni)")
    clock.advance(minutes=30)
    await devices.reset_decoder_pin(settings, customer.id, decoder.id, meta=make_meta())


async def test_pin_reset_limit_holds_under_concurrency(db, settings) -> None:
    customer = await make_customer(settings)
    decoder = await make_device(await make_service(customer))
    results = await asyncio.gather(
        *(
            devices.reset_decoder_pin(settings, customer.id, decoder.id, meta=make_meta())
            for _ in range(10)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, DeviceCommand) for r in results) == 3
    assert await DeviceCommand.filter(device=decoder).count() == 3


async def test_other_customers_device_is_not_found(db, settings) -> None:
    owner = await make_customer(settings)
    stranger = await make_customer(settings)
    service = await make_service(owner)
    decoder = await make_device(service)
    for call in (
        devices.reset_decoder_pin(settings, stranger.id, decoder.id, meta=make_meta()),
        devices.refresh_signal(settings, stranger.id, device_id=decoder.id, meta=make_meta()),
        devices.refresh_signal(settings, stranger.id, service_id=service.id, meta=make_meta()),
    ):
        assert (await domain_error(call)).code is ErrorCode.NOT_FOUND
    assert await DeviceCommand.all().count() == 0


async def test_refresh_signal_once_per_15_minutes(db, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer)
    await make_device(service)
    card = await make_device(service, kind=DeviceKind.SMART_CARD)
    command = await devices.refresh_signal(
        settings, customer.id, service_id=service.id, meta=make_meta()
    )
    assert command.kind is CommandKind.SIGNAL_REFRESH
    assert command.device_id == card.id  # entitlements: the card
    refused = await domain_error(
        devices.refresh_signal(settings, customer.id, device_id=card.id, meta=make_meta())
    )
    assert refused.code is ErrorCode.COMMAND_LIMIT_REACHED
    clock.advance(minutes=15, seconds=1)
    await devices.refresh_signal(settings, customer.id, device_id=card.id, meta=make_meta())


async def test_refresh_signal_refusals(db, settings) -> None:
    customer = await make_customer(settings)
    debt = await make_service(
        customer, status=ServiceStatus.SUSPENDED, suspension_reason=SuspensionReason.DEBT
    )
    await make_device(debt)
    internet = await make_service(customer, kind=ServiceKind.INTERNET)
    await make_device(internet, kind=DeviceKind.ROUTER)
    bare = await make_service(customer)
    assert (
        await domain_error(
            devices.refresh_signal(settings, customer.id, service_id=debt.id, meta=make_meta())
        )
    ).code is (ErrorCode.SERVICE_SUSPENDED_FOR_DEBT)
    for service in (internet, bare):
        assert (
            await domain_error(
                devices.refresh_signal(
                    settings, customer.id, service_id=service.id, meta=make_meta()
                )
            )
        ).code is (ErrorCode.SIGNAL_REFRESH_NOT_AVAILABLE)
    assert (
        await domain_error(devices.refresh_signal(settings, customer.id, meta=make_meta()))
    ).code is ErrorCode.REQUIRED


async def test_simulated_provisioning_moves_queued_sent_done(db, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer)
    good = await make_device(service)
    broken = await make_device(service, serial="ERR-0001")
    ok = await devices.reset_decoder_pin(settings, customer.id, good.id, meta=make_meta())
    bad = await devices.reset_decoder_pin(settings, customer.id, broken.id, meta=make_meta())
    worker = provisioning.ProvisioningWorker(provisioning.SimulatedProvisioning(3.0))
    assert await worker.run_once() == 0  # not yet: half the delay has not passed
    clock.advance(seconds=1.5)
    assert await worker.run_once() == 2
    await ok.refresh_from_db()
    assert ok.status is CommandStatus.SENT and ok.external_ref.startswith("SIM-")
    assert ok.sent_at is not None
    clock.advance(seconds=1.4)
    assert await worker.run_once() == 0  # sent, not done before the whole delay
    clock.advance(seconds=0.1)
    assert await worker.run_once() == 2
    await ok.refresh_from_db()
    await bad.refresh_from_db()
    assert ok.status is CommandStatus.DONE and ok.completed_at is not None
    assert bad.status is CommandStatus.FAILED and bad.failure_reason == "device not responding"
    assert await worker.run_once() == 0


async def test_competing_workers_claim_each_step_once(db, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer)
    for _ in range(5):
        decoder = await make_device(service)
        await devices.reset_decoder_pin(settings, customer.id, decoder.id, meta=make_meta())
    workers = [
        provisioning.ProvisioningWorker(provisioning.SimulatedProvisioning(0)) for _ in range(4)
    ]
    sent = await asyncio.gather(*(w.run_once() for w in workers))
    # each command moves at most two steps (QUEUED→SENT→DONE) whatever the interleaving
    total = sum(sent) + sum(await asyncio.gather(*(w.run_once() for w in workers)))
    assert total == 10
    assert await DeviceCommand.filter(status=CommandStatus.DONE).count() == 5


async def test_background_worker_completes_commands(db, settings) -> None:
    customer = await make_customer(settings)
    decoder = await make_device(await make_service(customer))
    command = await devices.reset_decoder_pin(settings, customer.id, decoder.id, meta=make_meta())
    worker = provisioning.build_worker(settings)  # 0.05 s delay in test settings
    clock.advance(seconds=settings.provisioning_delay_seconds)  # time is frozen otherwise
    worker.start()
    try:
        await wait_until(lambda: DeviceCommand.exists(id=command.id, status=CommandStatus.DONE))
    finally:
        await worker.stop()
    await command.refresh_from_db()
    assert command.status is CommandStatus.DONE
