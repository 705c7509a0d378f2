"""The operator feed's contracts, services and service statuses: created, unchanged, updated,
every bad input, dry runs, what the customer then sees, and a customer fed in who registers."""

from __future__ import annotations

from datetime import date

import pytest

from backend.clock import clock
from backend.models import Account, Contract, Service
from backend.models.enums import ServiceStatus, SuspensionReason
from backend.services import registration
from backend.services.errors import ErrorCode
from backend.services.feed import FeedRun, apply_batch, kinds
from tests.conftest import FROZEN_AT
from tests.factories import STRONG_PASSWORD, captcha_proof, login_as, make_captcha
from tests.factories.request import make_meta
from tests.statements import count_statements
from tests.unit.feed_graph import (
    CARD,
    PHONE,
    contract,
    customer,
    errors,
    feed,
    feed_customers,
    service,
    status,
    statuses,
)
from tests.unit.test_feed_engine import WRITER


@pytest.fixture
async def customers(db, settings) -> None:
    await feed_customers(settings)


async def test_contracts_created_unchanged_updated_and_shown(
    customers, settings, client, gql
) -> None:
    batch = [contract("UM/1"), contract("UM/2", "K-2", ends_on="2027-02-28")]
    assert statuses(await feed(settings, "contract", batch)) == ["created"] * 2
    assert statuses(await feed(settings, "contract", batch)) == ["unchanged"] * 2
    batch[0] |= {"ends_on": "2026-12-31", "status": "TERMINATED"}
    batch[1] |= {"ends_on": None}
    assert statuses(await feed(settings, "contract", batch)) == ["updated"] * 2
    first = await Contract.get(number="UM/1").prefetch_related("customer")
    assert (first.customer.number, first.ends_on) == ("K-1", date(2026, 12, 31))
    assert (await Contract.get(number="UM/2")).ends_on is None
    await login_as(client, settings, first.customer)
    shown = (await gql("{ viewer { contracts { number signedOn endsOn status } } }"))["viewer"]
    assert shown["contracts"] == [
        {"number": "UM/1", "signedOn": "2025-03-01", "endsOn": "2026-12-31", "status": "TERMINATED"}
    ]


async def test_bad_contracts_are_rejected_alone(customers, settings) -> None:
    assert statuses(await feed(settings, "contract", [contract("UM/0")])) == ["created"]
    batch = [
        contract("UM/1"),
        contract("UM/2", "K-9"),
        contract("UM/3", ends_on="2025-02-28"),
        contract("UM/4", status="PAUSED"),
        contract("UM/5\x00"),
        contract("U" * 25),
        contract("UM/1", "K-2"),
        contract("UM/6", signed_on="2025-02-30"),
        contract("UM/7", signed_on=None),
        contract("UM/0", "K-2"),
        contract("", "K-2"),
    ]
    results = await feed(settings, "contract", batch)
    assert statuses(results) == ["created"] + ["rejected"] * 10
    assert errors(results)[1:] == [
        [(ErrorCode.UNKNOWN_REFERENCE, "customer_number")],
        [(ErrorCode.ENDS_BEFORE_START, "ends_on")],
        [(ErrorCode.INVALID_CHOICE, "status")],
        [(ErrorCode.FORBIDDEN_CHARACTER, "number")],
        [(ErrorCode.TOO_LONG, "number")],
        [(ErrorCode.DUPLICATE_KEY, None)],
        [(ErrorCode.INVALID_DATE, "signed_on")],
        [(ErrorCode.REQUIRED, "signed_on")],
        [(ErrorCode.CANNOT_CHANGE, "customer_number")],  # a contract keeps its customer
        [(ErrorCode.REQUIRED, "number")],
    ]
    assert results[1].errors[0].params == {"kind": "customer", "key": "K-9"}
    assert results[2].errors[0].params == {"start": "2025-03-01"}
    assert results[9].errors[0].params == {"current": "K-1"}
    assert sorted(await Contract.all().values_list("number", flat=True)) == ["UM/0", "UM/1"]


async def test_services_keyed_by_the_normalised_identifier(customers, settings) -> None:
    await feed(settings, "contract", [contract("UM/1"), contract("UM/2")])
    batch = [service(CARD), service("+48 600 100 200", kind="MOBILE_TV")]
    results = await feed(settings, "service", batch)
    assert [(r.key, r.status.value) for r in results] == [
        (CARD, "created"),
        (PHONE, "created"),
    ]
    stored = await Service.get(identifier=PHONE).prefetch_related("customer", "contract")
    assert (stored.customer.number, stored.contract.number) == ("K-1", "UM/1")
    assert stored.status is ServiceStatus.ACTIVE and stored.suspended_at is None
    # the same service however it is written
    batch[1]["identifier"] = "0048-600-100-200"
    assert statuses(await feed(settings, "service", batch)) == ["unchanged"] * 2
    twice = [service(PHONE, kind="MOBILE_TV"), service("600 100 200", kind="MOBILE_TV")]
    assert errors(await feed(settings, "service", twice))[1] == [(ErrorCode.DUPLICATE_KEY, None)]
    # renamed, moved to the customer's other contract
    batch[0] |= {"name": "Dekoder w salonie", "contract_number": "UM/2"}
    assert statuses(await feed(settings, "service", batch)) == ["updated", "unchanged"]
    moved = await Service.get(identifier=CARD).prefetch_related("contract")
    assert (moved.name, moved.contract.number) == ("Dekoder w salonie", "UM/2")


async def test_a_service_sent_with_a_status_keeps_suspended_at_right(
    customers, settings, client, gql
) -> None:
    await feed(settings, "contract", [contract("UM/1")])
    suspended = service(CARD, status="SUSPENDED", suspension_reason="DEBT")
    assert statuses(await feed(settings, "service", [suspended])) == ["created"]
    row = await Service.get(identifier=CARD)
    assert row.suspension_reason is SuspensionReason.DEBT and row.suspended_at == clock.now()
    # resent without a status: the status stays
    clock.advance(hours=2)
    assert statuses(await feed(settings, "service", [service(CARD)])) == ["unchanged"]
    assert statuses(await feed(settings, "service", [service(CARD, name="Nowa")])) == ["updated"]
    row = await Service.get(identifier=CARD)
    assert row.status is ServiceStatus.SUSPENDED and row.suspended_at == FROZEN_AT
    await login_as(client, settings, await row.customer)
    query = "{ viewer { services { identifier name status suspensionReason suspendedAt } } }"
    assert (await gql(query))["viewer"]["services"] == [
        {
            "identifier": CARD,
            "name": "Nowa",
            "status": "SUSPENDED",
            "suspensionReason": "DEBT",
            "suspendedAt": "2026-11-18T09:00:00+00:00",
        }
    ]
    restored = service(CARD, name="Nowa", status="ACTIVE")
    assert statuses(await feed(settings, "service", [restored])) == ["updated"]
    row = await Service.get(identifier=CARD)
    assert (row.status, row.suspension_reason, row.suspended_at) == (
        ServiceStatus.ACTIVE,
        None,
        None,
    )


async def test_bad_services_are_rejected_alone(customers, settings) -> None:
    await feed(settings, "contract", [contract("UM/1"), contract("UM/2", "K-2")])
    assert statuses(await feed(settings, "service", [service(PHONE)])) == ["created"]
    batch = [
        service(CARD),
        service("200300400500", "UM/9"),
        service("200300400501", kind="INTERNET"),
        service("700100200", kind="SATELLITE_TV"),
        service("12345"),
        service("600\x00100201"),
        service("200300400502", status="SUSPENDED"),
        service("200300400503", suspension_reason="DEBT"),
        service("200300400504", status="ACTIVE", suspension_reason="TECHNICAL"),
        service("200300400505", status="SUSPENDED", suspension_reason="LATE"),
        service("200300400506", kind="RADIO"),
        service("200300400507", name="n" * 81),
        service(PHONE, kind="MOBILE_TV"),
        service("200300400508", activated_on="yesterday"),
        service("200300400509", colour="red"),
    ]
    results = await feed(settings, "service", batch)
    assert statuses(results) == ["created"] + ["rejected"] * 14
    assert errors(results)[1:] == [
        [(ErrorCode.UNKNOWN_REFERENCE, "contract_number")],
        [(ErrorCode.IDENTIFIER_KIND_MISMATCH, "identifier")],
        [(ErrorCode.IDENTIFIER_KIND_MISMATCH, "identifier")],
        [(ErrorCode.INVALID_IDENTIFIER, "identifier")],
        [(ErrorCode.FORBIDDEN_CHARACTER, "identifier")],
        [(ErrorCode.REQUIRED, "suspension_reason")],
        [(ErrorCode.SUSPENSION_REASON_NOT_ALLOWED, "suspension_reason")],
        [(ErrorCode.SUSPENSION_REASON_NOT_ALLOWED, "suspension_reason")],
        [(ErrorCode.INVALID_CHOICE, "suspension_reason")],
        [(ErrorCode.INVALID_CHOICE, "kind")],
        [(ErrorCode.TOO_LONG, "name")],
        [(ErrorCode.CANNOT_CHANGE, "kind")],  # a service's kind is for good
        [(ErrorCode.INVALID_DATE, "activated_on")],
        [(ErrorCode.UNKNOWN_FIELD, "colour")],
    ]
    assert results[12].errors[0].params == {"current": "INTERNET"}
    # so is its customer: it cannot move to another customer's contract
    results = await feed(settings, "service", [service(PHONE, "UM/2")])
    assert errors(results) == [[(ErrorCode.DIFFERENT_CUSTOMER, "contract_number")]]
    assert results[0].errors[0].params == {"key": "UM/2", "kind": "service"}
    assert sorted(await Service.all().values_list("identifier", flat=True)) == [CARD, PHONE]


async def test_service_status_suspends_and_restores(customers, settings, client, gql) -> None:
    await feed(settings, "contract", [contract("UM/1")])
    await feed(settings, "service", [service(CARD), service(PHONE)])
    suspend = [status(CARD, "SUSPENDED", "DEBT"), status("+48600100200", "ACTIVE")]
    assert statuses(await feed(settings, "service_status", suspend)) == ["updated", "unchanged"]
    row = await Service.get(identifier=CARD)
    assert (row.status, row.suspension_reason) == (ServiceStatus.SUSPENDED, SuspensionReason.DEBT)
    assert row.suspended_at == FROZEN_AT
    await login_as(client, settings, await row.customer)
    query = "{ viewer { services { identifier status suspensionReason } } }"
    assert (await gql(query))["viewer"]["services"][0] == {
        "identifier": CARD,
        "status": "SUSPENDED",
        "suspensionReason": "DEBT",
    }
    # the reason changes, the service stays suspended since the same moment
    clock.advance(days=3)
    again = [status(CARD, "SUSPENDED", "CUSTOMER_REQUEST")]
    assert statuses(await feed(settings, "service_status", again)) == ["updated"]
    assert statuses(await feed(settings, "service_status", again)) == ["unchanged"]
    row = await Service.get(identifier=CARD)
    assert (row.suspension_reason, row.suspended_at) == (
        SuspensionReason.CUSTOMER_REQUEST,
        FROZEN_AT,
    )
    # restored: nothing left of the suspension; suspended again later: a new moment
    assert statuses(await feed(settings, "service_status", [status(CARD, "ACTIVE")])) == ["updated"]
    row = await Service.get(identifier=CARD)
    assert (row.status, row.suspension_reason, row.suspended_at) == (
        ServiceStatus.ACTIVE,
        None,
        None,
    )
    await login_as(client, settings, await row.customer)  # (the first session has timed out)
    assert (await gql(query))["viewer"]["services"][0]["status"] == "ACTIVE"
    clock.advance(days=1)
    await feed(settings, "service_status", [status(CARD, "SUSPENDED", "TECHNICAL")])
    assert (await Service.get(identifier=CARD)).suspended_at == clock.now()


async def test_bad_service_statuses_are_rejected_alone(customers, settings) -> None:
    await feed(settings, "contract", [contract("UM/1")])
    await feed(settings, "service", [service(CARD)])
    batch = [
        status(CARD, "TERMINATED"),
        status("999888777", "ACTIVE"),
        status("200300400500", "SUSPENDED"),
        status("200300400501", "ACTIVE", "DEBT"),
        status("200300400502", "GONE"),
        {"identifier": "200300400503"},
        status("abc", "ACTIVE"),
        status(CARD, "ACTIVE"),
        {**status("200300400504", "ACTIVE"), "name": "x"},
    ]
    results = await feed(settings, "service_status", batch)
    assert statuses(results) == ["updated"] + ["rejected"] * 8
    assert errors(results)[1:] == [
        [(ErrorCode.UNKNOWN_REFERENCE, "identifier")],
        [(ErrorCode.REQUIRED, "suspension_reason")],
        [(ErrorCode.SUSPENSION_REASON_NOT_ALLOWED, "suspension_reason")],
        [(ErrorCode.INVALID_CHOICE, "status")],
        [(ErrorCode.REQUIRED, "status")],
        [(ErrorCode.INVALID_IDENTIFIER, "identifier")],
        [(ErrorCode.DUPLICATE_KEY, None)],
        [(ErrorCode.UNKNOWN_FIELD, "name")],
    ]
    assert results[1].errors[0].params == {"kind": "service", "key": "999888777"}
    assert (await Service.get(identifier=CARD)).status is ServiceStatus.TERMINATED


async def test_dry_run_resolves_what_the_run_would_create_and_writes_nothing(db, settings) -> None:
    run = FeedRun(WRITER, dry_run=True)
    batches = [
        ("customer", [customer("K-1", 1)]),
        ("contract", [contract("UM/1"), contract("UM/2", "K-2")]),
        ("service", [service(CARD), service(PHONE, "UM/2")]),
        ("service_status", [status(CARD, "SUSPENDED", "DEBT"), status("700100200", "ACTIVE")]),
    ]
    results = [await apply_batch(kinds(settings)[kind], items, run) for kind, items in batches]
    assert [statuses(r) for r in results] == [
        ["created"],
        ["created", "rejected"],
        ["created", "rejected"],
        ["created", "rejected"],  # (a status for a service the run creates)
    ]
    assert errors(results[1])[1] == [(ErrorCode.UNKNOWN_REFERENCE, "customer_number")]
    assert errors(results[2])[1] == [(ErrorCode.UNKNOWN_REFERENCE, "contract_number")]
    assert errors(results[3])[1] == [(ErrorCode.UNKNOWN_REFERENCE, "identifier")]
    assert not await Contract.exists() and not await Service.exists()


async def test_a_batch_costs_the_same_statements_for_5_or_50_services(customers, settings) -> None:
    await feed(settings, "contract", [contract("UM/1")])
    counts = []
    for size in (5, 50):
        batch = [service(f"{300_000_000_000 + size * 100 + i}") for i in range(size)]
        with count_statements() as created:
            assert set(statuses(await feed(settings, "service", batch))) == {"created"}
        for item in batch:
            item["name"] = "Inna"
        with count_statements() as updated:
            assert set(statuses(await feed(settings, "service", batch))) == {"updated"}
        statuses_batch = [status(item["identifier"], "SUSPENDED", "DEBT") for item in batch]
        with count_statements() as suspended:
            assert set(statuses(await feed(settings, "service_status", statuses_batch))) == {
                "updated"
            }
        counts.append((len(created), len(updated), len(suspended)))
    assert counts[0] == counts[1]


async def test_customer_fed_in_registers_with_service_identifier_and_pesel(
    db, settings, mailbox
) -> None:
    settings = settings.with_overrides(mail_url=mailbox.url)
    person = customer("K-7", 7, email="anna.nowak@example.com")
    await feed(settings, "customer", [person])
    await feed(settings, "contract", [contract("UM/7", "K-7")])
    await feed(settings, "service", [service("+48 601 222 333", "UM/7", kind="MOBILE_TV")])
    captcha = await make_captcha()
    form = registration.Registration(
        identifier="601-222-333",
        pesel=person["pesel"],
        email="anna.nowak@example.com",
        email_confirmation="anna.nowak@example.com",
        password=STRONG_PASSWORD,
        captcha_id=str(captcha.id),
        captcha_answer="4",
        captcha_proof=captcha_proof(captcha, settings),
        accept_terms=True,
    )
    await registration.register(form, settings, make_meta())
    account = await Account.get(email="anna.nowak@example.com").prefetch_related("customer")
    assert account.customer.number == "K-7" and account.email_confirmed_at is None
    message = await mailbox.receive("anna.nowak@example.com")
    assert "/confirm-email?token=" in mailbox.text(message)
