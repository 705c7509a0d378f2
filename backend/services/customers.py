"""Read side of the customer's relationship: profile, contracts, services, subscriptions, usage,
equipment. Batch functions take many parent IDs and run one query, so the GraphQL layer's
DataLoaders keep the number of statements independent of the number of rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from backend.clock import now, today
from backend.models import (
    Contract,
    Customer,
    Device,
    DeviceCommand,
    Service,
    ServiceUsage,
    Subscription,
)
from backend.models.enums import ServiceStatus
from backend.services.ownership import visible

M = TypeVar("M", bound=Model)
RECENT_COMMANDS = 5
RECENT_COMMANDS_WINDOW = timedelta(days=30)


def group(rows: Iterable[Any], key: str) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


async def related(query: QuerySet[Any], relation: str, target: QuerySet[M]) -> dict[int, list[M]]:
    """Many-to-many rows for the rows of ``query``, in exactly two statements whatever the
    data (Tortoise's ``prefetch_related`` skips its second query when nothing matched, which
    would make the statement count depend on the data): the pairs through a join, then the
    targets (from ``target``, which applies the ownership rule)."""
    pairs = await query.values_list("id", f"{relation}__id")
    wanted = {right for _, right in pairs if right is not None}
    found = {row.pk: row for row in await target.filter(id__in=sorted(wanted))}
    result: dict[int, list[M]] = defaultdict(list)
    for left, right in pairs:
        if right in found:
            result[left].append(found[right])
    return result


async def profile(customer_id: int) -> Customer:
    return await Customer.get(id=customer_id)


async def contracts(customer_id: int) -> list[Contract]:
    return list(await visible(Contract, customer_id).order_by("-signed_on", "-id"))


async def services(customer_id: int) -> list[Service]:
    return list(await visible(Service, customer_id).order_by("contract_id", "id"))


async def devices(customer_id: int) -> list[Device]:
    return list(await visible(Device, customer_id).order_by("installed_on", "id"))


async def services_by_contract(customer_id: int, ids: Sequence[int]) -> dict[int, list[Service]]:
    rows = await visible(Service, customer_id).filter(contract_id__in=ids).order_by("id")
    return group(rows, "contract_id")


async def subscriptions_by_service(
    customer_id: int, ids: Sequence[int]
) -> dict[int, list[Subscription]]:
    """All subscriptions (past, current, scheduled), oldest first."""
    rows = await (
        visible(Subscription, customer_id).filter(service_id__in=ids).order_by("starts_on", "id")
    )
    return group(rows, "service_id")


async def devices_by_service(customer_id: int, ids: Sequence[int]) -> dict[int, list[Device]]:
    rows = await visible(Device, customer_id).filter(service_id__in=ids).order_by("id")
    return group(rows, "service_id")


async def recent_commands_by_device(
    customer_id: int, ids: Sequence[int]
) -> dict[int, list[DeviceCommand]]:
    """The newest commands per device from the last 30 days (at most 5 each), newest first."""
    rows = await (
        visible(DeviceCommand, customer_id)
        .filter(device_id__in=ids, requested_at__gte=now() - RECENT_COMMANDS_WINDOW)
        .order_by("-requested_at", "-id")
    )
    return {k: v[:RECENT_COMMANDS] for k, v in group(rows, "device_id").items()}


async def current_usage_by_service(customer_id: int, ids: Sequence[int]) -> dict[int, ServiceUsage]:
    day = today()
    rows = await visible(ServiceUsage, customer_id).filter(
        service_id__in=ids, period_start__lte=day, period_end__gte=day
    )
    return {row.service_id: row for row in rows}  # type: ignore[attr-defined]


def days_remaining(contract: Contract, day: date | None = None) -> int | None:
    """Days until the contract's end (0 on its last day and after), None when indefinite."""
    if contract.ends_on is None:
        return None
    return max(0, (contract.ends_on - (day or today())).days)


class SubscriptionState(StrEnum):
    """How a subscription stands today (all derived from its dates)."""

    ACTIVE = "active"
    ENDING = "ending"  # active, but cancelled at a known date
    SCHEDULED = "scheduled"
    ENDED = "ended"


def subscription_state(sub: Subscription, day: date | None = None) -> SubscriptionState:
    day = day or today()
    if sub.starts_on > day:
        return SubscriptionState.SCHEDULED
    if sub.ends_on is not None and sub.ends_on < day:
        return SubscriptionState.ENDED
    if sub.ends_on is not None:
        return SubscriptionState.ENDING
    return SubscriptionState.ACTIVE


ON_STATES = (SubscriptionState.ACTIVE, SubscriptionState.ENDING)
"""The states in which the package is on (and is charged)."""


def is_active(sub: Subscription, day: date | None = None) -> bool:
    return subscription_state(sub, day) in ON_STATES


def monthly_total(subs: Iterable[Subscription], day: date | None = None) -> int:
    """What the active subscriptions cost per month (grosze)."""
    return sum(s.monthly_price for s in subs if is_active(s, day))


def service_is_open(service: Service) -> bool:
    return service.status is not ServiceStatus.TERMINATED
