"""A whole customer graph: everything one customer can see, for the API-wide tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from backend.clock import now, today
from backend.models import (
    AuditEvent,
    ContactRequest,
    Customer,
    Device,
    DeviceCommand,
    Invoice,
    Message,
    Offer,
    Payment,
    Purchase,
    Service,
    Subscription,
    Wallet,
    WalletTransaction,
)
from backend.models.enums import (
    AuditKind,
    ContactStatus,
    DeviceKind,
    InvoiceStatus,
    Ownership,
    ServiceKind,
)
from tests.factories.billing import make_invoice, make_payment
from tests.factories.catalogue import Catalogue, make_offer, subscribe
from tests.factories.contact import (
    make_audit_event,
    make_contact_request,
    make_message,
    make_message_read,
    make_reply,
)
from tests.factories.customers import make_contract, make_service, make_usage
from tests.factories.devices import make_command, make_device
from tests.factories.wallet import make_wallet


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
            decoder = await make_device(service, model="EVOBOX")
            devices.append(decoder)
            commands.append(await make_command(decoder))
        else:
            subs.append(await subscribe(service, cat.net_base))
            await make_usage(service, days=41)
            devices.append(
                await make_device(
                    service,
                    kind=DeviceKind.MODEM,
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
    wallet = await make_wallet(customer, title=cat.titles[0])
    messages = [
        await make_message(customer, urgent=True, subject="Pilne"),
        await make_message(customer, subject="Zwykły"),
    ]
    await make_message_read(messages[1], customer)
    offers = [
        await make_offer(
            "Filmbox taniej",
            customer=customer,
            package=cat.sat_film,
            monthly_price=999,
            promo_months=3,
            valid_until=now() + timedelta(days=30),
        )
    ]
    request = await make_contact_request(
        customer, status=ContactStatus.ANSWERED, created_at=now() - timedelta(days=2)
    )
    await make_reply(request)
    events = [
        await make_audit_event(
            customer,
            AuditKind.LOGIN,
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
