"""Queries of the subscriptions domain (telecom services, contracts, packages): the price of
adding a package, before the customer agrees."""

from __future__ import annotations

import strawberry

from backend.schema.context import Info
from backend.schema.errors import UserError, to_user_errors
from backend.schema.permissions import IsAuthenticated
from backend.schema.relay import decode_id
from backend.schema.subscriptions.quote import PackageQuote
from backend.services import subscriptions
from backend.services.errors import DomainError


@strawberry.type
class PackageQuoteResult:
    quote: PackageQuote | None
    errors: list[UserError] = strawberry.field(
        description="Why the package cannot be added (the same codes addPackage would give)."
    )


@strawberry.type
class Query:
    @strawberry.field(
        description="What adding the package to the service would cost, or why it is not possible.",
        permission_classes=[IsAuthenticated],
    )
    async def package_quote(
        self, info: Info, service_id: strawberry.ID, package_id: strawberry.ID
    ) -> PackageQuoteResult:
        assert info.context.customer_id is not None
        try:
            quote = await subscriptions.quote(
                info.context.customer_id,
                decode_id(service_id, "Service", field="serviceId"),
                decode_id(package_id, "Package", field="packageId"),
            )
        except DomainError as exc:
            return PackageQuoteResult(quote=None, errors=to_user_errors(exc, info.context.language))
        return PackageQuoteResult(quote=PackageQuote.from_quote(quote), errors=[])
