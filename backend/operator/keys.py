"""``apiKey``: the key a request is authenticated with (who am I, what may I do)."""

from __future__ import annotations

import strawberry

from backend.operator.context import OperatorInfo
from backend.services.operator_keys import scope_list


@strawberry.type(name="ApiKey", description="An operator API key (never the key itself).")
class ApiKeyType:
    name: str = strawberry.field(description="The name given when the key was created.")
    scopes: list[str] = strawberry.field(
        description="The scopes the key grants, e.g. customers:write (in a fixed order)."
    )


@strawberry.type
class Query:
    @strawberry.field(description="The API key this request is authenticated with.")
    def api_key(self, info: OperatorInfo) -> ApiKeyType:
        key = info.context.key
        return ApiKeyType(name=key.name, scopes=[str(scope) for scope in scope_list(key.scopes)])
