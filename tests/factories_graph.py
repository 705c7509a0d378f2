"""Factories for the customer graph: catalogue, subscriptions, equipment, invoices, payments,
wallet, messages, offers, contact requests, activity. Written through the real models."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from backend.clock import now, today
from backend.models import (
    AuditEvent,
    Channel,
    ContactReply,
    ContactRequest,
    Customer,
    Device,
    DeviceCommand,
    Invoice,
    InvoiceLine,
    Message,
    MessageRead,
    Offer,
    Package,
    Payment,
    Purchase,
    Service,
    ServiceUsage,
    Subscription,
    Title,
    Wallet,
    WalletTransaction,
)
from backend.models.enums import (
    AuditKind,
    CommandKind,
    CommandStatus,
    ContactStatus,
    ContactTopic,
    DeviceKind,
    InvoiceStatus,
    MessageCategory,
    Ownership,
    PackageKind,
    PaymentMethod,
    PaymentPurpose,
    PaymentStatus,
    ReplyAuthor,
    ServiceKind,
    TitleKind,
    WalletTransactionKind,
)
from tests.factories import make_contract, make_service

_seq = itertools.count(1)


@dataclass
class Catalogue:
    sat_base: Package
    sat_base_2: Package
    sat_sport: Package  # add-on needing sat_base specifically
    sat_film: Package  # add-on fitting any base
    net_base: Package
    mobile_base: Package
    retired: Package  # no longer sellable
    titles: list[Title] = field(default_factory=list)


async def make_package(**fields: Any) -> Package:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "code": f"PKG{n}",
        "name": f"Pakiet {n}",
        "kind": PackageKind.BASE,
        "service_kind": ServiceKind.SATELLITE_TV,
        "monthly_price": 4999,
        "position": n,
    }
    return await Package.create(**{**defaults, **fields})


async def make_catalogue() -> Catalogue:
    channels = [
        await Channel.create(name=f"Kanał {i} {next(_seq)}", category=cat, hd=i % 2 == 0)
        for i, cat in enumerate(["news", "sport", "film", "kids"])
    ]
    sat_base = await make_package(name="Start", monthly_price=4999)
    await sat_base.channels.add(*channels[:2])
    sat_base_2 = await make_package(name="Familijny", monthly_price=6999)
    sport = await make_package(
        name="Sport", kind=PackageKind.ADDON, monthly_price=2500, requires_base=sat_base
    )
    await sport.channels.add(channels[1])
    film = await make_package(name="Filmbox", kind=PackageKind.ADDON, monthly_price=1999)
    await film.channels.add(channels[2], channels[3])
    net = await make_package(
        name="Internet 100 GB",
        service_kind=ServiceKind.INTERNET,
        monthly_price=5900,
        data_limit_mb=100_000,
    )
    mobile = await make_package(
        name="TV Mobilna", service_kind=ServiceKind.MOBILE_TV, monthly_price=1500
    )
    retired = await make_package(name="Stary", sellable=False, monthly_price=3000)
    titles = [
        await Title.create(kind=TitleKind.VOD, name="Film A", price=999, featured=True),
        await Title.create(kind=TitleKind.VOD, name="Film B", price=1499),
        await Title.create(
            kind=TitleKind.PPV,
            name="Gala",
            price=3999,
            event_starts_at=now() + timedelta(days=3),
            featured=True,
        ),
        await Title.create(
            kind=TitleKind.VOD, name="Gone", price=500, available_until=now() - timedelta(days=1)
        ),
    ]
    return Catalogue(sat_base, sat_base_2, sport, film, net, mobile, retired, titles)


async def subscribe(
    service: Service, package: Package, *, starts_on: date | None = None, **fields: Any
) -> Subscription:
    return await Subscription.create(
        service=service,
        package=package,
        starts_on=starts_on or today() - timedelta(days=100),
        monthly_price=fields.pop("monthly_price", package.monthly_price),
        **fields,
    )


async def make_invoice(
    customer: Customer,
    *,
    issued_on: date | None = None,
    due_in: int = 14,
    status: InvoiceStatus = InvoiceStatus.UNPAID,
    lines: int = 2,
    number: str | None = None,
) -> Invoice:
    issued_on = issued_on or today() - timedelta(days=5)
    n = next(_seq)
    net_each = 4065
    vat_each = 935
    invoice = await Invoice.create(
        customer=customer,
        number=number or f"FV/{n:05d}/2026",
        period_start=issued_on.replace(day=1),
        period_end=issued_on.replace(day=28),
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=due_in),
        net=net_each * lines,
        vat=vat_each * lines,
        gross=(net_each + vat_each) * lines,
        status=status,
        paid_at=now() if status is InvoiceStatus.PAID else None,
    )
    await InvoiceLine.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=i + 1,
                description=f"Abonament pakiet {i + 1} — żółć",
                unit_net=net_each,
                net=net_each,
                vat=vat_each,
                gross=net_each + vat_each,
            )
            for i in range(lines)
        ]
    )
    return invoice


async def make_payment(
    customer: Customer,
    invoices: list[Invoice] | None = None,
    *,
    amount: int | None = None,
    status: PaymentStatus = PaymentStatus.PAID,
    purpose: PaymentPurpose = PaymentPurpose.INVOICES,
) -> Payment:
    payment = await Payment.create(
        customer=customer,
        purpose=purpose,
        amount=amount or sum(i.gross for i in invoices or []) or 1000,
        method=PaymentMethod.BLIK,
        provider="sandbox",
        status=status,
        idempotency_key=f"key-{next(_seq)}",
        created_at=now(),
        paid_at=now() if status is PaymentStatus.PAID else None,
    )
    if invoices:
        await payment.invoices.add(*invoices)
    return payment


async def make_wallet(customer: Customer, title: Title | None = None) -> Wallet:
    """A wallet topped up with 100 zł, with one purchase of ``title`` if given."""
    wallet = await Wallet.create(customer=customer, balance=10000)
    top_up = await make_payment(customer, amount=10000, purpose=PaymentPurpose.WALLET_TOP_UP)
    await WalletTransaction.create(
        wallet=wallet,
        kind=WalletTransactionKind.TOP_UP,
        amount=10000,
        balance_after=10000,
        description="Doładowanie",
        payment=top_up,
        created_at=now() - timedelta(hours=2),
    )
    if title is not None:
        balance = 10000 - title.price
        tx = await WalletTransaction.create(
            wallet=wallet,
            kind=WalletTransactionKind.PURCHASE,
            amount=-title.price,
            balance_after=balance,
            description=title.name,
            created_at=now() - timedelta(hours=1),
        )
        await Purchase.create(
            customer=customer,
            title=title,
            price=title.price,
            transaction=tx,
            created_at=now() - timedelta(hours=1),
            available_until=now() + timedelta(hours=47),
        )
        wallet.balance = balance
        await wallet.save(update_fields=["balance"])
    return wallet


async def make_message(customer: Customer | None, **fields: Any) -> Message:
    defaults: dict[str, Any] = {
        "category": MessageCategory.ANNOUNCEMENT,
        "subject": f"Komunikat {next(_seq)}",
        "body": "Treść",
        "published_at": now() - timedelta(hours=1),
    }
    return await Message.create(customer=customer, **{**defaults, **fields})


@dataclass
class Graph:
    """Everything a customer can see, with handles for the tests."""

    customer: Customer
    services: list[Service]
    devices: list[Device]
    commands: list[DeviceCommand]
    invoices: list[Invoice]
    payments: list[Payment]
    wallet: Wallet
    messages: list[Message]
    offers: list[Offer]
    requests: list[ContactRequest]
    events: list[AuditEvent]
    subscriptions: list[Subscription]
    transactions: list[WalletTransaction]
    purchases: list[Purchase]


async def make_graph(
    customer: Customer, cat: Catalogue, *, services: int = 1, invoices: int = 1
) -> Graph:
    """A customer with ``services`` satellite/internet services (each with subscriptions,
    devices, commands, usage), ``invoices`` invoices, payments, a wallet with a purchase,
    messages, offers, contact requests and activity."""
    contract = await make_contract(customer, ends_on=today() + timedelta(days=200))
    made: list[Service] = []
    devices: list[Device] = []
    commands: list[DeviceCommand] = []
    subs: list[Subscription] = []
    for i in range(services):
        kind = ServiceKind.INTERNET if i % 2 else ServiceKind.SATELLITE_TV
        service = await make_service(customer, kind=kind, contract=contract)
        made.append(service)
        if kind is ServiceKind.SATELLITE_TV:
            subs.append(await subscribe(service, cat.sat_base))
            subs.append(await subscribe(service, cat.sat_sport))
            decoder = await Device.create(
                customer=customer,
                service=service,
                kind=DeviceKind.DECODER,
                model="EVOBOX",
                serial_number=f"SN{next(_seq):08d}",
                ownership=Ownership.LEASED,
                installed_on=today() - timedelta(days=300),
            )
            devices.append(decoder)
            commands.append(
                await DeviceCommand.create(
                    device=decoder,
                    customer=customer,
                    kind=CommandKind.PIN_RESET,
                    status=CommandStatus.DONE,
                    requested_at=now() - timedelta(hours=3),
                    completed_at=now() - timedelta(hours=3),
                )
            )
        else:
            subs.append(await subscribe(service, cat.net_base))
            await ServiceUsage.create(
                service=service,
                period_start=today().replace(day=1),
                period_end=today().replace(day=1) + timedelta(days=40),
                data_used_mb=25_000,
                data_limit_mb=100_000,
            )
            devices.append(
                await Device.create(
                    customer=customer,
                    service=service,
                    kind=DeviceKind.MODEM,
                    model="LTE Box",
                    serial_number=f"SN{next(_seq):08d}",
                    ownership=Ownership.OWNED,
                    installed_on=today() - timedelta(days=200),
                )
            )
    made_invoices = [
        await make_invoice(
            customer,
            issued_on=today() - timedelta(days=30 * k + 5),
            status=InvoiceStatus.PAID if k % 2 else InvoiceStatus.UNPAID,
        )
        for k in range(invoices)
    ]
    paid = [i for i in made_invoices if i.status is InvoiceStatus.PAID][:3]
    payments = [await make_payment(customer, paid)] if paid else []
    wallet = await make_wallet(customer, cat.titles[0])
    messages = [
        await make_message(customer, urgent=True, subject="Pilne"),
        await make_message(customer, subject="Zwykły"),
    ]
    await MessageRead.create(message=messages[1], customer=customer, read_at=now())
    offers = [
        await Offer.create(
            customer=customer,
            package=cat.sat_film,
            title="Filmbox taniej",
            monthly_price=999,
            promo_months=3,
            valid_from=now() - timedelta(days=1),
            valid_until=now() + timedelta(days=30),
        )
    ]
    request = await ContactRequest.create(
        customer=customer,
        topic=ContactTopic.BILLING,
        subject="Pytanie",
        body="Treść pytania",
        status=ContactStatus.ANSWERED,
        created_at=now() - timedelta(days=2),
    )
    await ContactReply.create(
        request=request, author=ReplyAuthor.OPERATOR, body="Odpowiedź", created_at=now()
    )
    events = [
        await AuditEvent.create(
            customer=customer,
            kind=AuditKind.LOGIN,
            ip="203.0.113.7",
            user_agent="pytest",
            details={"package": "Start"},
            created_at=now() - timedelta(minutes=k),
        )
        for k in range(3)
    ]
    return Graph(
        customer,
        made,
        devices,
        commands,
        made_invoices,
        payments,
        wallet,
        messages,
        offers,
        [request],
        events,
        subs,
        list(await WalletTransaction.filter(wallet=wallet)),
        list(await Purchase.filter(customer=customer)),
    )
