"""``upsertCustomers``: the operator's customers, keyed by customer number."""

from __future__ import annotations

import strawberry

from backend.operator.context import OperatorInfo
from backend.operator.feed import FeedPayload, upsert
from backend.operator.permissions import requires
from backend.schema.enums import Language
from backend.schema.mutation import mutation
from backend.services.operator_keys import Scope


@strawberry.input(description="A customer of the operator, keyed by its customer number.")
class CustomerInput:
    number: str = strawberry.field(description="The operator's customer number (at most 16).")
    first_name: str
    last_name: str
    pesel: str = strawberry.field(
        description="11 digits; only its keyed hash and a masked form are stored, never the number."
    )
    email: str | None = None
    phone: str | None = strawberry.field(default=None, description="A Polish number.")
    street: str | None = None
    postal_code: str | None = strawberry.field(default=None, description="NN-NNN.")
    city: str | None = None
    language: Language | None = strawberry.field(
        default=None, description="The customer's language for e-mails (default PL)."
    )
    consent_email: bool | None = None
    consent_sms: bool | None = None
    consent_phone: bool | None = None


@strawberry.input
class UpsertCustomersInput:
    items: list[CustomerInput] = strawberry.field(description="At most 500 customers.")
    dry_run: bool = strawberry.field(default=False, description="Check only, write nothing.")


@strawberry.type
class Mutation:
    @mutation(
        description="Create or update customers by customer number (scope customers:write).",
        permission_classes=[requires(Scope.CUSTOMERS_WRITE)],
    )
    async def upsert_customers(
        self, info: OperatorInfo, input: UpsertCustomersInput
    ) -> FeedPayload:
        return await upsert(info, "customer", input.items, dry_run=input.dry_run)
