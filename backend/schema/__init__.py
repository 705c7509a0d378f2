"""Builds the one GraphQL schema served to the SPA, mobile apps and GraphiQL.

Each domain package contributes a ``Query`` and/or a ``Mutation`` type; they are merged here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError, ValidationContext, ValidationRule
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from backend import db
from backend.i18n import DEFAULT_LANGUAGE, translate
from backend.schema import relay, system, viewer
from backend.schema.accounts import mutations as account_mutations
from backend.schema.accounts import queries as account_queries
from backend.schema.accounts import second_factor as account_second_factor
from backend.schema.billing import mutations as billing_mutations
from backend.schema.billing import queries as billing_queries
from backend.schema.catalog import queries as catalog_queries
from backend.schema.contact import mutations as contact_mutations
from backend.schema.customer import mutations as customer_mutations
from backend.schema.devices import mutations as device_mutations
from backend.schema.limits import CUSTOMER_BUDGETS, DocumentLimits, LimitsCache
from backend.schema.scalars import SCALAR_OVERRIDES
from backend.schema.subscriptions import mutations as subscription_mutations
from backend.schema.subscriptions import queries as subscription_queries
from backend.schema.wallet import mutations as wallet_mutations
from backend.services.errors import ErrorCode

QUERIES: list[type] = [
    system.Query,
    viewer.Query,
    account_queries.Query,
    relay.Query,
    catalog_queries.Query,
    subscription_queries.Query,
    billing_queries.Query,
]
MUTATIONS: list[type] = [
    account_mutations.Mutation,
    account_second_factor.Mutation,
    subscription_mutations.Mutation,
    device_mutations.Mutation,
    customer_mutations.Mutation,
    billing_mutations.Mutation,
    wallet_mutations.Mutation,
    contact_mutations.Mutation,
]

log = logging.getLogger("icok.graphql")

MAX_TOKENS = 4000
"""Tokens in a document (graphql-core's parser stops at the next one); the other limits on
documents are in :mod:`backend.schema.limits`."""


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask only errors raised by code (a bug); keep validation and permission messages."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not (error.extensions or {}).get("code")


_BAD_VARIABLE = re.compile(
    r"^(Variable '\$\w+' has invalid value(?: at (?:\.\w+|\[\d+\])+)?): (.*)$", re.S
)
"""graphql-core's message for a variable that does not fit its type: where (the variable and the
path in it, e.g. ``$input`` at ``.items[0].pesel``) and what is wrong, which often ends with the
value."""

# What is wrong, without the value: each pattern matches the start of graphql-core's (or
# strawberry's) reason and keeps only the part that names the schema's types and fields.
_VALUE_FREE_REASONS = [
    re.compile(r"Expected a value of non-null type '[^']+' to be provided"),
    re.compile(r"Expected value of non-null type '[^']+' not to be None"),
    re.compile(r"Expected value of type '[^']+' to be an object"),
    re.compile(r"Expected value of type '[^']+' to include required field '\w+'"),
    re.compile(r"Expected value of type '[^']+' not to include unknown field '\w+'"),
    re.compile(r"Expected value of type '[^']+'"),  # (a scalar's own error may quote the value)
    re.compile(r"(?:Int|Float|String|Boolean|ID|Enum '\w+') cannot represent [\w -]*?value"),
    re.compile(r"Value cannot represent a \w+"),  # strawberry's scalars (Date...)
    re.compile(r"Within OneOf Input Object type '\w+', exactly one field must be specified"),
]
_UNKNOWN_ENUM_VALUE = re.compile(r"^Value .* does not exist in '(\w+)' enum\.", re.S)


def without_value(message: str) -> str:
    """``message`` with a bad variable's value left out, e.g. "Variable '$input' has invalid
    value at .items[0].pesel: String cannot represent a non string value: 44051401359" becomes
    "... at .items[0].pesel: String cannot represent a non string value." (the path and the
    expected type stay). A reason not recognised is dropped whole; other messages are
    returned unchanged."""
    match = _BAD_VARIABLE.match(message)
    if not match:
        return message
    where, reason = match.groups()
    enum = _UNKNOWN_ENUM_VALUE.match(reason)
    if enum:  # (greedy: the last "does not exist in", graphql-core's own, after the value)
        return f"{where}: the value is not one of the enum '{enum.group(1)}'."
    for pattern in _VALUE_FREE_REASONS:
        kept = pattern.match(reason)
        if kept:
            return f"{where}: {kept.group(0)}."
    return f"{where}."


class HideSuggestions(ValidationRule):
    """Turns on graphql-core's ``hide_suggestions`` for the validation it is part of: no "Did you
    mean ...?" for an unknown field, argument, type name, enum value or input field.

    graphql-core reads the switch from the :class:`~graphql.ValidationContext` while visiting
    (every rule is made before the visit starts), and strawberry's ``validate`` call offers no
    way to pass it; this rule sets it when it is made."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        context._hide_suggestions = True  # (graphql-core 3.3: the property's own field)


def unavailable(error: GraphQLError, context: Any) -> None:
    """Turn ``error``, raised because the database is unavailable, into the coded, translated
    ``SERVICE_UNAVAILABLE`` (in the language of ``context.meta``, Polish without one): not a bug
    to mask or log with a traceback, and the driver's message never reaches the client. The
    outage is logged once (:data:`backend.db.incident`); the endpoint answers 503."""
    meta = getattr(context, "meta", None)
    language = getattr(meta, "language", None) or DEFAULT_LANGUAGE
    db.incident.report(error.original_error or error)
    error.message = translate(ErrorCode.SERVICE_UNAVAILABLE, language)
    error.extensions = {
        "code": ErrorCode.SERVICE_UNAVAILABLE.value,
        "retryAfterSeconds": db.RETRY_AFTER_SECONDS,
    }


class IcokSchema(strawberry.Schema):
    """The schema, with errors logged the way an operator can keep its logs.

    Strawberry logs every error at ERROR with its message. The messages of a client's mistakes
    (a malformed document, a variable of the wrong shape) quote the input, e.g. graphql-core's
    "Variable '$i' has invalid value: …, found: {'login': …, 'password': …}": a password or PESEL
    would land in the log, and an anonymous client could fill it. Here only errors raised by code
    (a bug, :func:`_is_unexpected`) are logged, with their traceback; a bad variable's message no
    longer repeats the value (:func:`without_value`), only where and what is wrong, in the answer
    too (on both endpoints: the operator schema is an ``IcokSchema`` as well).

    With ``hide_suggestions`` (production) validation's errors carry no hint about the schema
    ("Did you mean ...?", :class:`HideSuggestions`) on any endpoint built by
    :func:`merged_schema`; a bad variable's (coercion's) never do, in any mode
    (:func:`without_value` keeps only where and what is wrong)."""

    def __init__(self, *args: Any, hide_suggestions: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hide_suggestions = hide_suggestions

    def _create_execution_context(self, *args: Any, **kwargs: Any) -> ExecutionContext:
        context = super()._create_execution_context(*args, **kwargs)
        if self.hide_suggestions:
            context.validation_rules = (HideSuggestions, *context.validation_rules)
        return context

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            # (the errors are answered after this, so the answer has the new message too)
            error.message = without_value(error.message)
            if error.original_error is not None and db.is_unavailable(error.original_error):
                unavailable(error, getattr(execution_context, "context", None))
            elif _is_unexpected(error):
                log.error("unexpected error at %s", error.path, exc_info=error.original_error)


def merged_schema(
    queries: list[type],
    mutations: list[type],
    *,
    production: bool,
    budget: Callable[[Any], int],
) -> strawberry.Schema:
    """An :class:`IcokSchema` of the ``queries`` and ``mutations`` types merged, with the limits
    every ICOK schema has (tokens; shape and cost, :mod:`backend.schema.limits`, ``budget``
    giving a request's cost budget from its context; caches) and, in ``production``, no
    introspection, no suggestions (:class:`IcokSchema`) and bugs' messages masked. Used by the
    customer schema (:func:`build_schema`), the operator and the console schemas.

    No extension adds validation rules per request: strawberry's ``ValidationCache`` is keyed by
    the rules too, and a rule class made per request would never hit it."""
    extensions: list[Any] = [
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        partial(ParserCache, maxsize=512),
        partial(
            DocumentLimits, budget=budget, cache=LimitsCache(maxsize=512)
        ),  # (before the validation it guards)
        partial(ValidationCache, maxsize=512),
    ]
    if production:
        extensions += [DisableIntrospection, partial(MaskErrors, should_mask_error=_is_unexpected)]
    query = merge_types("Query", tuple(queries))
    mutation = merge_types("Mutation", tuple(mutations)) if mutations else None
    return IcokSchema(
        query=query,
        mutation=mutation,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
        scalar_overrides=SCALAR_OVERRIDES,
        hide_suggestions=production,
    )


def build_schema(*, production: bool) -> strawberry.Schema:
    """The customer schema (``/graphql``)."""
    return merged_schema(QUERIES, MUTATIONS, production=production, budget=_customer_budget)


def _customer_budget(context: Any) -> int:
    """A logged-in customer's budget, or the anonymous one (:data:`limits.CUSTOMER_BUDGETS`)."""
    known = getattr(context, "auth", None) is not None
    return CUSTOMER_BUDGETS.known if known else CUSTOMER_BUDGETS.anonymous
