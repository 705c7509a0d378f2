"""The wallet domain: the VOD / PPV wallet (portmonetka), its ledger and the purchases paid from
it (reads, batched for the DataLoaders); credits from settled top-ups, debits for purchases.

Every balance change is one conditional UPDATE of ``wallet.balance`` plus one ledger row with the
balance it produced, in the same transaction. The UPDATE holds the wallet row (PostgreSQL) or the
database write lock (SQLite) until commit, so the balance read back right after it is exactly
the one this change produced, and concurrent changes queue up behind each other. A debit only
happens ``WHERE balance >= price``, so the balance never goes negative (a CHECK backs this up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.i18n import translate
from backend.models import (
    Customer,
    DeviceCommand,
    Purchase,
    Service,
    Title,
    Wallet,
    WalletTransaction,
)
from backend.models.enums import (
    AuditKind,
    CommandKind,
    CommandStatus,
    ServiceKind,
    ServiceStatus,
    WalletTransactionKind,
)
from backend.services import audit, catalog, outbox, provisioning
from backend.services.batch import group
from backend.services.errors import DomainError, ErrorCode
from backend.services.money import format_money
from backend.services.notices import notify_of
from backend.services.outbox import EventType
from backend.services.ownership import visible
from backend.services.paging import Keyset, Page, paginate
from backend.services.request import RequestMeta

WALLET_TRANSACTIONS = Keyset("wallet-transactions", (("created_at", "datetime"), ("id", "int")))


async def wallet(customer_id: int) -> Wallet | None:
    return await visible(Wallet, customer_id).first()


async def wallet_transactions_page(
    customer_id: int, *, first: int | None = None, after: str | None = None
) -> Page[WalletTransaction]:
    query = visible(WalletTransaction, customer_id)
    return await paginate(query, WALLET_TRANSACTIONS, first=first, after=after)


async def purchases(customer_id: int) -> list[Purchase]:
    return list(await visible(Purchase, customer_id).order_by("-created_at", "-id"))


async def purchases_by_title(customer_id: int, ids: Sequence[int]) -> dict[int, list[Purchase]]:
    rows = await visible(Purchase, customer_id).filter(title_id__in=ids).order_by("-created_at")
    return group(rows, "title_id")


async def purchase_by_transaction(customer_id: int, ids: Sequence[int]) -> dict[int, Purchase]:
    rows = await visible(Purchase, customer_id).filter(transaction_id__in=ids)
    return {p.transaction_id: p for p in rows}


def purchase_is_active(purchase: Purchase) -> bool:
    """Whether the customer can still watch what they bought (no end, or the end is ahead)."""
    return purchase.available_until is None or purchase.available_until > now()


def active_purchases() -> Q:
    """``purchase_is_active`` as a filter on ``Purchase``."""
    return Q(available_until__isnull=True) | Q(available_until__gt=now())


async def ensure_wallet(customer_id: int) -> Wallet:
    """The customer's wallet, created empty on first use (safe under concurrent first uses)."""
    wallet = await Wallet.get_or_none(customer_id=customer_id)
    if wallet is not None:
        return wallet
    try:
        async with in_transaction():  # a savepoint when nested, so a lost race is harmless
            return await Wallet.create(customer_id=customer_id, balance=0)
    except IntegrityError:
        return await Wallet.get(customer_id=customer_id)


async def credit(
    wallet_id: int,
    amount: int,
    *,
    kind: WalletTransactionKind,
    description: str,
    payment_id: int | None = None,
) -> WalletTransaction:
    """Add ``amount`` (> 0); call inside the transaction that justifies the credit."""
    assert amount > 0
    await Wallet.filter(id=wallet_id).update(balance=F("balance") + amount, updated_at=now())
    wallet = await Wallet.get(id=wallet_id)
    return await WalletTransaction.create(
        wallet_id=wallet_id,
        kind=kind,
        amount=amount,
        balance_after=wallet.balance,
        description=description[:200],
        payment_id=payment_id,
        created_at=now(),
    )


@dataclass(frozen=True)
class PurchaseResult:
    purchase: Purchase
    wallet: Wallet


async def purchase_title(
    settings: Settings, customer_id: int, title_id: int, *, meta: RequestMeta
) -> PurchaseResult:
    """Buy a VOD rental or a PPV ticket from the wallet (one function for both kinds), and in
    the same transaction tell the operator (``title.purchased``), give the title to the card
    of each active satellite-TV service (``_entitle_title``) and audit it (``WALLET_PURCHASE``):
    all or nothing, so a failed write charges nothing and a retry buys once."""
    title = await Title.get_or_none(id=title_id)
    if title is None:
        raise DomainError(ErrorCode.NOT_FOUND, "title_id")
    if not catalog.on_sale(title):
        raise DomainError(ErrorCode.TITLE_NOT_AVAILABLE, "title_id")
    if await _has_active_purchase(customer_id, title.id):
        raise DomainError(ErrorCode.ALREADY_PURCHASED, "title_id")
    wallet = await ensure_wallet(customer_id)
    customer = await Customer.get(id=customer_id)
    at = now()
    async with in_transaction():
        debited = await Wallet.filter(id=wallet.id, balance__gte=title.price).update(
            balance=F("balance") - title.price, updated_at=at
        )
        if not debited:
            balance = (await Wallet.get(id=wallet.id)).balance
            raise DomainError(
                ErrorCode.INSUFFICIENT_FUNDS,
                "title_id",
                {
                    "missing": format_money(title.price - balance, language=customer.language),
                    "missing_grosze": title.price - balance,
                },
            )
        # Checked again after the debit: the wallet row is ours now, so a concurrent purchase of the
        # same title has either committed (and is seen here) or waits for us.
        if await _has_active_purchase(customer_id, title.id):
            raise DomainError(ErrorCode.ALREADY_PURCHASED, "title_id")
        wallet = await Wallet.get(id=wallet.id)
        entry = await WalletTransaction.create(
            wallet_id=wallet.id,
            kind=WalletTransactionKind.PURCHASE,
            amount=-title.price,
            balance_after=wallet.balance,
            description=f"{title.kind.value.upper()}: {title.name}"[:200],
            created_at=at,
        )
        purchase = await Purchase.create(
            customer_id=customer_id,
            title=title,
            price=title.price,
            transaction=entry,
            created_at=at,
            available_until=catalog.watchable_until(title, at),
        )
        await _entitle_title(settings, customer, title, purchase)
        await audit.record(
            AuditKind.WALLET_PURCHASE,
            customer_id,
            meta,
            title=title.name,
            price=title.price,
        )
    return PurchaseResult(purchase=purchase, wallet=wallet)


async def _entitle_title(
    settings: Settings, customer: Customer, title: Title, purchase: Purchase
) -> None:
    """An ENTITLEMENT command (title code, until ``available_until``) for the card of each of
    the customer's active satellite-TV services, the ``title.purchased`` event naming them, then
    the commands' ``device_command.requested`` events."""
    until = purchase.available_until.isoformat() if purchase.available_until else None
    details = {"titleCode": title.code, "until": until}
    commands: list[DeviceCommand] = []
    for service in await Service.filter(
        customer_id=customer.id, kind=ServiceKind.SATELLITE_TV, status=ServiceStatus.ACTIVE
    ).order_by("id"):
        command = await provisioning.request_entitlement(
            settings, service, details, purchase_id=purchase.id
        )
        if command is not None:
            commands.append(command)
    await outbox.emit(
        settings,
        EventType.TITLE_PURCHASED,
        customer.id,
        {
            "customerNumber": customer.number,
            "purchaseId": purchase.id,
            "titleCode": title.code,
            "titleName": title.name,
            "kind": title.kind.value,
            "price": purchase.price,
            "availableUntil": until,
            "commandIds": [provisioning.command_id(command.id) for command in commands],
        },
    )
    for command in commands:
        await provisioning.announce(settings, command)


async def refund_failed_purchase(
    settings: Settings, command: DeviceCommand
) -> WalletTransaction | None:
    """The title of ``command``'s purchase never reached a card: once every ENTITLEMENT command
    of the purchase (one per card) has FAILED, give its price back to the wallet (a REFUND entry,
    ``wallet.credit``), end the purchase now (no longer active: the title can be bought again),
    note the refund in ``command.details`` (``refund``: amount in grosze and the entry's id, what
    the customer's command status shows), tell the operator (``title.refunded``) and the customer
    (a notice). Call it in the transaction that failed ``command``. Returns the REFUND entry,
    None while another card's command may still succeed or did (the customer has the title)."""
    assert command.purchase_id is not None
    # Touching the purchase row serialises the failures of its commands (a row lock on
    # PostgreSQL, the write lock on SQLite): the last one to fail sees all the others failed.
    await Purchase.filter(id=command.purchase_id).update(price=F("price"))
    statuses = await DeviceCommand.filter(
        purchase_id=command.purchase_id, kind=CommandKind.ENTITLEMENT
    ).values_list("status", flat=True)
    if any(status != CommandStatus.FAILED for status in statuses):
        return None
    purchase = await Purchase.get(id=command.purchase_id).prefetch_related(
        "title", "customer", "transaction"
    )
    customer: Customer = purchase.customer
    title: Title = purchase.title
    at = now()
    if purchase_is_active(purchase):
        await Purchase.filter(id=purchase.id).update(available_until=at)
    if purchase.price <= 0:
        return None
    account = await ensure_wallet(customer.id)
    description = translate(
        "wallet.refund", customer.language, purchase=purchase.transaction.description
    )
    entry = await credit(
        account.id, purchase.price, kind=WalletTransactionKind.REFUND, description=description
    )
    details = {
        **(command.details or {}),
        "refund": {"amount": purchase.price, "transactionId": entry.id},
    }
    await DeviceCommand.filter(id=command.id).update(details=details)
    code = (command.details or {}).get("reasonCode")
    await outbox.emit(
        settings,
        EventType.TITLE_REFUNDED,
        customer.id,
        {
            "customerNumber": customer.number,
            "purchaseId": purchase.id,
            "titleCode": title.code,
            "amount": purchase.price,
            "commandId": provisioning.command_id(command.id),
            "reasonCode": code,
            "refundedAt": at.isoformat(),
        },
    )
    money = format_money(purchase.price, language=customer.language)
    await notify_of(settings, customer, "title_refunded", title=title.name, amount=money)
    return entry


async def _has_active_purchase(customer_id: int, title_id: int) -> bool:
    return await Purchase.filter(
        active_purchases(),
        customer_id=customer_id,
        title_id=title_id,
    ).exists()


async def ledger_sum(wallet_id: int) -> int:
    """The sum of the wallet's ledger in grosze (must equal the balance): the invariant the
    tests and ``bench/settlement.py`` check."""
    return sum(t.amount for t in await WalletTransaction.filter(wallet_id=wallet_id))
