"""``mutation``: the one way to declare a mutation (Saleor's base mutation, as a decorator), and
``payload_field`` for the rare query that answers with a payload and ``errors`` too.

A resolver decorated with :func:`mutation` parses its input, calls services and returns its
payload for success; it never catches expected failures. A ``DomainError`` or
``ValidationErrors`` it raises becomes ``Payload(errors=[...])``: the payload type is the
resolver's return annotation, its other fields keep their defaults (null, ``ok`` false), and the
errors are translated into the request's language with their ``field`` named as in the GraphQL
input (services name their own snake_case parameters: see :func:`backend.schema.errors.input_field`).

    @mutation(description="...", permission_classes=AUTH)
    async def add_package(self, info: Info, input: AddPackageInput) -> AddPackagePayload:
        ctx = info.context
        added = await subscriptions.add_package(ctx.settings, ctx.viewer_id, ..., meta=ctx.meta)
        return AddPackagePayload(subscription=..., errors=[])

The resolver's parameters must include ``info: Info``. The logged-in customer is
``info.context.viewer_id`` (and the session ``info.context.require_auth()``); who is asking is
``info.context.meta``, passed to the services that audit or notify.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import strawberry

from backend.schema.context import Context
from backend.schema.errors import to_user_errors
from backend.services.errors import DomainError, ValidationErrors

P = TypeVar("P")
Resolver = Callable[..., Awaitable[P]]


def mutation(
    *, fields: Mapping[str, str] | None = None, **options: Any
) -> Callable[[Resolver[Any]], Any]:
    """``strawberry.mutation(**options)`` whose expected failures land in the payload's errors.

    ``fields`` maps a service's parameter name to the input field's name where the two differ
    in more than snake_case vs camelCase (e.g. ``{"password": "newPassword"}``).
    """
    return lambda resolver: strawberry.mutation(**options)(_errors_into_payload(resolver, fields))


def payload_field(
    *, fields: Mapping[str, str] | None = None, **options: Any
) -> Callable[[Resolver[Any]], Any]:
    """The same for a query field that answers with a payload and ``errors`` (``packageQuote``):
    ``strawberry.field(**options)``, expected failures into the payload."""
    return lambda resolver: strawberry.field(**options)(_errors_into_payload(resolver, fields))


def _errors_into_payload(
    resolver: Resolver[Any], fields: Mapping[str, str] | None
) -> Resolver[Any]:
    @functools.wraps(resolver)
    async def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return await resolver(*args, **kwargs)
        except (DomainError, ValidationErrors) as exc:
            context: Context = kwargs["info"].context
            payload = _payload_type(resolver)
            return payload(errors=to_user_errors(exc, context.language, fields))

    run.errors_into_payload = True  # type: ignore[attr-defined]  # checked by a test
    return run


@functools.cache
def _payload_type(resolver: Callable[..., Any]) -> type:
    return typing.get_type_hints(resolver)["return"]
