"""Events and their webhooks across processes, on SQLite and PostgreSQL: ``icok events list``
and ``icok events retry`` of this checkout; two serving instances on one database deliver each
event once; an instance killed (``kill -9``) while sending leaves nothing lost: after a restart
the event goes out. The receiver is a real HTTP server in a thread of the test verifying every
signature with ``standardwebhooks``."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backend import db as database
from backend.config import Settings, WebhookEndpoint
from backend.models import EventDelivery
from backend.models.enums import DeliveryStatus
from backend.services import outbox, webhooks
from backend.services.outbox import EventType
from tests.checkout import ICOK, free_port
from tests.factories import make_customer
from tests.serving import serve_in_thread
from tests.test_cli import Result, icok
from tests.test_cli import _env as cli_env
from tests.test_cli import migrated as migrated  # the fixture, re-exported
from tests.test_cli import postgres_url as postgres_url  # the fixture, re-exported
from tests.test_cli_operator_keys import assert_refused
from tests.waiting import wait_until_sync
from tests.webhook_receiver import HANG, Receiver, receiver_app

pytestmark = pytest.mark.real_time  # the CLI and servers run in subprocesses on real time

DEADLINE = 60.0


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, workdir: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{workdir / 'icok.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    with serve_in_thread(receiver_app(found), free_port()) as base:
        found.url = f"{base}/hooks"
        yield found


def _write_events(
    url: str, endpoint: WebhookEndpoint, customers: int, per_customer: int
) -> list[str]:
    """Events committed by this process (as the app would commit them): uids, in order."""

    async def go() -> list[str]:
        settings = Settings(database_url=url, webhook_endpoints=(endpoint,))
        await database.init(url)
        try:
            made = [await make_customer(settings) for _ in range(customers)]
            uids = []
            for n in range(per_customer):
                for customer in made:
                    event = await outbox.emit(
                        settings, EventType.PACKAGE_ORDERED, customer.id, {"n": n}
                    )
                    uids.append(event.uid)
            return uids
        finally:
            await database.close()

    return asyncio.run(go())


def _deliveries(url: str) -> list[EventDelivery]:
    async def go() -> list[EventDelivery]:
        await database.init(url)
        try:
            return list(await EventDelivery.all().order_by("id"))
        finally:
            await database.close()

    return asyncio.run(go())


def _wait(condition: Callable[[], bool], what: str) -> None:
    wait_until_sync(condition, within=DEADLINE, what=what)


def _lines(result: Result) -> list[str]:
    assert result.code == 0 and "Traceback" not in result.err, result
    return result.out.splitlines()


def test_list_and_retry(
    workdir: Path, url: str, receiver: Receiver, migrated: Callable[[str], None]
) -> None:
    migrated(url)
    endpoint = receiver.endpoint()
    receiver.plan = [500]

    async def fail_one_deliver_one() -> tuple[str, str, str]:
        settings = Settings(database_url=url, webhook_endpoints=(endpoint,), webhook_max_attempts=1)
        await database.init(url)
        try:
            customer = await make_customer(settings)
            # One at a time: the receiver's planned 500 answers the first request it gets, and
            # one pass may deliver two due events in either order.
            first = await outbox.emit(settings, EventType.PACKAGE_ORDERED, customer.id, {})
            while await webhooks.deliver_due(settings):
                pass
            second = await outbox.emit(settings, EventType.ACCOUNT_CLOSED, None, {})
            while await webhooks.deliver_due(settings):
                pass
            return first.uid, second.uid, customer.number
        finally:
            await database.close()

    dead, delivered, number = asyncio.run(fail_one_deliver_one())
    env = {"ICOK_DATABASE_URL": url}
    listed = _lines(icok(workdir, "events", "list", env=env))
    assert len(listed) == 2
    assert listed[0].startswith(f"{delivered}  account.closed  customer=-  created=")
    assert "bss=delivered  attempts=1" in listed[0] and "last-error" not in listed[0]
    assert listed[1].startswith(f"{dead}  package.ordered  customer={number}  created=")
    assert listed[1].endswith("bss=dead  attempts=1  last-error=HTTP 500: nope")
    assert _lines(icok(workdir, "events", "list", "--failed", env=env)) == [listed[1]]
    assert _lines(icok(workdir, "events", "list", "--limit", "1", env=env)) == [listed[0]]
    for bad in ("0", "x", "10001"):
        refused = icok(workdir, "events", "list", "--limit", bad, env=env)
        assert refused.code == 2 and "error: argument --limit: must be" in refused.err, refused

    unknown = icok(workdir, "events", "retry", dead, "evt_nope", env=env)
    assert_refused(unknown, "no event 'evt_nope'")
    too_long = "evt_" + "a" * 100
    assert_refused(icok(workdir, "events", "retry", too_long, env=env), f"no event '{too_long}'")
    on_delivered = icok(workdir, "events", "retry", delivered, env=env)
    assert _lines(on_delivered) == ["0 deliveries due now"]
    assert (
        f"{delivered}: nothing re-sent (only dead or waiting deliveries are re-sent; "
        "its deliveries are delivered or being sent)" in on_delivered.err
    ), on_delivered
    assert _lines(icok(workdir, "events", "list", "--failed", env=env)) == [listed[1]]
    no_id = icok(workdir, "events", "retry", env=env)
    assert no_id.code == 2 and "the following arguments are required: ID" in no_id.err, no_id

    retried = icok(workdir, "events", "retry", dead, env=env)
    assert _lines(retried) == ["1 delivery due now"]
    again = _lines(icok(workdir, "events", "list", env=env))[1]
    assert "bss=pending  attempts=0  next=" in again and "last-error=HTTP 500" in again
    assert _lines(icok(workdir, "events", "list", "--failed", env=env)) == []


class Instances:
    """``icok serve`` processes delivering webhooks; stopped (SIGTERM, else SIGKILL) at the end."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir, self.env = workdir, env
        self.procs: list[subprocess.Popen[str]] = []

    def start(self) -> subprocess.Popen[str]:
        port = free_port()
        log = (self.workdir / f"serve-{port}.log").open("w")
        proc = subprocess.Popen(
            [*ICOK, "serve", "--port", str(port)],
            cwd=self.workdir,
            env=cli_env(self.workdir, **self.env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@pytest.fixture
def instances(workdir: Path) -> Iterator[Callable[[dict[str, str]], Instances]]:
    made: list[Instances] = []

    def make(env: dict[str, str]) -> Instances:
        made.append(Instances(workdir, env))
        return made[-1]

    yield make
    for group in made:
        group.stop_all()


def _serving_env(url: str, endpoint: WebhookEndpoint, timeout: str = "5") -> dict[str, str]:
    return {
        "ICOK_DATABASE_URL": url,
        "ICOK_WEBHOOK_URLS": f"{endpoint.name}={endpoint.url}",
        f"ICOK_WEBHOOK_SECRET_{endpoint.name.upper()}": endpoint.secret,
        "ICOK_WEBHOOK_TIMEOUT_SECONDS": timeout,
    }


def test_two_instances_deliver_each_event_once_in_order(
    workdir: Path,
    url: str,
    receiver: Receiver,
    instances: Callable[[dict[str, str]], Instances],
    migrated: Callable[[str], None],
) -> None:
    migrated(url)
    endpoint = receiver.endpoint()
    group = instances(_serving_env(url, endpoint))
    group.start()
    group.start()
    uids = _write_events(url, endpoint, customers=6, per_customer=10)
    _wait(lambda: len(receiver.received) >= len(uids), "every event received")
    # Once every delivery is recorded DELIVERED no instance holds a claim on one: a second
    # send of an event could only come from a claim, so none can still arrive after this.
    _wait(
        lambda: all(d.status is DeliveryStatus.DELIVERED for d in _deliveries(url)),
        "every delivery recorded",
    )
    assert sorted(r.id for r in receiver.received) == sorted(uids)  # each once
    assert receiver.rejected == 0
    by_customer: dict[str, list[int]] = {}
    for r in receiver.received:
        by_customer.setdefault(r.body["customerNumber"], []).append(r.body["data"]["n"])
    assert all(ns == list(range(10)) for ns in by_customer.values()), by_customer
    rows = _deliveries(url)
    assert all(d.status is DeliveryStatus.DELIVERED and d.attempts == 1 for d in rows)


def test_an_instance_killed_while_sending_loses_nothing(
    workdir: Path,
    url: str,
    receiver: Receiver,
    instances: Callable[[dict[str, str]], Instances],
    migrated: Callable[[str], None],
) -> None:
    migrated(url)
    endpoint = receiver.endpoint()
    receiver.plan = [HANG]
    group = instances(_serving_env(url, endpoint, timeout="1"))
    first = group.start()
    [uid] = _write_events(url, endpoint, customers=1, per_customer=1)  # committed
    _wait(lambda: receiver.hanging > 0, "the instance is sending")
    first.kill()  # kill -9 mid-send: no answer recorded, the delivery stays claimed
    first.wait()
    [claimed] = _deliveries(url)
    assert (claimed.status, claimed.attempts) == (DeliveryStatus.SENDING, 1)
    group.start()
    _wait(lambda: len(receiver.received) == 1, "the event delivered after the restart")
    assert receiver.received[0].id == uid
    _wait(lambda: _deliveries(url)[0].status is DeliveryStatus.DELIVERED, "recorded as delivered")
    assert _deliveries(url)[0].attempts == 2
