"""Queries of the subscriptions domain (telecom services, contracts, packages): the price of
adding a package, before the customer agrees."""

from __future__ import annotations

from typing import Annotated

import strawberry

from backend.schema.context import Info
from backend.schema.errors import UserError
from backend.schema.mutation import payload_field
from backend.schema.permissions import IsAuthenticated
from backend.schema.relay import decode_id
from backend.schema.subscriptions.quote import PackageQuote
from backend.services import subscriptions


@strawberry.type
class PackageQuoteResult:
    quote: PackageQuote | None = None
    errors: list[UserError] = strawberry.field(
        description="Why the package cannot be added (the same codes addPackage would give)."
    )


@strawberry.type
class Query:
    @payload_field(
        description="What adding the package to the service would cost, or why it is not possible.",
        permission_classes=[IsAuthenticated],
    )
    async def package_quote(
        self,
        info: Info,
        service_id: strawberry.ID,
        package_id: strawberry.ID,
        offer_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="An offer (Offer) accepted with the package."),
        ] = None,
    ) -> PackageQuoteResult:
        quote = await subscriptions.quote(
            info.context.viewer_id,
            decode_id(service_id, "Service", field="serviceId"),
            decode_id(package_id, "Package", field="packageId"),
            decode_id(offer_id, "Offer", field="offerId") if offer_id is not None else None,
        )
        return PackageQuoteResult(quote=PackageQuote.from_quote(quote), errors=[])
