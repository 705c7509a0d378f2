"""The console's customers: the search box, the read-only customer view and, for supervisors,
who looked at a customer.

The customer view reuses the customer schema's own fields and types (``backend/schema/<domain>/
viewer.py`` mixins): the console sees exactly what the customer sees, read by the same
services and loaders, minus the login session, the dashboard and the offers. One request reads
one customer (``ConsoleContext.customer_id``, which the loaders filter on), and every look is
audited (``services.customer_lookup``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from backend.console.context import ConsoleInfo
from backend.console.permissions import requires_role
from backend.models import AuditEvent, Service
from backend.models.enums import ServiceKind, ServiceStatus, StaffRole
from backend.schema.activity.viewer import ActivityFields
from backend.schema.billing.viewer import BillingFields
from backend.schema.contact.viewer import ContactFields
from backend.schema.customer.viewer import CustomerFields
from backend.schema.devices.viewer import DeviceFields
from backend.schema.errors import UserError
from backend.schema.mutation import mutation, payload_field
from backend.schema.pagination import After, Connection, First, connection
from backend.schema.query_errors import guarded, query_error
from backend.schema.relay import from_global_id, to_global_id
from backend.schema.subscriptions.viewer import SubscriptionFields
from backend.schema.wallet.viewer import WalletFields
from backend.services import customer_lookup, second_factor
from backend.services.customer_lookup import SearchKind
from backend.services.errors import DomainError, ErrorCode

strawberry.enum(SearchKind, name="CustomerSearchKind")


@strawberry.type(description="A service in a search result.")
class FoundService:
    kind: ServiceKind
    identifier: str = strawberry.field(description="Card number (12 digits) or 9-digit number.")
    status: ServiceStatus

    @classmethod
    def from_model(cls, row: Service) -> FoundService:
        return cls(kind=row.kind, identifier=row.identifier, status=row.status)


@strawberry.type(description="A customer found by a search (open them with `customer(id:)`).")
class FoundCustomer:
    id: strawberry.ID
    customer_number: str
    full_name: str
    email: str | None = strawberry.field(description="The contact e-mail address.")
    login_email: str | None = strawberry.field(
        description="The web login's address (null: no account)."
    )
    services: list[FoundService]

    @classmethod
    def from_match(cls, match: customer_lookup.Match) -> FoundCustomer:
        c = match.customer
        return cls(
            id=to_global_id("Customer", c.id),
            customer_number=c.number,
            full_name=c.full_name,
            email=c.email,
            login_email=match.login_email,
            services=[FoundService.from_model(s) for s in match.services],
        )


@strawberry.type
class CustomerSearchResult:
    customers: list[FoundCustomer] = strawberry.field(default_factory=list)
    searched_by: list[SearchKind] = strawberry.field(
        default_factory=list, description="What the text was read as."
    )
    truncated: bool = strawberry.field(
        default=False,
        description=f"More than {customer_lookup.RESULTS_MAX} customers matched: say more.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(
    name="Customer",
    description="A customer's graph, read-only, as the customer sees it. Reading it is audited.",
)
class ConsoleCustomer(
    CustomerFields,
    SubscriptionFields,
    DeviceFields,
    BillingFields,
    WalletFields,
    ContactFields,
    ActivityFields,
):
    id: strawberry.ID

    @strawberry.field(description="Whether the customer's logins ask for a TOTP code.")
    async def second_factor_enabled(self) -> bool:
        return await second_factor.is_on_for(self.customer_id)


@strawberry.input
class TurnOffSecondFactorInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's ID.")


@strawberry.type
class TurnOffSecondFactorPayload:
    ok: bool = False
    errors: list[UserError]


@strawberry.type(description="A look at a customer's data by a staff member.")
class StaffView:
    at: datetime
    staff_id: int | None
    staff_name: str
    what: list[str] = strawberry.field(description="The parts looked at (fields of Customer).")

    @classmethod
    def from_model(cls, row: AuditEvent) -> StaffView:
        details: dict[str, Any] = row.details if isinstance(row.details, dict) else {}
        what = details.get("what", [])
        staff_id = details.get("staff")
        return cls(
            at=row.created_at,
            staff_id=staff_id if isinstance(staff_id, int) else None,
            staff_name=str(details.get("staff_name", "")),
            what=[what] if isinstance(what, str) else [str(w) for w in what],
        )


def _parts(selections: list[Any]) -> list[str]:
    """The names of the fields selected (through fragments too), in order, once each."""
    names: list[str] = []
    for item in selections:
        if isinstance(item, SelectedField):
            names.append(item.name)
        elif isinstance(item, FragmentSpread | InlineFragment):
            names.extend(_parts(item.selections))
    return list(dict.fromkeys(names))


def _pk(global_id: str) -> int | None:
    parsed = from_global_id(global_id)
    return parsed[1] if parsed is not None and parsed[0] == "Customer" else None


@strawberry.type
class Query:
    @payload_field(
        description="Find customers by customer number, name (prefix, any case and accents), "
        "e-mail, card / SIM / mobile-TV number or PESEL (matched by its hash, never shown). "
        "Audited.",
        permission_classes=[requires_role(StaffRole.AGENT)],
    )
    async def customer_search(self, info: ConsoleInfo, query: str) -> CustomerSearchResult:
        ctx = info.context
        found = await customer_lookup.search(ctx.settings, query, staff=ctx.staff, meta=ctx.meta)
        return CustomerSearchResult(
            customers=[FoundCustomer.from_match(m) for m in found.matches],
            searched_by=found.kinds,
            truncated=found.truncated,
        )

    @strawberry.field(
        description="One customer's graph by its ID (from customerSearch). Every look is "
        "audited with the parts selected; an ID of nothing (or of another type) is NOT_FOUND "
        "and audited as an attempt. One customer per request (ONE_CUSTOMER_PER_REQUEST).",
        permission_classes=[requires_role(StaffRole.AGENT)],
    )
    async def customer(self, info: ConsoleInfo, id: strawberry.ID) -> ConsoleCustomer:
        ctx = info.context
        pk = _pk(id)
        if pk is not None:  # claimed before any await: sibling fields run concurrently
            if ctx.customer_id not in (None, pk):
                error = DomainError(ErrorCode.ONE_CUSTOMER_PER_REQUEST, "id")
                raise query_error(error, ctx.language)
            ctx.customer_id = pk
        what = _parts(info.selected_fields[0].selections)
        row = await guarded(
            ctx.language,
            lambda: customer_lookup.open_customer(
                pk, what, staff=ctx.staff, meta=ctx.meta, raw_id=id
            ),
        )
        return ConsoleCustomer(customer_id=row.id, id=to_global_id("Customer", row.id))

    @strawberry.field(
        description="Who looked at the customer's data, newest first (supervisors).",
        permission_classes=[requires_role(StaffRole.SUPERVISOR)],
    )
    async def customer_views(
        self,
        info: ConsoleInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The customer's ID.")],
        first: First = None,
        after: After = None,
    ) -> Connection[StaffView]:
        pk = _pk(id)
        return await connection(
            info.context.language,
            lambda: customer_lookup.views_page(
                pk if pk is not None else 0, first=first, after=after
            ),
            StaffView.from_model,
        )


@strawberry.type
class Mutation:
    @mutation(
        description="Turn a customer's two-step verification off (a lost phone and no recovery "
        "codes; only after checking who is calling). Audited, the customer is told by e-mail "
        "(supervisors).",
        permission_classes=[requires_role(StaffRole.SUPERVISOR)],
    )
    async def turn_off_customer_second_factor(
        self, info: ConsoleInfo, input: TurnOffSecondFactorInput
    ) -> TurnOffSecondFactorPayload:
        ctx = info.context
        pk = _pk(input.customer_id)
        await second_factor.turn_off_for(pk or 0, ctx.staff, ctx.settings, ctx.meta)
        return TurnOffSecondFactorPayload(ok=True, errors=[])
