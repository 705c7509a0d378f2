"""Contracts keyed by their number, the services they cover keyed by their identifier, and a
service's status alone (how the BSS suspends and restores a service without resending it).

A contract belongs to one customer for good, and a service to its contract's customer: it may
move to another contract of the same customer, never to another customer's (``Service``
duplicates its contract's customer for the ownership checks). A service's kind follows from
its identifier (a 12-digit card for satellite TV, a 9-digit phone number otherwise) and does
not change. ``suspended_at`` is the moment the portal learnt of the suspension: set when a
service becomes suspended, kept while it stays so (the reason may change), cleared when it is
restored or terminated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from backend.clock import now
from backend.models import Contract, Customer, Service
from backend.models.enums import ContractStatus, ServiceKind, ServiceStatus, SuspensionReason
from backend.services.errors import ErrorCode
from backend.services.feed.customers import NUMBER_MAX
from backend.services.feed.engine import FeedRun, Problems
from backend.services.feed.reader import Reader, normalised
from backend.services.feed.rows import RowKind, refs, unknown, update
from backend.services.identifiers import CARD_LENGTH, normalise_identifier

CONTRACT_NUMBER_MAX = 24
IDENTIFIER_MAX = 32
"""The identifier as sent, before normalising ("+48 600 100 200", "0048-600-100-200")."""
SERVICE_NAME_MAX = 80
SCOPE = "customers:write"


def ends_on(reader: Reader, start: date | None, name: str = "ends_on") -> date | None:
    """The optional last day ``name``, not before ``start``. Errors: INVALID_DATE,
    ENDS_BEFORE_START (param ``start``, ISO day)."""
    end = reader.day(name, required=False)
    if start is not None and end is not None and end < start:
        reader.errors.add(ErrorCode.ENDS_BEFORE_START, reader.path(name), start=start.isoformat())
    return end


def identifier(reader: Reader, name: str, *, required: bool = True) -> str | None:
    """A service identifier through ``identifiers.normalise_identifier`` (12-digit card or
    9-digit phone number: "+48 600 100 200" is "600100200"), None when absent or refused.
    Errors: REQUIRED, TOO_LONG, FORBIDDEN_CHARACTER, INVALID_IDENTIFIER."""
    return normalised(reader, name, IDENTIFIER_MAX, normalise_identifier, required=required)


class OfCustomer(Protocol):
    customer_number: str
    customer_id: int


C = TypeVar("C", bound=OfCustomer)


async def with_customers(
    run: FeedRun, items: Sequence[tuple[int, C]], problems: Problems
) -> list[tuple[int, C]]:
    """The ``items`` whose ``customer_number`` is a customer's, their ``customer_id`` set (in
    one query); the others get UNKNOWN_REFERENCE."""
    customers = await run.ids(
        Customer, "number", (item.customer_number for _, item in items), "customer"
    )
    known = []
    for index, item in items:
        customer_id = customers.get(item.customer_number)
        if customer_id is None:
            unknown(problems, index, "customer_number", "customer", item.customer_number)
        else:
            item.customer_id = customer_id
            known.append((index, item))
    return known


# --- contract ------------------------------------------------------------------------------------


@dataclass
class ContractItem:
    number: str
    customer_number: str
    signed_on: date
    ends_on: date | None
    status: ContractStatus
    customer_id: int = 0
    """Resolved from ``customer_number``."""


class Contracts(RowKind[ContractItem, Contract]):
    """``contract``: number (≤24), customerNumber, signedOn, endsOn (optional, not before
    signedOn), status (ACTIVE/ENDED/TERMINATED). Its customer cannot change
    (CANNOT_CHANGE). Scope ``customers:write``."""

    name = "contract"
    scope = SCOPE
    model = Contract
    key_column = "number"
    columns = ("signed_on", "ends_on", "status")

    def read(self, reader: Reader) -> ContractItem:
        number = reader.text("number", CONTRACT_NUMBER_MAX)
        customer_number = reader.text("customer_number", NUMBER_MAX)
        signed_on = reader.day("signed_on")
        return ContractItem(
            number=number,
            customer_number=customer_number,
            signed_on=signed_on or date.min,
            ends_on=ends_on(reader, signed_on),
            status=reader.choice("status", ContractStatus) or ContractStatus.ACTIVE,
        )

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, ContractItem]], problems: Problems
    ) -> None:
        owners = dict(
            await Contract.filter(number__in=[item.number for _, item in items]).values_list(
                "number", "customer__number"
            )
        )
        for index, item in await with_customers(run, items, problems):
            owner = owners.get(item.number)
            if owner is not None and owner != item.customer_number:
                problems.add(index, ErrorCode.CANNOT_CHANGE, "customer_number", current=owner)

    def inserted(self, item: ContractItem) -> dict[str, Any]:
        return {"number": item.number, "customer_id": item.customer_id}


# --- status (shared by service and service_status) ----------------------------------------------


def read_status(
    reader: Reader, *, required: bool
) -> tuple[ServiceStatus | None, SuspensionReason | None]:
    """``status`` (None when absent and not ``required``) and ``suspension_reason``, which is
    required with SUSPENDED and refused otherwise (SUSPENSION_REASON_NOT_ALLOWED)."""
    status = reader.choice("status", ServiceStatus, required=required)
    reason = reader.choice("suspension_reason", SuspensionReason, required=False)
    reason_sent = reader.data.get("suspension_reason") is not None
    if status is ServiceStatus.SUSPENDED:
        if not reason_sent:
            reader.errors.add(ErrorCode.REQUIRED, reader.path("suspension_reason"))
    elif reason_sent and (status is not None or reader.data.get("status") is None):
        reader.errors.add(ErrorCode.SUSPENSION_REASON_NOT_ALLOWED, reader.path("suspension_reason"))
    return status, reason


def suspended_at(status: ServiceStatus, row: Service | None) -> datetime | None:
    """When the service with the new ``status`` (stored as ``row``, None if new) was suspended:
    now when it becomes suspended, unchanged while it stays so, None otherwise."""
    if status is not ServiceStatus.SUSPENDED:
        return None
    if row is not None and row.status is ServiceStatus.SUSPENDED and row.suspended_at:
        return row.suspended_at
    return now()


STATUS_COLUMNS = ("status", "suspension_reason", "suspended_at")


def set_status(row: Service, status: ServiceStatus, reason: SuspensionReason | None) -> None:
    """Give ``row`` the new status and reason, and ``suspended_at`` to match (the attributes
    only: the caller writes ``STATUS_COLUMNS``)."""
    values = (status, reason, suspended_at(status, row))
    for name, value in zip(STATUS_COLUMNS, values, strict=True):
        setattr(row, name, value)


# --- service -------------------------------------------------------------------------------------


@dataclass
class ServiceItem:
    identifier: str
    contract_number: str
    kind: ServiceKind
    name: str
    status: ServiceStatus | None
    """None: the stored status and reason stay (a new service is ACTIVE)."""
    suspension_reason: SuspensionReason | None
    activated_on: date
    contract_id: int = 0
    customer_id: int = 0
    """Both resolved from ``contract_number`` (the service's customer is the contract's)."""


class Services(RowKind[ServiceItem, Service]):
    """``service``: identifier (normalised: 12-digit card or 9-digit phone number; the key),
    contractNumber, kind (SATELLITE_TV needs a card number, INTERNET/MOBILE_TV a phone
    number: IDENTIFIER_KIND_MISMATCH; it cannot change), name (≤80), status (optional: kept
    when absent, ACTIVE for a new service), suspensionReason (with SUSPENDED only),
    activatedOn. Scope ``customers:write``."""

    name = "service"
    scope = SCOPE
    model = Service
    key_column = "identifier"
    columns = ("contract_id", "name", "activated_on")

    def read(self, reader: Reader) -> ServiceItem:
        ident = identifier(reader, "identifier")
        contract_number = reader.text("contract_number", CONTRACT_NUMBER_MAX)
        kind = reader.choice("kind", ServiceKind)
        name = reader.text("name", SERVICE_NAME_MAX, required=False)
        status, reason = read_status(reader, required=False)
        activated_on = reader.day("activated_on")
        if ident and kind and (len(ident) == CARD_LENGTH) != (kind is ServiceKind.SATELLITE_TV):
            reader.errors.add(ErrorCode.IDENTIFIER_KIND_MISMATCH, reader.path("identifier"))
        return ServiceItem(
            identifier=ident or "",
            contract_number=contract_number,
            kind=kind or ServiceKind.SATELLITE_TV,
            name=name,
            status=status,
            suspension_reason=reason,
            activated_on=activated_on or date.min,
        )

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, ServiceItem]], problems: Problems
    ) -> None:
        contracts = await refs(
            run,
            Contract,
            "number",
            (item.contract_number for _, item in items),
            "contract",
            "customer_id",
        )
        stored = dict(
            (ident, (kind, customer_id))
            for ident, kind, customer_id in await Service.filter(
                identifier__in=[item.identifier for _, item in items]
            ).values_list("identifier", "kind", "customer_id")
        )
        for index, item in items:
            contract = contracts.get(item.contract_number)
            if contract is None:
                unknown(problems, index, "contract_number", "contract", item.contract_number)
                continue
            item.contract_id = contract.id
            item.customer_id = contract.values[0] if contract.values else 0
            if item.identifier not in stored:
                continue
            kind, customer_id = stored[item.identifier]
            if kind != item.kind:
                problems.add(index, ErrorCode.CANNOT_CHANGE, "kind", current=ServiceKind(kind).name)
            if contract.id and customer_id != item.customer_id:
                problems.add(
                    index,
                    ErrorCode.DIFFERENT_CUSTOMER,
                    "contract_number",
                    key=item.contract_number,
                    kind=self.name,
                )

    def differs(self, item: ServiceItem, row: Service) -> bool:
        return super().differs(item, row) or (
            item.status is not None
            and (row.status != item.status or row.suspension_reason != item.suspension_reason)
        )

    def inserted(self, item: ServiceItem) -> dict[str, Any]:
        status = item.status or ServiceStatus.ACTIVE
        return {
            "identifier": item.identifier,
            "customer_id": item.customer_id,
            "kind": item.kind,
            "status": status,
            "suspension_reason": item.suspension_reason,
            "suspended_at": suspended_at(status, None),
        }

    async def change(self, changed: Sequence[tuple[ServiceItem, Service]]) -> None:
        # A service sent without its status is written without it: no status read before a
        # concurrent service_status changed it is written back.
        await super().change([(item, row) for item, row in changed if item.status is None])
        with_status = [(item, row) for item, row in changed if item.status is not None]
        for item, row in with_status:
            for name, value in self.values(item).items():
                setattr(row, name, value)
            set_status(row, item.status or ServiceStatus.ACTIVE, item.suspension_reason)
        await update(Service, [row for _, row in with_status], self.columns + STATUS_COLUMNS)


# --- service_status ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusItem:
    identifier: str
    status: ServiceStatus
    suspension_reason: SuspensionReason | None


class ServiceStatuses(RowKind[StatusItem, Service]):
    """``service_status``: identifier (of a stored service: UNKNOWN_REFERENCE otherwise), status,
    suspensionReason (required with SUSPENDED, refused otherwise). Suspends, restores or
    terminates a service without resending it. Scope ``customers:write``.

    In a dry run, the status of a service the same run would create counts as ``created``."""

    name = "service_status"
    scope = SCOPE
    model = Service
    key_column = "identifier"
    columns = ("status", "suspension_reason")

    def read(self, reader: Reader) -> StatusItem:
        ident = identifier(reader, "identifier")
        status, reason = read_status(reader, required=True)
        return StatusItem(ident or "", status or ServiceStatus.ACTIVE, reason)

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, StatusItem]], problems: Problems
    ) -> None:
        found = await run.ids(
            Service, "identifier", (item.identifier for _, item in items), "service"
        )
        for index, item in items:
            if item.identifier not in found:
                unknown(problems, index, "identifier", "service", item.identifier)

    async def write(
        self, new: Sequence[StatusItem], changed: Sequence[tuple[StatusItem, Service]]
    ) -> None:
        # (nothing is new: resolve refused what is not stored, and services are never deleted)
        for item, row in changed:
            set_status(row, item.status, item.suspension_reason)
        await update(Service, [row for _, row in changed], STATUS_COLUMNS)
