"""The subscriptions domain (``backend.schema.subscriptions``): contracts, the telecom services
they cover, subscriptions to packages and usage (reads, batched for the DataLoaders), when a
subscription is active, and adding and cancelling packages on a service.

Billing periods are calendar months, invoiced at the start of the next month; every day here is
a Warsaw calendar day (``backend.clock.today``), so at 2026-11-30T23:30Z (00:30 on 1 December in
Warsaw) a package starts on 1 December for the whole of December. A package added today is
active at once and billed pro rata for the rest of this month (days left, today included, over
days in the month, rounded half up) on top of the new monthly total: the customer's next invoice
(``next_invoice``) is the monthly fee of all their services plus the pro-rata charges of the
packages started this month. An add-on cancelled by the
customer stays until the end of the current period.

The monthly fee (``monthly_fee``) is one figure: what the subscriptions cost for the next
billing period, so an add-on cancelled now is not in it. An accepted offer (``offer_id`` on
``quote`` / ``add_package``) prices its package at the offer's monthly price for the part of
this month and ``promo_months`` full months (``promo_until``), then at the list price
(``price_on``); each customer uses an offer once.

Which packages fit a service: sellable, made for the service's kind, not already active, a base
package only when the service has none (changing the base is a contract change), an add-on only
on top of an active base (the specific one when the add-on names it).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from backend.clock import today
from backend.config import Settings
from backend.i18n import translate
from backend.models import (
    Contract,
    Customer,
    DeviceCommand,
    Message,
    Offer,
    Package,
    Service,
    ServiceUsage,
    Subscription,
)
from backend.models.enums import (
    AuditKind,
    CommandKind,
    MessageCategory,
    PackageKind,
    ServiceKind,
    ServiceStatus,
    SuspensionReason,
)
from backend.services import after_commit, audit, outbox, provisioning
from backend.services.batch import group
from backend.services.dates import format_day
from backend.services.errors import DomainError, ErrorCode
from backend.services.money import format_money
from backend.services.notices import notify, notify_of
from backend.services.outbox import EventType
from backend.services.ownership import offer_scope, visible
from backend.services.request import RequestMeta


async def contracts(customer_id: int) -> list[Contract]:
    return list(await visible(Contract, customer_id).order_by("-signed_on", "-id"))


async def services(customer_id: int) -> list[Service]:
    return list(await visible(Service, customer_id).order_by("contract_id", "id"))


async def services_by_contract(customer_id: int, ids: Sequence[int]) -> dict[int, list[Service]]:
    rows = await visible(Service, customer_id).filter(contract_id__in=ids).order_by("id")
    return group(rows, "contract_id")


async def customer_subscriptions(customer_id: int) -> list[Subscription]:
    return list(await visible(Subscription, customer_id).order_by("starts_on", "id"))


async def subscriptions_by_service(
    customer_id: int, ids: Sequence[int]
) -> dict[int, list[Subscription]]:
    """All subscriptions (past, current, scheduled), oldest first."""
    rows = await (
        visible(Subscription, customer_id).filter(service_id__in=ids).order_by("starts_on", "id")
    )
    return group(rows, "service_id")


async def current_usage_by_service(customer_id: int, ids: Sequence[int]) -> dict[int, ServiceUsage]:
    day = today()
    rows = await visible(ServiceUsage, customer_id).filter(
        service_id__in=ids, period_start__lte=day, period_end__gte=day
    )
    return {row.service_id: row for row in rows}


def days_remaining(contract: Contract, day: date | None = None) -> int | None:
    """Warsaw calendar days until the contract's end (0 on its last day and after), None when
    indefinite."""
    if contract.ends_on is None:
        return None
    return max(0, (contract.ends_on - (day or today())).days)


# --- Rule: when a subscription is active (the one definition) -----------------------------------


def runs_during(sub: Subscription, start: date, end: date) -> bool:
    """Whether the package is on for at least one day of ``start`` .. ``end`` (calendar days,
    both inclusive): it has started by ``end`` and has not ended before ``start``."""
    return sub.starts_on <= end and (sub.ends_on is None or sub.ends_on >= start)


def is_active(sub: Subscription, day: date | None = None) -> bool:
    """Whether the package is on (and is charged) on ``day`` (default: today)."""
    day = day or today()
    return runs_during(sub, day, day)


def active_on(day: date) -> Q:
    """``is_active`` on ``day`` as a filter on ``Subscription`` (the same dates, in SQL)."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class SubscriptionState(StrEnum):
    """How a subscription stands today (all derived from its dates)."""

    ACTIVE = "active"
    ENDING = "ending"  # active, but cancelled at a known date
    SCHEDULED = "scheduled"
    ENDED = "ended"


def subscription_state(sub: Subscription, day: date | None = None) -> SubscriptionState:
    day = day or today()
    if is_active(sub, day):
        return SubscriptionState.ACTIVE if sub.ends_on is None else SubscriptionState.ENDING
    return SubscriptionState.SCHEDULED if sub.starts_on > day else SubscriptionState.ENDED


ON_STATES = (SubscriptionState.ACTIVE, SubscriptionState.ENDING)
"""The states ``subscription_state`` gives exactly when ``is_active`` holds."""


# --- Rule: what a subscription costs, and the monthly fee (the one definition) ------------------


def price_on(sub: Subscription, day: date | None = None) -> int:
    """What ``sub`` costs per month in the billing period of ``day`` (default today; grosze):
    the accepted offer's price up to ``promo_until``, the list price (``monthly_price``) after."""
    day = day or today()
    if sub.promo_price is not None and sub.promo_until is not None and day <= sub.promo_until:
        return sub.promo_price
    return sub.monthly_price


def monthly_fee(subs: Iterable[Subscription], day: date | None = None) -> int:
    """The monthly fee (grosze): what ``subs`` cost for the billing period after ``day``'s
    (default today), each subscription on on its first day at ``price_on`` that day. An add-on
    cancelled now ends with this period and is not counted, a promotional price counts while it
    lasts. The figure of "Your data" (contract, service, viewer ``monthlyTotal``), of the start
    screen's next charge (``billing.next_charge``) and of a quote's monthly totals."""
    first = next_period_start(day or today())
    return sum(price_on(s, first) for s in subs if is_active(s, first))


def prorated_charge(sub: Subscription) -> int:
    """The pro-rata charge (grosze) for the month ``sub`` starts in: its price that month
    (``price_on`` its first day) for ``starts_on`` .. end of that month (``prorate``). What a
    quote promises and what the next invoice after that month carries, cancelled or not."""
    return prorate(price_on(sub, sub.starts_on), sub.starts_on)


# --- Rule: the customer's next invoice (the one definition) -------------------------------------


@dataclass(frozen=True)
class NextInvoice:
    """The invoice issued on ``issued_on`` (the first day of the next billing period), grosze:
    ``monthly`` = ``monthly_fee`` of the coming period, ``prorated`` = the pro-rata charges of
    the packages started in the current period (``prorated_charge``)."""

    issued_on: date
    monthly: int
    prorated: int

    @property
    def total(self) -> int:
        return self.monthly + self.prorated


def next_invoice(subs: Iterable[Subscription], day: date | None = None) -> NextInvoice:
    """The customer's next invoice from all their subscriptions ``subs`` (every service), seen
    on ``day`` (default today): every package on in the coming period at its price then
    (``monthly_fee``) plus, for each package that started in ``day``'s period (its first day
    included), ``prorated_charge`` (a package added and cancelled this month still owes it).
    The figure of a quote's ``next_invoice_total`` (after the add), of the start screen's next
    charge (``billing.next_charge``) and of the message after adding a package. A package
    starting on the 1st counts a whole month here: packages start on the day they are added
    (``add_package``), so it was not on that day's invoice (a subscription stored in advance for
    a later 1st would be counted twice)."""
    day = day or today()
    rows = list(subs)
    first, last = day.replace(day=1), period_end(day)
    prorated = sum(prorated_charge(s) for s in rows if first <= s.starts_on <= last)
    return NextInvoice(
        issued_on=next_period_start(day), monthly=monthly_fee(rows, day), prorated=prorated
    )


# --- Rule: which packages can be added to a service (the one definition) ------------------------


@dataclass(frozen=True)
class Refusal:
    """Why a package cannot be added to a service: the error ``quote`` / ``add_package`` raise
    (``code`` on the input field ``field``)."""

    code: ErrorCode
    field: str


def service_refusal(service: Service) -> Refusal | None:
    """Why no package can be added to ``service`` now, None while it is active: closed
    (NOT_FOUND), suspended for debt (SERVICE_SUSPENDED_FOR_DEBT) or otherwise
    (SERVICE_SUSPENDED)."""
    if service.status is ServiceStatus.TERMINATED:
        return Refusal(ErrorCode.NOT_FOUND, "service_id")
    if service.status is ServiceStatus.SUSPENDED:
        if service.suspension_reason is SuspensionReason.DEBT:
            return Refusal(ErrorCode.SERVICE_SUSPENDED_FOR_DEBT, "service_id")
        return Refusal(ErrorCode.SERVICE_SUSPENDED, "service_id")
    return None


def package_refusal(
    package: Package, service: Service, active: Iterable[Package]
) -> Refusal | None:
    """Why ``package`` cannot be added to ``service`` now, None when it can (see the module
    docstring). ``active``: the packages of the service's subscriptions active today.

    The reasons, in the order they are checked: the service is not active
    (``service_refusal``); the package is not sold or made for another kind of service
    (PACKAGE_NOT_AVAILABLE); it is active already (PACKAGE_ALREADY_ACTIVE); it is a base and
    the service has one (PACKAGE_NOT_AVAILABLE); it is an add-on and its base, or any base when
    it names none, is not active (BASE_PACKAGE_REQUIRED)."""
    refused = service_refusal(service)
    if refused is not None:
        return refused
    if not package.sellable or package.service_kind is not service.kind:
        return Refusal(ErrorCode.PACKAGE_NOT_AVAILABLE, "package_id")
    on = list(active)
    if any(p.id == package.id for p in on):
        return Refusal(ErrorCode.PACKAGE_ALREADY_ACTIVE, "package_id")
    bases = {p.id for p in on if p.kind is PackageKind.BASE}
    if package.kind is PackageKind.BASE:
        return Refusal(ErrorCode.PACKAGE_NOT_AVAILABLE, "package_id") if bases else None
    required = package.requires_base_id
    if not bases or (required is not None and required not in bases):
        return Refusal(ErrorCode.BASE_PACKAGE_REQUIRED, "package_id")
    return None


def available_packages(
    service: Service,
    subscriptions: Iterable[Subscription],
    catalogue: Sequence[Package],
    day: date | None = None,
) -> list[Package]:
    """The packages ``package_refusal`` lets the customer add to ``service``, in catalogue
    order. ``subscriptions``: the service's own.

    ``catalogue`` must hold every package the subscriptions refer to (the whole catalogue,
    sellable or not), so that a base that is no longer sold still counts as present."""
    by_id = {p.id: p for p in catalogue}
    on = [by_id[i] for i in _active_package_ids(subscriptions, day) if i in by_id]
    return [p for p in catalogue if package_refusal(p, service, on) is None]


TV_KINDS = (ServiceKind.SATELLITE_TV, ServiceKind.MOBILE_TV)


def tv_packages(
    services: Iterable[Service],
    subscriptions: Sequence[Subscription],
    catalogue: Sequence[Package],
    day: date | None = None,
) -> tuple[list[Subscription], list[Package]]:
    """For the start screen: the active packages of the TV services (satellite and mobile TV),
    and the packages that could still be added to any of them (each once, catalogue order
    within a service)."""
    tv = [s for s in services if s.kind in TV_KINDS]
    ids = {s.id for s in tv}
    active = [s for s in subscriptions if s.service_id in ids and is_active(s, day)]
    return active, addable_packages(tv, subscriptions, catalogue, day)


def addable_packages(
    services: Iterable[Service],
    subscriptions: Sequence[Subscription],
    catalogue: Sequence[Package],
    day: date | None = None,
) -> list[Package]:
    """The packages that ``package_refusal`` lets the customer add to at least one of
    ``services`` (each once; services in the given order, catalogue order within a service).
    ``subscriptions``: the customer's, of any service; ``catalogue`` as for
    :func:`available_packages`."""
    available: dict[int, Package] = {}
    for service in services:
        own = [s for s in subscriptions if s.service_id == service.id]
        for package in available_packages(service, own, catalogue, day):
            available.setdefault(package.id, package)
    return list(available.values())


def _active_package_ids(subscriptions: Iterable[Subscription], day: date | None) -> list[int]:
    return [s.package_id for s in subscriptions if is_active(s, day)]


@dataclass(frozen=True)
class PackageQuote:
    """What adding ``package`` does (grosze): ``monthly_price`` is its price this month (the
    offer's while ``promo_until``, else the list price), ``prorated_amount`` that price for the
    rest of the month (``prorated_charge``), the monthly totals are ``monthly_fee`` of the
    service without and with the package, ``next_invoice_total`` the customer's whole next
    invoice (``next_invoice``, all services) with the package."""

    service: Service
    package: Package
    effective_on: date
    period_end: date
    prorated_amount: int
    current_monthly_total: int
    new_monthly_total: int
    next_invoice_on: date
    next_invoice_total: int
    offer: Offer | None = None
    promo_until: date | None = None

    @property
    def monthly_price(self) -> int:
        return price_on(self.subscription(), self.effective_on)

    def subscription(self) -> Subscription:
        """The subscription that adding the package creates (not saved)."""
        promo = self.offer is not None and self.promo_until is not None
        return Subscription(
            service=self.service,
            package=self.package,
            starts_on=self.effective_on,
            monthly_price=self.package.monthly_price,
            offer=self.offer,
            promo_price=self.offer.monthly_price if promo and self.offer else None,
            promo_until=self.promo_until,
        )


@dataclass(frozen=True)
class AddedPackage:
    subscription: Subscription
    quote: PackageQuote
    message: Message | None
    """The confirmation in the inbox; None when writing it failed after the order committed."""


def period_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_period_start(day: date) -> date:
    """The first day of the billing period after ``day``'s."""
    return period_end(day) + timedelta(days=1)


def promo_until(start: date, months: int) -> date:
    """The last day at an offer's price for a package starting on ``start``: the rest of that
    month and ``months`` full months after it (a start on the 1st makes that month the first of
    them). 2026-11-30 and 3 months: until 2027-02-28, 2026-12-01: until 2027-02-28."""
    first_full = start if start.day == 1 else next_period_start(start)
    index = first_full.year * 12 + first_full.month - 1 + months - 1
    year, month = divmod(index, 12)
    return period_end(date(year, month + 1, 1))


def prorate(monthly_price: int, start: date) -> int:
    """The part of a month's price for ``start`` .. end of that month, rounded half up."""
    days_in_month = calendar.monthrange(start.year, start.month)[1]
    remaining = days_in_month - start.day + 1
    return (2 * monthly_price * remaining + days_in_month) // (2 * days_in_month)


async def owned_service(customer_id: int, service_id: int, *, field: str = "service_id") -> Service:
    service = await Service.get_or_none(id=service_id, customer_id=customer_id)
    if service is None or service.status is ServiceStatus.TERMINATED:
        raise DomainError(ErrorCode.NOT_FOUND, field)
    return service


def ensure_service_active(service: Service) -> None:
    """Raise ``service_refusal`` as a ``DomainError`` unless ``service`` is active."""
    refused = service_refusal(service)
    if refused is not None:
        raise DomainError(refused.code, refused.field)


async def accepted_offer(customer_id: int, offer_id: int, package: Package) -> Offer:
    """The offer ``offer_id`` as the customer may accept it for ``package`` now.

    Raises ``DomainError`` on ``offer_id``: NOT_FOUND (not valid now, or not for this customer),
    OFFER_NOT_FOR_PACKAGE (it offers another package, or none), OFFER_ALREADY_USED (a
    subscription of the customer's took it already: each customer uses an offer once)."""
    offer = await Offer.filter(offer_scope(customer_id), id=offer_id).first()
    if offer is None:
        raise DomainError(ErrorCode.NOT_FOUND, "offer_id")
    if offer.package_id != package.id:
        raise DomainError(ErrorCode.OFFER_NOT_FOR_PACKAGE, "offer_id")
    if await Subscription.filter(offer_id=offer.id, service__customer_id=customer_id).exists():
        raise DomainError(ErrorCode.OFFER_ALREADY_USED, "offer_id")
    return offer


def offer_is_used(offer: Offer, subscriptions: Iterable[Subscription]) -> bool:
    """Whether one of the customer's ``subscriptions`` took ``offer`` (the rule
    ``accepted_offer`` refuses by, for lists of offers)."""
    return any(s.offer_id == offer.id for s in subscriptions)


async def quote(
    customer_id: int, service_id: int, package_id: int, offer_id: int | None = None
) -> PackageQuote:
    """Check that the package can be added to the service (``package_refusal``), and the offer
    accepted with it (``accepted_offer``), and price it.

    Raises ``DomainError``: NOT_FOUND (``service_id``: not the customer's or closed;
    ``package_id``: no such package), or the refusal (BASE_PACKAGE_REQUIRED names the base),
    or the offer's refusal."""
    service = await owned_service(customer_id, service_id)
    package = await Package.get_or_none(id=package_id)
    if package is None:
        raise DomainError(ErrorCode.NOT_FOUND, "package_id")
    day = today()
    active = list(
        await Subscription.filter(active_on(day), service_id=service.id).prefetch_related("package")
    )
    refused = package_refusal(package, service, [s.package for s in active])
    if refused is not None:
        params: dict[str, str] = {}
        if refused.code is ErrorCode.BASE_PACKAGE_REQUIRED:
            required_id = package.requires_base_id
            required = await Package.get_or_none(id=required_id) if required_id else None
            params["base"] = required.name if required else ""
        raise DomainError(refused.code, refused.field, params)
    offer = await accepted_offer(customer_id, offer_id, package) if offer_id is not None else None
    until = None
    if offer is not None and offer.monthly_price is not None and offer.promo_months > 0:
        until = promo_until(day, offer.promo_months)
    end = period_end(day)
    priced = PackageQuote(
        service=service,
        package=package,
        effective_on=day,
        period_end=end,
        prorated_amount=0,
        current_monthly_total=0,
        new_monthly_total=0,
        next_invoice_on=next_period_start(day),
        next_invoice_total=0,
        offer=offer,
        promo_until=until,
    )
    added = priced.subscription()
    after = next_invoice([*await customer_subscriptions(customer_id), added], day)
    return replace(
        priced,
        prorated_amount=prorated_charge(added),
        current_monthly_total=monthly_fee(active, day),
        new_monthly_total=monthly_fee([*active, added], day),
        next_invoice_on=after.issued_on,
        next_invoice_total=after.total,
    )


async def add_package(
    settings: Settings,
    customer_id: int,
    service_id: int,
    package_id: int,
    *,
    offer_id: int | None = None,
    meta: RequestMeta,
) -> AddedPackage:
    """Add the package (with the accepted offer, if any) as ``quote`` priced it."""
    async with in_transaction():
        # Touching the service row serialises concurrent additions to one service (a row lock
        # on PostgreSQL, the write lock on SQLite), so the checks in quote() see each other;
        # touching the customer's row does the same for one offer taken on two services.
        await Service.filter(id=service_id, customer_id=customer_id).update(name=F("name"))
        if offer_id is not None:
            await Customer.filter(id=customer_id).update(number=F("number"))
        priced = await quote(customer_id, service_id, package_id, offer_id)
        subscription = priced.subscription()
        await subscription.save()
        customer = await Customer.get(id=customer_id)
        await _order_entitlement(settings, customer, subscription, EventType.PACKAGE_ORDERED)
        await audit.record(
            AuditKind.PACKAGE_ADDED,
            customer_id,
            meta,
            service=priced.service.identifier,
            package=priced.package.code,
            prorated=priced.prorated_amount,
            **({"offer": priced.offer.id} if priced.offer else {}),
        )
    message = await after_commit.attempt(
        f"the notice of subscription {subscription.id}",
        notify(
            settings,
            customer,
            category=MessageCategory.SERVICE,
            subject=translate(
                "notice.package_added.subject", customer.language, package=priced.package.name
            ),
            body=translate(
                "notice.package_added.body", customer.language, **_fill(priced, customer)
            ),
        ),
    )
    return AddedPackage(subscription=subscription, quote=priced, message=message)


async def cancel_package(
    settings: Settings,
    customer_id: int,
    subscription_id: int,
    *,
    meta: RequestMeta,
) -> Subscription:
    """End an add-on at the end of the current billing period (idempotent)."""
    subscription = await Subscription.get_or_none(
        id=subscription_id, service__customer_id=customer_id
    ).prefetch_related("package", "service")
    day = today()
    if subscription is None or (subscription.ends_on is not None and subscription.ends_on < day):
        raise DomainError(ErrorCode.NOT_FOUND, "subscription_id")
    if subscription.package.kind is PackageKind.BASE:
        raise DomainError(ErrorCode.CANNOT_CANCEL_BASE, "subscription_id")
    end = period_end(day)
    if subscription.ends_on is not None and subscription.ends_on <= end:
        return subscription  # already ending: cancelling again changes nothing
    customer = await Customer.get(id=customer_id)
    async with in_transaction():
        # Conditional: of two concurrent cancellations one writes (and tells the operator).
        if not await Subscription.filter(id=subscription.id, ends_on=subscription.ends_on).update(
            ends_on=end
        ):
            return await Subscription.get(id=subscription.id).prefetch_related("package", "service")
        subscription.ends_on = end
        await _order_entitlement(settings, customer, subscription, EventType.PACKAGE_CANCELLED)
        await audit.record(
            AuditKind.PACKAGE_CANCELLED,
            customer_id,
            meta,
            service=subscription.service.identifier,
            package=subscription.package.code,
            ends_on=end.isoformat(),
        )
    await after_commit.attempt(
        f"the cancellation notice of subscription {subscription.id}",
        notify(
            settings,
            customer,
            category=MessageCategory.SERVICE,
            subject=translate(
                "notice.package_cancelled.subject",
                customer.language,
                package=subscription.package.name,
            ),
            body=translate(
                "notice.package_cancelled.body",
                customer.language,
                package=subscription.package.name,
                service=subscription.service.identifier,
                ends_on=format_day(end, customer.language),
            ),
        ),
    )
    return subscription


async def _order_entitlement(
    settings: Settings, customer: Customer, subscription: Subscription, kind: EventType
) -> None:
    """Inside the order's transaction: the ENTITLEMENT command for the service's card (the
    package from ``starts_on`` until ``ends_on``, None for open-ended; Warsaw days) and the
    ``package.ordered``/``package.cancelled`` event naming it (``commandId`` None without a
    card), then the command's ``device_command.requested`` event."""
    await subscription.fetch_related("package", "service")
    until = subscription.ends_on.isoformat() if subscription.ends_on else None
    details = {
        "packageCode": subscription.package.code,
        "from": subscription.starts_on.isoformat(),
        "until": until,
    }
    command = await provisioning.request_entitlement(
        settings, subscription.service, details, subscription_id=subscription.id
    )
    await outbox.emit(
        settings,
        kind,
        customer.id,
        {
            "customerNumber": customer.number,
            "serviceIdentifier": subscription.service.identifier,
            "subscriptionId": subscription.id,
            "packageCode": subscription.package.code,
            "startsOn": details["from"],
            "endsOn": until,
            "monthlyPrice": subscription.monthly_price,
            "promoPrice": subscription.promo_price,
            "promoUntil": subscription.promo_until.isoformat()
            if subscription.promo_until
            else None,
            "commandId": provisioning.command_id(command.id) if command else None,
        },
    )
    if command is not None:
        await provisioning.announce(settings, command)


async def withdraw_failed_order(settings: Settings, command: DeviceCommand) -> bool:
    """The package order of ``command`` (its subscription's first ENTITLEMENT) never reached
    the card: withdraw it. The subscription is deleted (it never started for the customer, so
    it is neither billed nor counted by ``next_invoice``, an accepted offer can be taken again,
    and the package can be ordered again the same day: a subscription ended the day before it
    started would keep the unique (service, package, starts_on) and the pro-rata charge). Its
    commands stay, unlinked; ``command.details`` gets ``withdrawn: true`` (what the customer's
    command status shows). Tells the operator (``package.withdrawn``) and the customer (a
    notice). Call it in the transaction that failed ``command``.

    A cancellation's failed entitlement withdraws nothing (returns False): the package ends on
    ``ends_on`` and is billed until then as agreed, whatever the card still shows; the
    operator, who failed it or sees the timeout, takes it off the card."""
    assert command.subscription_id is not None
    subscription = await Subscription.get_or_none(id=command.subscription_id).prefetch_related(
        "package", "service"
    )
    if subscription is None:
        return False
    first = (
        await DeviceCommand.filter(subscription_id=subscription.id, kind=CommandKind.ENTITLEMENT)
        .order_by("requested_at", "id")
        .first()
    )
    if first is None or first.id != command.id:
        return False
    customer = await Customer.get(id=subscription.service.customer_id)
    await DeviceCommand.filter(id=command.id).update(
        details={**(command.details or {}), "withdrawn": True}
    )
    await DeviceCommand.filter(subscription_id=subscription.id).update(subscription_id=None)
    await Subscription.filter(id=subscription.id).delete()
    await outbox.emit(
        settings,
        EventType.PACKAGE_WITHDRAWN,
        customer.id,
        {
            "customerNumber": customer.number,
            "serviceIdentifier": subscription.service.identifier,
            "subscriptionId": subscription.id,
            "packageCode": subscription.package.code,
            "startsOn": subscription.starts_on.isoformat(),
            "commandId": provisioning.command_id(command.id),
            "reasonCode": (command.details or {}).get("reasonCode"),
        },
    )
    await notify_of(
        settings,
        customer,
        "package_withdrawn",
        package=subscription.package.name,
        service=subscription.service.identifier,
    )
    return True


def _fill(priced: PackageQuote, customer: Customer) -> dict[str, str]:
    language = customer.language
    return {
        "package": priced.package.name,
        "service": priced.service.identifier,
        "effective_on": format_day(priced.effective_on, language),
        "period_end": format_day(priced.period_end, language),
        "prorated": format_money(priced.prorated_amount, language=language),
        "monthly": format_money(priced.new_monthly_total, language=language),
        "next_invoice_on": format_day(priced.next_invoice_on, language),
        "next_total": format_money(priced.next_invoice_total, language=language),
    }
