"""Test data for the customer actions: catalogue packages, devices, invoices, titles, wallets."""

from __future__ import annotations

import itertools
from datetime import timedelta

from backend.clock import now, today
from backend.models import (
    Device,
    Invoice,
    Package,
    Service,
    Title,
    Wallet,
    WalletTransaction,
)
from backend.models.enums import (
    DeviceKind,
    InvoiceStatus,
    Ownership,
    PackageKind,
    ServiceKind,
    TitleKind,
    WalletTransactionKind,
)
from tests import factories_graph as graph_factories

_seq = itertools.count(1)

# One definition of packages and subscriptions for all tests (shared code sequence, too).
subscribe = graph_factories.subscribe


async def make_package(
    *,
    kind: PackageKind = PackageKind.BASE,
    service_kind: ServiceKind = ServiceKind.SATELLITE_TV,
    monthly_price: int = 3000,
    requires_base: Package | None = None,
    sellable: bool = True,
    name: str | None = None,
) -> Package:
    """``factories_graph.make_package`` with the defaults these tests price against."""
    fields = {"name": name} if name else {}
    return await graph_factories.make_package(
        kind=kind,
        service_kind=service_kind,
        monthly_price=monthly_price,
        requires_base=requires_base,
        sellable=sellable,
        **fields,
    )


async def make_device(
    service: Service, *, kind: DeviceKind = DeviceKind.DECODER, serial: str | None = None
) -> Device:
    return await Device.create(
        customer_id=service.customer_id,  # type: ignore[attr-defined]
        service=service,
        kind=kind,
        model="EVOBOX HD" if kind is DeviceKind.DECODER else "Karta Conax",
        serial_number=serial or f"SN{next(_seq):08d}",
        ownership=Ownership.LEASED,
        installed_on=today() - timedelta(days=300),
    )


async def make_invoice(
    customer_id: int,
    *,
    gross: int = 12300,
    due_in_days: int = 14,
    status: InvoiceStatus = InvoiceStatus.UNPAID,
) -> Invoice:
    n = next(_seq)
    net = round(gross / 1.23)
    issued = today() + timedelta(days=due_in_days - 14)
    return await Invoice.create(
        customer_id=customer_id,
        number=f"FV/{n:05d}/2026",
        period_start=issued - timedelta(days=30),
        period_end=issued - timedelta(days=1),
        issued_on=issued,
        due_on=today() + timedelta(days=due_in_days),
        net=net,
        vat=gross - net,
        gross=gross,
        status=status,
    )


async def make_title(
    *, price: int = 1500, kind: TitleKind = TitleKind.VOD, available_days: int | None = 30
) -> Title:
    n = next(_seq)
    return await Title.create(
        kind=kind,
        name=f"Film {n}",
        price=price,
        available_until=now() + timedelta(days=available_days) if available_days else None,
        event_starts_at=now() + timedelta(days=2) if kind is TitleKind.PPV else None,
    )


async def fund_wallet(customer_id: int, amount: int) -> Wallet:
    """A wallet with one top-up entry, so the ledger sums to the balance."""
    wallet = await Wallet.create(customer_id=customer_id, balance=amount)
    await WalletTransaction.create(
        wallet=wallet,
        kind=WalletTransactionKind.TOP_UP,
        amount=amount,
        balance_after=amount,
        created_at=now(),
    )
    return wallet
