"""Webhook delivery: the outbox's events go to each of the operator's endpoints, signed per the
Standard Webhooks spec, retried with backoff, at least once and in order per customer.

Each :class:`~backend.models.EventDelivery` (one per event and endpoint, written by
:func:`backend.services.outbox.emit`) moves ``PENDING → SENDING → DELIVERED``, back to ``PENDING``
after a failed attempt, or to ``DEAD`` after the last one (``webhook_max_attempts``).

- **Claim.** A sender takes a delivery with a conditional UPDATE (``PENDING`` and due, or
  ``SENDING`` with an expired lease: its sender crashed) to ``SENDING`` with a lease
  (:func:`lease_for`) and ``attempts + 1``; only one of several instances wins each attempt,
  and only the winner of that attempt may record its outcome. A request starts only while it
  can end (``webhook_timeout_seconds``, in all) before the lease does, else the delivery goes
  back unattempted, so no two senders send the same attempt. A crash mid-send leaves the
  delivery ``SENDING`` until the lease ends, then it is sent again: at least once, deduplicated
  by the receiver on ``webhook-id``.
- **Order.** A delivery is due only when no earlier delivery (smaller event id) of the same
  customer to the same endpoint is still ``PENDING`` or ``SENDING``: a customer's events reach
  an endpoint in the order they happened, one at a time. A ``DEAD`` delivery no longer holds
  the later ones back.
- **Backoff.** After failed attempt ``n`` the next is due in ``webhook_backoff_seconds · 2^(n-1)``
  (capped at ``webhook_backoff_cap_seconds``, ±10 % jitter), or later when the receiver asks
  with ``Retry-After`` (at most the cap).
- **Request.** ``POST`` of the JSON body (:func:`body_of`) with the headers ``webhook-id`` (the
  event's uid), ``webhook-timestamp`` (Unix seconds of the attempt), ``webhook-signature``
  (``v1,<base64 HMAC-SHA256>`` from the ``standardwebhooks`` package); any 2xx answer delivers.
  Of the answer's body at most :data:`READ_LIMIT` bytes are read (streamed; the start of an
  error page is kept, decoded leniently).

:func:`deliver_due` is one pass (tests, ``bench/``); :class:`WebhookWorker` runs passes in the
app's lifespan. ``icok events list`` / ``retry`` use :func:`list_deliveries` / :func:`retry`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from standardwebhooks import Webhook
from tortoise.expressions import F, Q, RawSQL
from tortoise.transactions import in_transaction

from backend import db
from backend.clock import now
from backend.config import Settings, WebhookEndpoint
from backend.models import Event, EventDelivery
from backend.models.enums import DeliveryStatus
from backend.services import outbox
from backend.services.errors import DomainError, ErrorCode
from backend.services.text import displayable

log = logging.getLogger("icok.webhooks")

BATCH = 50
"""Deliveries claimed per pass."""
CONCURRENCY = 8
"""Requests in flight at once per sender."""
LEASE_MARGIN = timedelta(seconds=5)
ERROR_LENGTH = 300
"""Characters of an error (the receiver's answer included) kept."""
READ_LIMIT = 1024
"""Bytes of an answer's body read at most (a receiver's 1.5 GB error page is not read)."""

# 1 when an earlier delivery of the same customer to the same endpoint is still under way
# (PENDING or SENDING).
_BLOCKED = RawSQL(
    'CASE WHEN "event_delivery"."customer_id" IS NOT NULL AND EXISTS ('
    'SELECT 1 FROM "event_delivery" "earlier" '
    'WHERE "earlier"."endpoint" = "event_delivery"."endpoint" '
    'AND "earlier"."customer_id" = "event_delivery"."customer_id" '
    'AND "earlier"."event_id" < "event_delivery"."event_id" '
    "AND \"earlier\".\"status\" IN ('pending', 'sending')) THEN 1 ELSE 0 END"
)


def lease_for(settings: Settings) -> timedelta:
    """How long a claimed delivery belongs to its sender: twice the request timeout (the request
    and recording its outcome) and a margin; 25 s with the default timeout."""
    return timedelta(seconds=2 * settings.webhook_timeout_seconds) + LEASE_MARGIN


def _due(at: datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=at) | Q(
        status=DeliveryStatus.SENDING, lease_until__lt=at
    )


def backoff(
    settings: Settings, attempts: int, retry_after: float | None = None, *, jitter: bool = True
) -> timedelta:
    """The wait after failed attempt number ``attempts`` (1 for the first): the base doubled
    per attempt, capped, with ±10 % jitter; at least ``retry_after`` seconds (the receiver's
    ``Retry-After``), itself capped."""
    base = settings.webhook_backoff_seconds * 2 ** min(attempts - 1, 40)
    seconds = min(base, settings.webhook_backoff_cap_seconds)
    if jitter:
        seconds *= random.uniform(0.9, 1.1)  # spreading retries, not a secret
    if retry_after is not None:
        seconds = max(seconds, min(retry_after, settings.webhook_backoff_cap_seconds))
    return timedelta(seconds=seconds)


def retry_after_seconds(value: str | None, at: datetime) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date), None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - at).total_seconds())


def body_of(event: Event, customer_number: str | None) -> str:
    """The JSON a webhook carries: ``{"id": uid, "type", "version", "createdAt" (ISO 8601 UTC),
    "customerNumber" (absent for events about no customer), "data": the payload}``."""
    body: dict[str, Any] = {
        "id": event.uid,
        "type": event.type,
        "version": event.version,
        "createdAt": event.created_at.isoformat(),
    }
    if customer_number is not None:
        body["customerNumber"] = customer_number
    body["data"] = event.payload
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def signed_headers(endpoint: WebhookEndpoint, uid: str, body: str, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers for ``body`` sent at ``at``."""
    return {
        "content-type": "application/json",
        "webhook-id": uid,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(uid, at, body),
    }


async def claim(settings: Settings, *, limit: int = BATCH) -> list[EventDelivery]:
    """Take up to ``limit`` due deliveries (oldest event first, heads of their customer's line
    only) to configured endpoints for one attempt each; returns them with their event and its
    customer loaded. Concurrent callers never get the same delivery for the same attempt."""
    names = [endpoint.name for endpoint in settings.webhook_endpoints]
    if not names:
        return []
    at = now()
    candidates = (
        await EventDelivery.filter(_due(at), endpoint__in=names)
        .annotate(blocked=_BLOCKED)
        .filter(blocked=0)
        .order_by("event_id", "id")
        .limit(limit)
        .values("id")
    )
    won: list[int] = []
    async with in_transaction():  # one commit for the batch; rows locked in event order
        for row in candidates:
            delivery_id = int(row["id"])
            if await EventDelivery.filter(_due(at), id=delivery_id).update(
                status=DeliveryStatus.SENDING,
                lease_until=at + lease_for(settings),
                attempts=F("attempts") + 1,
            ):
                won.append(delivery_id)
    if not won:
        return []
    return list(
        await EventDelivery.filter(id__in=won)
        .prefetch_related("event__customer")
        .order_by("event_id", "id")
    )


@dataclass(frozen=True)
class Attempt:
    """What one request of a claimed delivery got: the answer's status (None when there was
    none), the error ("" for 2xx) and the receiver's ``Retry-After`` in seconds; ``sent``
    False when it was not made (the claim's lease was too close to its end)."""

    delivery: EventDelivery
    status_code: int | None = None
    error: str = ""
    retry_after: float | None = None
    sent: bool = True

    @property
    def ok(self) -> bool:
        return self.sent and self.status_code is not None and not self.error


async def _request(
    settings: Settings, client: httpx.AsyncClient, delivery: EventDelivery
) -> Attempt:
    """Make the claimed attempt's request, at most ``webhook_timeout_seconds`` in all; not at
    all when the lease would end before the request could (it then goes back unattempted)."""
    timeout = settings.webhook_timeout_seconds
    at = now()
    if delivery.lease_until is not None and at + timedelta(seconds=timeout) > delivery.lease_until:
        return Attempt(delivery, sent=False)
    endpoint = next(e for e in settings.webhook_endpoints if e.name == delivery.endpoint)
    event = delivery.event
    customer = event.customer
    body = body_of(event, customer.number if customer is not None else None)
    headers = {**signed_headers(endpoint, event.uid, body, at), "accept-encoding": "identity"}
    try:
        async with (
            asyncio.timeout(timeout),
            client.stream(
                "POST", endpoint.url, content=body.encode(), headers=headers, timeout=timeout
            ) as response,
        ):
            head = await _head(response)
    except (httpx.TimeoutException, TimeoutError):
        return Attempt(delivery, error=f"timeout after {timeout:g} s")
    except httpx.HTTPError as exc:
        return Attempt(
            delivery, error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        )
    if response.is_success:
        return Attempt(delivery, status_code=response.status_code)
    text = " ".join(head.decode("utf-8", "replace")[:ERROR_LENGTH].split())
    return Attempt(
        delivery,
        status_code=response.status_code,
        error=f"HTTP {response.status_code}" + (f": {text}" if text else ""),
        retry_after=retry_after_seconds(response.headers.get("retry-after"), at),
    )


async def _head(response: httpx.Response) -> bytes:
    """At most the first :data:`READ_LIMIT` bytes of the answer's body, as sent (the request
    asks for no compression). Reading stops there: the rest is never read, the connection is
    closed with the response; a body that ends within the limit leaves it for the next request."""
    head = b""
    async for chunk in response.aiter_raw():
        head += chunk
        if len(head) > READ_LIMIT:
            break
    return head[:READ_LIMIT]


def _storable(error: str) -> str:
    """An error as kept and shown by ``icok events list``: one line of what the receiver or the
    network said, control and bidi characters (NUL, terminal escapes) replaced, shortened."""
    return displayable(" ".join(error.split()))[:ERROR_LENGTH]


def _status_after(settings: Settings, attempt: Attempt) -> DeliveryStatus:
    if attempt.ok:
        return DeliveryStatus.DELIVERED
    if attempt.sent and attempt.delivery.attempts >= settings.webhook_max_attempts:
        return DeliveryStatus.DEAD
    return DeliveryStatus.PENDING


async def _record(settings: Settings, attempts: Sequence[Attempt]) -> None:
    """Record the outcomes in one transaction, each only while its claim is still that
    attempt's (``SENDING`` with the same ``attempts``): a sender whose lease ended and whose
    delivery was claimed again records nothing. Deliveries grouped by attempt and status code
    are marked delivered with one UPDATE."""
    done = now()
    delivered: dict[tuple[int, int | None], list[int]] = {}
    async with in_transaction():
        for attempt in attempts:
            delivery = attempt.delivery
            if attempt.ok:
                delivered.setdefault((delivery.attempts, attempt.status_code), []).append(
                    delivery.id
                )
                continue
            mine = EventDelivery.filter(
                id=delivery.id, status=DeliveryStatus.SENDING, attempts=delivery.attempts
            )
            if not attempt.sent:  # back in line, the attempt not spent
                await mine.update(
                    status=DeliveryStatus.PENDING,
                    attempts=delivery.attempts - 1,
                    lease_until=None,
                    next_attempt_at=done,
                )
                continue
            status = _status_after(settings, attempt)
            await mine.update(
                status=status,
                lease_until=None,
                next_attempt_at=done + backoff(settings, delivery.attempts, attempt.retry_after),
                last_status_code=attempt.status_code,
                last_error=_storable(attempt.error),
            )
            if status is DeliveryStatus.DEAD:
                log.warning(
                    "webhook %s to %s is dead after %d attempts: %s",
                    delivery.event.uid,
                    delivery.endpoint,
                    delivery.attempts,
                    attempt.error,
                )
        for (number, status_code), ids in delivered.items():
            await EventDelivery.filter(
                id__in=ids, status=DeliveryStatus.SENDING, attempts=number
            ).update(
                status=DeliveryStatus.DELIVERED,
                delivered_at=done,
                lease_until=None,
                last_status_code=status_code,
                last_error="",
            )


async def send(
    settings: Settings, client: httpx.AsyncClient, delivery: EventDelivery
) -> DeliveryStatus:
    """Make the claimed attempt of ``delivery`` (from :func:`claim`) and record its outcome;
    returns the status the outcome calls for (recorded only while the claim is still this
    attempt's)."""
    attempt = await _request(settings, client, delivery)
    await _record(settings, [attempt])
    return _status_after(settings, attempt)


async def deliver_due(
    settings: Settings,
    *,
    limit: int = BATCH,
    client: httpx.AsyncClient | None = None,
    concurrency: int = CONCURRENCY,
) -> int:
    """One pass: claim up to ``limit`` due deliveries, send them, at most ``concurrency`` at
    once (with ``client``, or a client made for this pass), and record the outcomes; returns
    how many were claimed."""
    claimed = await claim(settings, limit=limit)
    if not claimed:
        return 0
    gate = asyncio.Semaphore(concurrency)

    async def one(delivery: EventDelivery, http: httpx.AsyncClient) -> Attempt:
        async with gate:
            try:
                return await _request(settings, http, delivery)
            except Exception as exc:  # a bug, not the receiver: a failed attempt all the same
                log.exception("webhook delivery %s failed", delivery.id)
                return Attempt(delivery, error=f"internal error: {type(exc).__name__}")

    async with contextlib.AsyncExitStack() as stack:
        http = client
        if http is None:
            http = await stack.enter_async_context(httpx.AsyncClient())
        attempts = await asyncio.gather(*(one(delivery, http) for delivery in claimed))
    await _record(settings, attempts)
    return len(claimed)


class WebhookWorker:
    """Delivers webhooks in the background: passes back to back while they find work, else
    every ``interval`` seconds; one HTTP client for its lifetime."""

    def __init__(self, settings: Settings, *, interval: float = 0.25) -> None:
        self.settings = settings
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        limits = httpx.Limits(max_connections=CONCURRENCY * 2)
        async with httpx.AsyncClient(limits=limits, follow_redirects=False) as client:
            while True:
                await db.incident.check_recovery()
                try:
                    attempted = await deliver_due(self.settings, client=client)
                except Exception as exc:  # the database may be briefly unavailable: keep going
                    db.background_failure(log, "webhook pass", exc)
                    attempted = 0
                if not attempted:  # else a customer's next event may be due already
                    await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None and self.settings.webhook_endpoints:
            self._task = asyncio.create_task(self._loop(), name="icok-webhooks")

    async def stop(self) -> None:
        """Cancel the loop (an attempt cut short is sent again once its lease ends)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


@dataclass(frozen=True)
class DeliveryLine:
    """One event's delivery to one endpoint, as ``icok events list`` shows it (``endpoint``
    and ``status`` empty for an event without deliveries)."""

    uid: str
    type: str
    customer_number: str | None
    created_at: datetime
    endpoint: str
    status: str
    attempts: int
    last_error: str
    next_attempt_at: datetime | None


def _failing() -> Q:
    return Q(status=DeliveryStatus.DEAD) | Q(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], attempts__gt=0
    )


async def list_deliveries(*, failed: bool = False, limit: int = 50) -> list[DeliveryLine]:
    """The newest ``limit`` events with their deliveries (newest first); with ``failed`` only
    deliveries that are dead or have failed at least once and are not delivered yet."""
    if failed:
        deliveries = (
            await EventDelivery.filter(_failing())
            .prefetch_related("event__customer")
            .order_by("-event_id", "endpoint")
            .limit(limit)
        )
        return [_line(d.event, d) for d in deliveries]
    events = await Event.all().prefetch_related("customer").order_by("-id").limit(limit)
    deliveries = await EventDelivery.filter(event_id__in=[e.id for e in events]).order_by(
        "endpoint"
    )
    lines: list[DeliveryLine] = []
    for event in events:
        own = [d for d in deliveries if d.event_id == event.id]
        lines += [_line(event, d) for d in own] if own else [_line(event, None)]
    return lines[:limit]


def _line(event: Event, delivery: EventDelivery | None) -> DeliveryLine:
    return DeliveryLine(
        uid=event.uid,
        type=event.type,
        customer_number=event.customer.number if event.customer is not None else None,
        created_at=event.created_at,
        endpoint=delivery.endpoint if delivery else "",
        status=delivery.status.value if delivery else "",
        attempts=delivery.attempts if delivery else 0,
        last_error=delivery.last_error if delivery else "",
        next_attempt_at=delivery.next_attempt_at
        if delivery and delivery.status is DeliveryStatus.PENDING
        else None,
    )


@dataclass(frozen=True)
class Retried:
    """What :func:`retry` did: how many deliveries it made due now, and the events (uids, in
    the order given) that had no dead or pending delivery to re-send (delivered, being sent,
    or without endpoints)."""

    changed: int
    nothing_to_send: list[str]


async def retry(uids: Sequence[str]) -> Retried:
    """Make the dead or pending deliveries of the events ``uids`` due now (a dead one starts
    its attempts afresh); delivered and SENDING ones are left alone. Raises
    ``DomainError(NOT_FOUND, "uids", {"uid": ...})`` for the first unknown uid (malformed or
    over-long ones included), before changing anything."""
    wanted = list(dict.fromkeys(uids))
    well_formed = [uid for uid in wanted if outbox.is_uid(uid)]
    ids = dict(await Event.filter(uid__in=well_formed).values_list("uid", "id"))
    for uid in wanted:
        if uid not in ids:
            raise DomainError(ErrorCode.NOT_FOUND, "uids", {"uid": uid})
    at = now()
    events = list(ids.values())
    resendable = Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.DEAD])
    async with in_transaction():
        having = set(
            await EventDelivery.filter(resendable, event_id__in=events).values_list(
                "event_id", flat=True
            )
        )
        pending = await EventDelivery.filter(
            event_id__in=events, status=DeliveryStatus.PENDING
        ).update(next_attempt_at=at)
        dead = await EventDelivery.filter(event_id__in=events, status=DeliveryStatus.DEAD).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=at
        )
    return Retried(pending + dead, [uid for uid in wanted if ids[uid] not in having])
