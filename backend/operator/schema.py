"""Builds the operator schema (``POST /operator/graphql``, SDL committed as ``operator.graphql``).

Each kind of object the operator feeds contributes a ``Query`` and/or a ``Mutation`` type,
registered with one line in :data:`OPERATOR_QUERIES` / :data:`OPERATOR_MUTATIONS`; they are
merged with the same limits, error masking and error logging as the customer schema
(:func:`backend.schema.merged_schema`). Mutations are declared with
``backend.schema.mutation.mutation`` and ``permission_classes=[requires(Scope.X)]``
(:func:`backend.operator.permissions.requires`); resolvers reach the key through
``info.context.key`` (:class:`backend.operator.context.OperatorContext`).
"""

from __future__ import annotations

import strawberry

from backend.operator import (
    billing,
    catalogue,
    contact,
    contracts,
    customers,
    events,
    feed,
    keys,
    provisioning,
)
from backend.schema import merged_schema, system
from backend.schema.limits import OPERATOR_BUDGETS

OPERATOR_QUERIES: list[type] = [
    system.Query,
    keys.Query,
    events.Query,
]
OPERATOR_MUTATIONS: list[type] = [
    catalogue.Mutation,
    customers.Mutation,
    contracts.Mutation,
    billing.Mutation,
    contact.Mutation,
    provisioning.Mutation,
    feed.Mutation,
]


def build_operator_schema(*, production: bool) -> strawberry.Schema:
    """The operator schema; ``production`` as for :func:`backend.schema.build_schema`."""
    return merged_schema(
        OPERATOR_QUERIES,
        OPERATOR_MUTATIONS,
        production=production,
        budget=lambda context: OPERATOR_BUDGETS.known,  # (every request has an API key)
    )
