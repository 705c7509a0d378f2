"""Cursor connections (Relay): ``edges { cursor node }``, ``nodes``, ``pageInfo``, ``totalCount``.

Pages come from ``services.paging`` (keyset pagination, bounded page size); this module only
shapes them for GraphQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Generic, TypeAlias, TypeVar

import strawberry
from tortoise.models import Model

from backend.models.enums import Language
from backend.schema.query_errors import guarded
from backend.services.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page

T = TypeVar("T")
R = TypeVar("R", bound=Model)

FIRST_HELP = f"Page size: {DEFAULT_PAGE_SIZE} by default, at most {MAX_PAGE_SIZE}."
AFTER_HELP = "The endCursor of the previous page."

First: TypeAlias = Annotated[int | None, strawberry.argument(description=FIRST_HELP)]
After: TypeAlias = Annotated[str | None, strawberry.argument(description=AFTER_HELP)]


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="All items matching the filter.")

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def to_connection(page: Page[R], convert: Callable[[R], T]) -> Connection[T]:
    edges = [
        Edge(cursor=cursor, node=convert(row))
        for row, cursor in zip(page.rows, page.cursors, strict=True)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        total_count=page.total_count,
    )


async def connection(
    language: Language, fetch: Callable[[], Awaitable[Page[R]]], convert: Callable[[R], T]
) -> Connection[T]:
    """Fetch a page (bad cursors and page sizes become coded GraphQL errors) and shape it."""
    return to_connection(await guarded(language, fetch), convert)
