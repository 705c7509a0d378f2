"""resetDecoderPin / refreshSignal, and the command status moving QUEUED → SENT → DONE."""

from __future__ import annotations

from backend.clock import clock
from backend.models import DeviceCommand
from backend.models.enums import DeviceKind, ServiceStatus, SuspensionReason
from backend.schema.relay import to_global_id
from backend.services import provisioning
from tests.factories import login_as, make_customer, make_device, make_service
from tests.waiting import wait_until

RESET = """
mutation($input: ResetDecoderPinInput!) {
  resetDecoderPin(input: $input) { command { id kind status } errors { field code message } }
}"""
REFRESH = """
mutation($input: RefreshSignalInput!) {
  refreshSignal(input: $input) { command { id kind status } errors { field code message } }
}"""
STATUS = "query($id: ID!) { node(id: $id) { ... on DeviceCommand { status sentAt completedAt } } }"


async def test_pin_reset_limit_and_status(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    service = await make_service(customer)
    decoder = await make_device(service)
    card = await make_device(service, kind=DeviceKind.SMART_CARD)
    not_decoder = await gql(RESET, {"input": {"deviceId": to_global_id("Device", card.id)}})
    assert [(e["field"], e["code"]) for e in not_decoder["resetDecoderPin"]["errors"]] == [
        ("deviceId", "NOT_A_DECODER")
    ]
    variables = {"input": {"deviceId": to_global_id("Device", decoder.id)}}
    commands = [(await gql(RESET, variables))["resetDecoderPin"] for _ in range(3)]
    assert all(c["errors"] == [] and c["command"]["status"] == "QUEUED" for c in commands)
    fourth = (await gql(RESET, variables, headers={"Accept-Language": "en"}))["resetDecoderPin"]
    assert fourth["command"] is None
    assert (fourth["errors"][0]["field"], fourth["errors"][0]["code"]) == (
        "deviceId",
        "COMMAND_LIMIT_REACHED",
    )
    assert fourth["errors"][0]["message"].startswith(
        "The limit for this action is reached. Try after"
    )
    command_id = commands[0]["command"]["id"]
    worker = provisioning.ProvisioningWorker(provisioning.SimulatedProvisioning(2.0))
    clock.advance(seconds=1)
    await worker.run_once()
    assert (await gql(STATUS, {"id": command_id}))["node"]["status"] == "SENT"
    clock.advance(seconds=1)
    await worker.run_once()
    done = (await gql(STATUS, {"id": command_id}))["node"]
    assert done["status"] == "DONE" and done["completedAt"]


async def test_foreign_device_and_service(gql, client, settings) -> None:
    owner = await make_customer(settings)
    service = await make_service(owner)
    decoder = await make_device(service)
    stranger = await make_customer(settings)
    await login_as(client, settings, stranger)
    for query, variables in (
        (RESET, {"deviceId": to_global_id("Device", decoder.id)}),
        (REFRESH, {"deviceId": to_global_id("Device", decoder.id)}),
        (REFRESH, {"serviceId": to_global_id("Service", service.id)}),
    ):
        data = await gql(query, {"input": variables})
        payload = next(iter(data.values()))
        assert payload["command"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [
            (next(iter(variables)), "NOT_FOUND")
        ]
    assert await DeviceCommand.all().count() == 0


async def test_refresh_signal(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    service = await make_service(customer)
    await make_device(service)
    debt = await make_service(
        customer, status=ServiceStatus.SUSPENDED, suspension_reason=SuspensionReason.DEBT
    )
    await make_device(debt)
    sid = to_global_id("Service", service.id)
    neither = (await gql(REFRESH, {"input": {}}))["refreshSignal"]
    assert neither["errors"][0]["code"] == "REQUIRED"
    ok = (await gql(REFRESH, {"input": {"serviceId": sid}}))["refreshSignal"]
    assert ok["command"]["kind"] == "SIGNAL_REFRESH" and ok["command"]["status"] == "QUEUED"
    again = (await gql(REFRESH, {"input": {"serviceId": sid}}))["refreshSignal"]
    assert again["errors"][0]["code"] == "COMMAND_LIMIT_REACHED"
    suspended = await gql(REFRESH, {"input": {"serviceId": to_global_id("Service", debt.id)}})
    error = suspended["refreshSignal"]["errors"][0]
    assert (
        error["code"] == "SERVICE_SUSPENDED_FOR_DEBT"
        and "Opłać zaległe faktury" in error["message"]
    )


async def test_worker_runs_in_the_app_lifespan(app, gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    decoder = await make_device(await make_service(customer))
    async with app.router.lifespan_context(app):
        data = await gql(RESET, {"input": {"deviceId": to_global_id("Device", decoder.id)}})
        command_id = data["resetDecoderPin"]["command"]["id"]

        async def status() -> str:
            return str((await gql(STATUS, {"id": command_id}))["node"]["status"])

        assert await status() == "QUEUED"  # time stands still: the worker waits for the delay
        clock.advance(seconds=settings.provisioning_delay_seconds)

        async def done() -> bool:
            return await status() == "DONE"

        await wait_until(done)
    assert await status() == "DONE"
