"""Devices (decoders, smart cards, modems, routers, SIM cards) keyed by their serial number.

A device belongs to a customer and may serve one of that customer's services. It may pass to
another customer (a returned leased decoder given to someone else): its command history stays
with the customer who sent the commands (``DeviceCommand.customer``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from backend.models import Device, Service
from backend.models.enums import DeviceKind, Ownership
from backend.services.errors import ErrorCode
from backend.services.feed.contracts import SCOPE, identifier, with_customers
from backend.services.feed.customers import NUMBER_MAX
from backend.services.feed.engine import FeedRun, Problems
from backend.services.feed.reader import Reader
from backend.services.feed.rows import RowKind, refs, unknown

SERIAL_MAX = 40
MODEL_MAX = 80


@dataclass
class DeviceItem:
    serial_number: str
    customer_number: str
    service_identifier: str | None
    kind: DeviceKind
    model: str
    ownership: Ownership
    installed_on: date
    customer_id: int = 0
    service_id: int | None = None
    """Both resolved from the operator's keys."""


class Devices(RowKind[DeviceItem, Device]):
    """``device``: serialNumber (≤40), customerNumber, serviceIdentifier (optional; a service
    of the same customer: DIFFERENT_CUSTOMER otherwise), kind (DECODER/SMART_CARD/MODEM/
    ROUTER/SIM_CARD), model (≤80), ownership (LEASED/OWNED), installedOn. Scope
    ``customers:write``."""

    name = "device"
    scope = SCOPE
    model = Device
    key_column = "serial_number"
    columns = ("customer_id", "service_id", "kind", "model", "ownership", "installed_on")

    def read(self, reader: Reader) -> DeviceItem:
        serial_number = reader.text("serial_number", SERIAL_MAX)
        customer_number = reader.text("customer_number", NUMBER_MAX)
        service_identifier = identifier(reader, "service_identifier", required=False)
        return DeviceItem(
            serial_number=serial_number,
            customer_number=customer_number,
            service_identifier=service_identifier,
            kind=reader.choice("kind", DeviceKind) or DeviceKind.DECODER,
            model=reader.text("model", MODEL_MAX),
            ownership=reader.choice("ownership", Ownership) or Ownership.LEASED,
            installed_on=reader.day("installed_on") or date.min,
        )

    async def resolve(
        self, run: FeedRun, items: Sequence[tuple[int, DeviceItem]], problems: Problems
    ) -> None:
        services = await refs(
            run,
            Service,
            "identifier",
            (item.service_identifier for _, item in items if item.service_identifier),
            "service",
            "customer_id",
        )
        for index, item in await with_customers(run, items, problems):
            if item.service_identifier is None:
                continue
            service = services.get(item.service_identifier)
            if service is None:
                unknown(problems, index, "service_identifier", "service", item.service_identifier)
                continue
            item.service_id = service.id
            # (a service a dry run would create has no stored customer to compare)
            if service.values and service.values[0] != item.customer_id:
                problems.add(
                    index,
                    ErrorCode.DIFFERENT_CUSTOMER,
                    "service_identifier",
                    key=item.service_identifier,
                    kind=self.name,
                )
