"""Demo data: a believable operator catalogue and four customers with different mixes.

``icok seed --demo`` loads it, and ``icok serve --demo`` does so when the database is empty.
The operator's part (catalogue, customers, contracts, services, devices, subscriptions) is the
JSON Lines file ``demo.jsonl``, imported through ``icok import``'s path (``backend.demo.feed``
says how its dates follow the day it is loaded); the rest is written after it, per customer,
by ``customers.py``. Seeding is idempotent: the imported objects are keyed by the operator's
keys (a re-run finds them unchanged), the rest is written once per customer (until they have a
wallet), and the whole run is one transaction, so running it twice (or after a crash) never
leaves duplicates or half a customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.demo import feed
from backend.demo.announcements import seed_announcements
from backend.demo.catalogue import PACKAGES, TITLES, load_catalogue
from backend.demo.customers import pesel_of, seed_customer
from backend.demo.people import CUSTOMERS, DEMO_EMAIL, DEMO_PASSWORD, CustomerSpec
from backend.models import Customer, Package
from backend.models.enums import ServiceKind

__all__ = [
    "CUSTOMERS",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "DemoSummary",
    "ReadyToRegister",
    "database_is_empty",
    "pesel_of",
    "seed_demo",
]

_KIND_LABELS = {
    ServiceKind.SATELLITE_TV: "decoder card",
    ServiceKind.INTERNET: "internet number",
    ServiceKind.MOBILE_TV: "mobile-TV number",
}


@dataclass(frozen=True)
class ReadyToRegister:
    """A demo customer without a web account: what to type into the registration form."""

    name: str
    situation: str
    identifier: str
    identifier_kind: str
    pesel: str


@dataclass(frozen=True)
class DemoSummary:
    created_customers: int
    customers: int
    packages: int
    titles: int
    login_email: str = DEMO_EMAIL
    login_password: str = DEMO_PASSWORD
    ready_to_register: list[ReadyToRegister] = field(default_factory=list)

    def describe(self) -> str:
        """The text ``icok seed --demo`` prints: what was loaded and how to get in."""
        if self.created_customers:
            head = (
                f"Demo data loaded: {self.created_customers} customer(s), "
                f"{self.packages} packages, {self.titles} VOD titles and PPV events."
            )
        else:
            head = "Demo data already present: nothing to add."
        lines = [
            head,
            "",
            "Log in (confirmed account, customer Anna Kowalska):",
            f"  e-mail:   {self.login_email}",
            f"  password: {self.login_password}",
            "",
            "Ready to register (service identifier + PESEL):",
        ]
        for row in self.ready_to_register:
            lines.append(
                f"  {row.name:<20} {row.identifier_kind:<17} {row.identifier:<13} "
                f"PESEL {row.pesel}  ({row.situation})"
            )
        return "\n".join(lines)


_SITUATIONS = {
    "A": "satellite TV only",
    "B": "TV + internet + mobile TV",
    "C": "overdue invoices, TV suspended for debt",
    "D": "contract ends within 30 days",
}


def ready_to_register() -> list[ReadyToRegister]:
    rows = []
    for spec in CUSTOMERS:
        if spec.has_account:
            continue
        for service in spec.services:
            rows.append(_ready(spec, service.kind, service.identifier))
    return rows


def _ready(spec: CustomerSpec, kind: ServiceKind, identifier: str) -> ReadyToRegister:
    return ReadyToRegister(
        name=f"{spec.first_name} {spec.last_name}",
        situation=_SITUATIONS.get(spec.key, ""),
        identifier=identifier,
        identifier_kind=_KIND_LABELS[kind],
        pesel=pesel_of(spec),
    )


async def database_is_empty() -> bool:
    """True when there is neither a customer nor a catalogue (a brand-new database)."""
    return not await Customer.exists() and not await Package.exists()


async def seed_demo(settings: Settings) -> DemoSummary:
    """Load the demo catalogue and customers; whatever already exists is left as it is.
    Raises ``RuntimeError`` when the feed refuses a line of ``demo.jsonl`` (nothing is kept)."""
    created = 0
    async with in_transaction():
        await feed.load(settings)
        catalogue = await load_catalogue()
        await seed_announcements(catalogue.packages)
        for spec in CUSTOMERS:
            if await seed_customer(spec, catalogue, settings):
                created += 1
    return DemoSummary(
        created_customers=created,
        customers=len(CUSTOMERS),
        packages=len(PACKAGES),
        titles=len(TITLES),
        ready_to_register=ready_to_register(),
    )
