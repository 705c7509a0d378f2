"""Subscriptions: a package on a service from a start day, keyed as
``"{service_identifier}/{package_code}/{starts_on}"`` (one subscription per service, package and
start day), e.g. ``"600100200/NET-100/2026-01-01"``.

What a subscription costs is ``monthly_price`` (grosze); when the operator leaves it out it is
the package's price at the time of writing, so resending the item without a price follows the
package's price. An accepted offer's promotional price (set in the portal) is left as it is.
When a subscription is active is ``backend.services.subscriptions.is_active``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from backend.models import Package, Service, Subscription
from backend.models.enums import ServiceKind
from backend.services.errors import ErrorCode
from backend.services.feed.catalogue import CODE_MAX
from backend.services.feed.contracts import SCOPE, ends_on, identifier
from backend.services.feed.engine import FeedRun, Problems
from backend.services.feed.reader import Reader
from backend.services.feed.rows import RowKind, refs, unknown


@dataclass
class SubscriptionItem:
    service_identifier: str
    package_code: str
    starts_on: date
    ends_on: date | None
    monthly_price: int | None
    """Grosze; None until ``resolve`` sets the package's price when the item has none."""
    service_id: int = 0
    package_id: int = 0


def split_key(key: str) -> tuple[str, str, date]:
    """The service identifier, package code and start day of a subscription key (the
    identifier has no "/", the day is the last part, the code is what lies between)."""
    service_identifier, rest = key.split("/", 1)
    package_code, day = rest.rsplit("/", 1)
    return service_identifier, package_code, date.fromisoformat(day)


class Subscriptions(RowKind[SubscriptionItem, Subscription]):
    """``subscription``: serviceIdentifier, packageCode, startsOn, endsOn (optional, not before
    startsOn), monthlyPrice (grosze, default: the package's price). The package must be made for
    the service's kind (SERVICE_KIND_MISMATCH). Scope ``customers:write``."""

    name = "subscription"
    key_fields = ("service_identifier", "package_code", "starts_on")
    scope = SCOPE
    model = Subscription
    columns = ("ends_on", "monthly_price")

    def read(self, reader: Reader) -> SubscriptionItem:
        service_identifier = identifier(reader, "service_identifier")
        package_code = reader.text("package_code", CODE_MAX)
        starts_on = reader.day("starts_on")
        return SubscriptionItem(
            service_identifier=service_identifier or "",
            package_code=package_code,
            starts_on=starts_on or date.min,
            ends_on=ends_on(reader, starts_on),
            monthly_price=reader.integer("monthly_price", required=False),
        )

    def key(self, item: SubscriptionItem) -> str:
        return f"{item.service_identifier}/{item.package_code}/{item.starts_on.isoformat()}"

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, SubscriptionItem]], problems: Problems
    ) -> None:
        services = await refs(
            run,
            Service,
            "identifier",
            (item.service_identifier for _, item in items),
            "service",
            "kind",
        )
        packages = await refs(
            run,
            Package,
            "code",
            (item.package_code for _, item in items),
            "package",
            "service_kind",
            "monthly_price",
        )
        for index, item in items:
            service = services.get(item.service_identifier)
            package = packages.get(item.package_code)
            if service is None:
                unknown(problems, index, "service_identifier", "service", item.service_identifier)
            if package is None:
                unknown(problems, index, "package_code", "package", item.package_code)
            if service is None or package is None:
                continue
            item.service_id, item.package_id = service.id, package.id
            if service.values and package.values and service.values[0] != package.values[0]:
                problems.add(
                    index,
                    ErrorCode.SERVICE_KIND_MISMATCH,
                    "package_code",
                    package_kind=ServiceKind(package.values[0]).name,
                    service_kind=ServiceKind(service.values[0]).name,
                )
            if item.monthly_price is None:
                # (a package a dry run would create has no price yet: nothing is written then)
                item.monthly_price = int(package.values[1]) if package.values else 0

    async def stored(self, keys: Sequence[str]) -> Mapping[str, Subscription]:
        parts = [split_key(key) for key in keys]
        if not parts:
            return {}
        rows = await Subscription.filter(
            service__identifier__in=sorted({p[0] for p in parts}),
            package__code__in=sorted({p[1] for p in parts}),
            starts_on__in=sorted({p[2] for p in parts}),
        ).select_related("service", "package")
        wanted = set(keys)
        return {
            key: row
            for row in rows
            if (key := f"{row.service.identifier}/{row.package.code}/{row.starts_on.isoformat()}")
            in wanted
        }

    def inserted(self, item: SubscriptionItem) -> dict[str, Any]:
        return {
            "service_id": item.service_id,
            "package_id": item.package_id,
            "starts_on": item.starts_on,
        }
