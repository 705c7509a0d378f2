"""What the demo has for a :class:`CustomerSpec` beyond ``demo.jsonl``: device commands and data
usage, invoices and payments, a suspension for debt, the wallet, messages, offers, contact
requests, audit events and (for the demo login) a confirmed web account.

The customer, contracts, services, devices and subscriptions come first from the file
(``backend.demo.feed``); they are found here by the operator's keys (customer number, contract
number, service identifier, device serial number, package code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from backend.clock import at_local, now, today
from backend.config import Settings
from backend.demo.catalogue import Catalogue
from backend.demo.dates import add_months
from backend.demo.feed import FILE_DAY, contract_number
from backend.demo.history import seed_invoices, seed_wallet
from backend.demo.people import DEMO_PASSWORD, TERMS_VERSION, CustomerSpec, ServiceSpec
from backend.models import (
    Account,
    AuditEvent,
    ContactReply,
    ContactRequest,
    Contract,
    Customer,
    Device,
    DeviceCommand,
    Message,
    MessageRead,
    Offer,
    Service,
    ServiceUsage,
    Subscription,
    Wallet,
)
from backend.models.enums import (
    CommandStatus,
    ServiceKind,
    ServiceStatus,
    SuspensionReason,
)
from backend.services import passwords
from backend.services.identifiers import make_pesel
from backend.services.money import format_money

SUSPENDED_DAYS_AFTER_DUE = 21


def pesel_of(spec: CustomerSpec) -> str:
    return make_pesel(spec.born, spec.pesel_serial, spec.female)


@dataclass
class _Built:
    customer: Customer
    contracts: list[Contract]
    services: list[tuple[ServiceSpec, Service]]
    subscriptions: list[Subscription]


async def seed_customer(spec: CustomerSpec, catalogue: Catalogue, settings: Settings) -> bool:
    """Write what the imported customer has beyond the file; False when it was written before
    (the customer has a wallet)."""
    customer = await Customer.get(number=spec.number)
    if await Wallet.exists(customer_id=customer.id):
        return False
    built = await _imported(spec, customer)
    billing = await seed_invoices(
        settings, spec, built.customer, built.contracts[0].id, built.subscriptions
    )
    suspended_at = await _suspend_for_debt(built, billing.invoices)
    await seed_wallet(spec, built.customer, catalogue.titles)
    latest = billing.invoices[0]
    context = {
        "contract_number": built.contracts[0].number,
        "contract_end": _date(max((c.ends_on for c in built.contracts if c.ends_on), default=None)),
        "overdue_total": format_money(billing.overdue_total),
        "latest_invoice": latest.number,
        "latest_due": _date(latest.due_on),
        "latest_total": format_money(latest.gross),
    }
    moments = {"invoice": at_local(latest.issued_on, 6), "suspension": suspended_at}
    await _messages(spec, built.customer, context, moments)
    await _offers(spec, built.customer, catalogue)
    await _contact_requests(spec, built.customer)
    await _audit(spec, built.customer)
    if spec.has_account:
        await _account(spec, built.customer, settings)
    return True


def _date(day: date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


def _ago(days: float) -> datetime:
    return now().replace(microsecond=0) - timedelta(days=days)


async def _imported(spec: CustomerSpec, customer: Customer) -> _Built:
    """The customer's contracts, services and subscriptions imported from the file, in the
    specs' order; device commands and usage, which the file does not carry, written here."""
    numbers = [contract_number(spec, i, FILE_DAY) for i in range(len(spec.contracts))]
    contracts = {c.number: c for c in await Contract.filter(number__in=numbers)}
    services = {s.identifier: s for s in await Service.filter(customer_id=customer.id)}
    subs = {
        (s.service.identifier, s.package.code): s
        for s in await Subscription.filter(service__customer_id=customer.id).select_related(
            "service", "package"
        )
    }
    built = _Built(customer, [contracts[number] for number in numbers], [], [])
    for service_spec in spec.services:
        service = services[service_spec.identifier]
        built.services.append((service_spec, service))
        built.subscriptions += [
            subs[(service.identifier, sub.code)] for sub in service_spec.subscriptions
        ]
        await _device_commands(service_spec)
        await _usage(service_spec, service, built.subscriptions)
    return built


async def _device_commands(spec: ServiceSpec) -> None:
    for device_spec in spec.devices:
        if not device_spec.commands:
            continue
        device = await Device.get(serial_number=device_spec.serial_number)
        for command in device_spec.commands:
            requested = _ago(command.days_ago)
            finished = command.status in (CommandStatus.DONE, CommandStatus.FAILED)
            await DeviceCommand.create(
                device=device,
                customer_id=device.customer_id,
                kind=command.kind,
                status=command.status,
                requested_at=requested,
                sent_at=requested + timedelta(seconds=2),
                completed_at=requested + timedelta(seconds=9) if finished else None,
                failure_reason=command.failure_reason,
                external_ref=f"prov-demo-{device.serial_number}-{command.kind.value}",
            )


async def _usage(spec: ServiceSpec, service: Service, subscriptions: list[Subscription]) -> None:
    """Data used this month (so far) and in the two previous months, for internet services."""
    if spec.kind is not ServiceKind.INTERNET:
        return
    day = today()
    limit: int = sum(
        s.package.data_limit_mb or 0
        for s in subscriptions
        if s.service_id == service.id and s.ends_on is None
    )
    for months_back in range(3):
        start = add_months(day.replace(day=1), -months_back)
        end = add_months(start, 1) - timedelta(days=1)
        if end < service.activated_on:
            continue
        used_days = day.day if months_back == 0 else end.day
        # a little variation between months, so the history does not look flat
        used = spec.daily_usage_mb * used_days * (100 - 7 * months_back) // 100
        await ServiceUsage.create(
            service=service,
            period_start=start,
            period_end=end,
            data_used_mb=used,
            data_limit_mb=limit or None,
        )


async def _suspend_for_debt(built: _Built, invoices: list) -> datetime | None:
    """Suspend the services marked so, three weeks after the oldest unpaid invoice's due date."""
    overdue = [i.due_on for i in invoices if i.paid_at is None and i.due_on < today()]
    if not overdue:
        return None
    suspended_at = at_local(min(overdue) + timedelta(days=SUSPENDED_DAYS_AFTER_DUE), 8)
    suspended_at = min(suspended_at, _ago(1))
    for service_spec, service in built.services:
        if service_spec.suspended_for_debt:
            service.status = ServiceStatus.SUSPENDED
            service.suspension_reason = SuspensionReason.DEBT
            service.suspended_at = suspended_at
            await service.save(update_fields=["status", "suspension_reason", "suspended_at"])
    return suspended_at


async def _messages(
    spec: CustomerSpec,
    customer: Customer,
    context: dict[str, str],
    moments: dict[str, datetime | None],
) -> None:
    for message_spec in spec.messages:
        published = moments.get(message_spec.when) or _ago(message_spec.days_ago)
        message = await Message.create(
            customer=customer,
            category=message_spec.category,
            subject=message_spec.subject.format(**context),
            body=message_spec.body.format(**context),
            urgent=message_spec.urgent,
            published_at=published,
        )
        if message_spec.read:
            await MessageRead.create(
                message=message, customer=customer, read_at=published + timedelta(hours=5)
            )
    for subject in spec.read_broadcasts:
        broadcast = await Message.filter(customer_id=None, subject=subject).first()
        if broadcast is not None:
            await MessageRead.create(
                message=broadcast,
                customer=customer,
                read_at=broadcast.published_at + timedelta(hours=20),
            )


async def _offers(spec: CustomerSpec, customer: Customer, catalogue: Catalogue) -> None:
    for offer in spec.offers:
        await Offer.create(
            customer=customer,
            package=catalogue.packages[offer.package] if offer.package else None,
            title=offer.title,
            description=offer.description,
            monthly_price=offer.monthly_price,
            promo_months=offer.promo_months,
            valid_from=_ago(3),
            valid_until=_ago(-offer.valid_days),
        )


async def _contact_requests(spec: CustomerSpec, customer: Customer) -> None:
    for contact in spec.contact_requests:
        request = await ContactRequest.create(
            customer=customer,
            topic=contact.topic,
            subject=contact.subject,
            body=contact.body,
            status=contact.status,
            created_at=_ago(contact.days_ago),
        )
        for author, body, days_ago in contact.replies:
            await ContactReply.create(
                request=request, author=author, body=body, created_at=_ago(days_ago)
            )


async def _audit(spec: CustomerSpec, customer: Customer) -> None:
    await AuditEvent.bulk_create(
        [
            AuditEvent(
                customer=customer,
                kind=event.kind,
                ip=event.ip,
                user_agent=event.user_agent,
                details=event.details,
                created_at=_ago(event.days_ago),
            )
            for event in spec.audit
        ]
    )


async def _account(spec: CustomerSpec, customer: Customer, settings: Settings) -> None:
    registered = spec.audit[0].days_ago if spec.audit else 30
    await Account.create(
        customer=customer,
        email=spec.email.lower(),
        password_hash=await passwords.hash_password(DEMO_PASSWORD, settings),
        email_confirmed_at=_ago(registered - 0.1),
        terms_version=TERMS_VERSION,
        terms_accepted_at=_ago(registered),
        last_login_at=_ago(0.8),
    )
