"""Builds the console schema (``POST /console/graphql``, SDL committed as ``console.graphql``).

Each part of the console contributes a ``Query`` and/or a ``Mutation`` type, registered with one
line in :data:`CONSOLE_QUERIES` / :data:`CONSOLE_MUTATIONS`; they are merged with the same limits,
error masking and error logging as the customer schema (:func:`backend.schema.merged_schema`).
Mutations are declared with ``backend.schema.mutation.mutation`` and
``permission_classes=[requires_role(StaffRole.X)]``; resolvers reach the staff member through
``info.context.staff`` (:class:`backend.console.context.ConsoleContext`).
"""

from __future__ import annotations

from typing import Any

import strawberry

from backend.console import accounts, customers, publishing, queue
from backend.schema import merged_schema, system
from backend.schema.limits import CONSOLE_BUDGETS

CONSOLE_QUERIES: list[type] = [
    system.Query,
    accounts.Query,
    customers.Query,
    publishing.Query,
    queue.Query,
]
CONSOLE_MUTATIONS: list[type] = [
    accounts.Mutation,
    customers.Mutation,
    publishing.Mutation,
    queue.Mutation,
]


def build_console_schema(*, production: bool) -> strawberry.Schema:
    """The console schema; ``production`` as for :func:`backend.schema.build_schema`."""
    return merged_schema(
        CONSOLE_QUERIES, CONSOLE_MUTATIONS, production=production, budget=_staff_budget
    )


def _staff_budget(context: Any) -> int:
    """A verified staff member's budget, or the anonymous one (:data:`CONSOLE_BUDGETS`)."""
    auth = getattr(context, "auth", None)
    known = auth is not None and auth.verified
    return CONSOLE_BUDGETS.known if known else CONSOLE_BUDGETS.anonymous
