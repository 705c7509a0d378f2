"""Adding and cancelling packages: which fit, what they cost, who is told."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import date, timedelta

import pytest

from backend.clock import today
from backend.models import AuditEvent, Message, OutboxMessage, Subscription
from backend.models.enums import (
    AuditKind,
    PackageKind,
    ServiceKind,
    ServiceStatus,
    SuspensionReason,
)
from backend.services import emails, subscriptions
from backend.services.errors import DomainError, ErrorCode
from tests.factories import make_customer, make_meta, make_package, make_service, subscribe
from tests.raises import domain_error


def test_prorate_rounds_half_up_and_counts_today() -> None:
    assert subscriptions.prorate(3000, date(2026, 11, 1)) == 3000
    assert subscriptions.prorate(3000, date(2026, 11, 30)) == 100
    assert subscriptions.prorate(3000, date(2026, 11, 23)) == 800  # 8 of 30 days
    assert subscriptions.prorate(1000, date(2026, 2, 15)) == 500  # 14 of 28 days
    assert subscriptions.prorate(999, date(2026, 1, 31)) == 32  # 999/31 = 32.2


async def _code(coro: Awaitable[object]) -> ErrorCode:
    return (await domain_error(coro)).code


async def test_quote_prices_the_next_invoice(db, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer)
    base = await make_package(monthly_price=5000)
    addon = await make_package(kind=PackageKind.ADDON, monthly_price=2000)
    await subscribe(service, base)
    quote = await subscriptions.quote(customer.id, service.id, addon.id)
    assert quote.effective_on == today()
    assert quote.current_monthly_total == 5000
    assert quote.new_monthly_total == 7000
    assert quote.prorated_amount == subscriptions.prorate(2000, today())
    assert quote.next_invoice_on == subscriptions.period_end(today()) + timedelta(days=1)
    assert quote.next_invoice_total == quote.prorated_amount + 7000


async def test_only_fitting_packages(db, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer)
    base = await make_package()
    other_base = await make_package()
    addon = await make_package(kind=PackageKind.ADDON)
    addon_for_other = await make_package(kind=PackageKind.ADDON, requires_base=other_base)
    internet = await make_package(service_kind=ServiceKind.INTERNET)
    retired = await make_package(kind=PackageKind.ADDON, sellable=False)
    # add-on before any base
    assert await _code(subscriptions.quote(customer.id, service.id, addon.id)) == (
        ErrorCode.BASE_PACKAGE_REQUIRED
    )
    await subscribe(service, base)
    assert await _code(subscriptions.quote(customer.id, service.id, base.id)) == (
        ErrorCode.PACKAGE_ALREADY_ACTIVE
    )
    assert await _code(subscriptions.quote(customer.id, service.id, other_base.id)) == (
        ErrorCode.PACKAGE_NOT_AVAILABLE
    )
    with pytest.raises(DomainError) as caught:
        await subscriptions.quote(customer.id, service.id, addon_for_other.id)
    assert caught.value.code is ErrorCode.BASE_PACKAGE_REQUIRED
    assert caught.value.params == {"base": other_base.name}
    for wrong in (internet, retired):
        assert await _code(subscriptions.quote(customer.id, service.id, wrong.id)) == (
            ErrorCode.PACKAGE_NOT_AVAILABLE
        )
    assert await _code(subscriptions.quote(customer.id, service.id, 999999)) == ErrorCode.NOT_FOUND
    # an ended subscription does not count as active
    ended = await make_package(kind=PackageKind.ADDON)
    await subscribe(service, ended, ends_on=today() - timedelta(days=1))
    await subscriptions.quote(customer.id, service.id, ended.id)


async def test_other_customers_service_is_not_found(db, settings) -> None:
    owner = await make_customer(settings)
    stranger = await make_customer(settings)
    service = await make_service(owner)
    base = await make_package()
    with pytest.raises(DomainError) as caught:
        await subscriptions.add_package(
            settings, stranger.id, service.id, base.id, meta=make_meta()
        )
    assert (caught.value.code, caught.value.field) == (ErrorCode.NOT_FOUND, "service_id")
    assert await Subscription.all().count() == 0


async def test_suspended_service(db, settings) -> None:
    customer = await make_customer(settings)
    debt = await make_service(
        customer, status=ServiceStatus.SUSPENDED, suspension_reason=SuspensionReason.DEBT
    )
    tech = await make_service(
        customer, status=ServiceStatus.SUSPENDED, suspension_reason=SuspensionReason.TECHNICAL
    )
    base = await make_package()
    assert await _code(subscriptions.quote(customer.id, debt.id, base.id)) == (
        ErrorCode.SERVICE_SUSPENDED_FOR_DEBT
    )
    assert (
        await _code(subscriptions.quote(customer.id, tech.id, base.id))
        == ErrorCode.SERVICE_SUSPENDED
    )


async def test_add_package_confirms_by_message_mail_and_audit(db, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer)
    base = await make_package()
    addon = await make_package(kind=PackageKind.ADDON, name="Canal+ Prestige")
    await subscribe(service, base)
    added = await subscriptions.add_package(
        settings, customer.id, service.id, addon.id, meta=make_meta(ip="203.0.113.9")
    )
    assert added.subscription.starts_on == today()
    assert added.subscription.monthly_price == addon.monthly_price
    message = await Message.get(customer_id=customer.id)
    assert "Canal+ Prestige" in message.subject and service.identifier in message.body
    await emails.drain()
    mail = await OutboxMessage.get(to=customer.email)
    assert mail.subject == message.subject and mail.sent_at is not None
    event = await AuditEvent.get(customer_id=customer.id)
    assert event.kind is AuditKind.PACKAGE_ADDED and event.ip == "203.0.113.9"
    assert await _code(
        subscriptions.add_package(settings, customer.id, service.id, addon.id, meta=make_meta())
    ) == (ErrorCode.PACKAGE_ALREADY_ACTIVE)


async def test_concurrent_additions_create_one_subscription(db, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(customer)
    base = await make_package()
    addon = await make_package(kind=PackageKind.ADDON)
    await subscribe(service, base)
    results = await asyncio.gather(
        *(
            subscriptions.add_package(settings, customer.id, service.id, addon.id, meta=make_meta())
            for _ in range(8)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(
        r.code is ErrorCode.PACKAGE_ALREADY_ACTIVE for r in results if isinstance(r, DomainError)
    )
    assert await Subscription.filter(package=addon).count() == 1


async def test_cancel_addon_at_period_end(db, settings) -> None:
    customer = await make_customer(settings)
    stranger = await make_customer(settings)
    service = await make_service(customer)
    base_sub = await subscribe(service, await make_package())
    addon_sub = await subscribe(service, await make_package(kind=PackageKind.ADDON))
    assert await _code(
        subscriptions.cancel_package(settings, customer.id, base_sub.id, meta=make_meta())
    ) == (ErrorCode.CANNOT_CANCEL_BASE)
    assert await _code(
        subscriptions.cancel_package(settings, stranger.id, addon_sub.id, meta=make_meta())
    ) == (ErrorCode.NOT_FOUND)
    cancelled = await subscriptions.cancel_package(
        settings, customer.id, addon_sub.id, meta=make_meta()
    )
    assert cancelled.ends_on == subscriptions.period_end(today())
    again = await subscriptions.cancel_package(
        settings, customer.id, addon_sub.id, meta=make_meta()
    )
    assert again.ends_on == cancelled.ends_on
    assert await AuditEvent.filter(kind=AuditKind.PACKAGE_CANCELLED).count() == 1
    assert await Message.filter(customer_id=customer.id).count() == 1


@pytest.mark.parametrize(
    ("start", "months", "until"),
    [
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # one day of November, then three months
        (date(2026, 11, 18), 3, date(2027, 2, 28)),
        (date(2026, 12, 1), 3, date(2027, 2, 28)),  # December is the first of the three
        (date(2026, 12, 15), 1, date(2027, 1, 31)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2027, 11, 2), 2, date(2028, 1, 31)),  # over the turn of the year
    ],
)
def test_an_offer_lasts_the_rest_of_the_month_and_its_full_months(
    start: date, months: int, until: date
) -> None:
    assert subscriptions.promo_until(start, months) == until


def test_price_on_switches_to_the_list_price_the_day_after_the_offer() -> None:
    sub = Subscription(
        starts_on=date(2026, 11, 18),
        monthly_price=3499,
        promo_price=1749,
        promo_until=date(2027, 2, 28),
    )
    assert subscriptions.price_on(sub, date(2026, 11, 18)) == 1749
    assert subscriptions.price_on(sub, date(2027, 2, 28)) == 1749
    assert subscriptions.price_on(sub, date(2027, 3, 1)) == 3499
    assert subscriptions.monthly_fee([sub], date(2027, 1, 31)) == 1749  # February's fee
    assert subscriptions.monthly_fee([sub], date(2027, 2, 1)) == 3499  # March's fee
    sub.ends_on = date(2027, 2, 28)  # cancelled: not in March's fee
    assert subscriptions.monthly_fee([sub], date(2027, 2, 1)) == 0
