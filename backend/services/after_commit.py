"""Work that follows a committed change (a notice in the inbox, a status read back): it must
never turn the done change into an error for the customer. The change, its audit event and its
outbox event commit together (``in_transaction()``); what comes after goes through
:func:`attempt`, which logs a failure (one WARNING line with the reason) and carries on."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


async def attempt(what: str, work: Awaitable[T]) -> T | None:
    """Await ``work`` (``what`` names it in the log, e.g. "the notice of package 12"): its
    result, or None when it raised (logged at WARNING in one line, exception type and message;
    never re-raised: the change it follows has been committed)."""
    try:
        return await work
    except Exception as exc:
        log.warning("after commit: %s failed: %s: %s", what, type(exc).__name__, exc)
        return None
