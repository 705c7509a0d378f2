"""The general per-client request rate limit on the GraphQL endpoints (plain ASGI middleware).

Every request to ``/graphql``, ``/console/graphql`` and ``/operator/graphql`` is counted in a
fixed window of ``Settings.rate_limit_window_seconds`` (default 60 s) against one client:

* a caller whose credential this instance has seen accepted (a customer's session cookie or
  bearer token on ``/graphql``, a staff session cookie on ``/console/graphql``: limit
  ``rate_limit_session``; an operator API key on ``/operator/graphql``: ``rate_limit_operator``)
  is counted per credential (its SHA-256, never the credential itself);
* any other request (anonymous, or with a credential not yet seen accepted, so that inventing
  tokens gives no fresh allowance) is counted per address, ``backend.app.client_ip`` (behind a
  trusted proxy the client's address; IPv6 addresses per /64, what one host usually holds, but
  IPv4-mapped ones per IPv4 address: :func:`address_key`):
  limit ``rate_limit_anonymous``.

A request over its limit gets 429, ``Retry-After`` (whole seconds until the window ends) and a
GraphQL error ``RATE_LIMITED`` in the request's language, before its body is read. A limit of 0
turns that kind of counting off.

**The database unavailable**: a request whose count cannot be synced is not let through
uncounted (it would meet the outage in the app anyway, and an outage must not lift the limit):
the sync's error propagates to :class:`backend.middleware.DatabaseOutageMiddleware`, which
answers 503 ``SERVICE_UNAVAILABLE`` with ``Retry-After``; the bucket keeps the requests it
carried, for the next sync.

**Shared by all instances, without a database write per request.** Each instance keeps a bucket
per client in process and syncs it with the client's row in ``rate_limit`` (through
:func:`backend.services.ratelimit.hit`, which adds the requests counted since the last sync and
reads the shared total back): on the client's first request, then at most once per
:data:`SYNC_SECONDS` per client, and at once when the local estimate (the shared total last read
plus the requests since) would pass the limit. Once the shared total is over the limit the client
is refused from memory until the window ends. One sync per client at a time: while it is
under way, the requests it carries still count in the local estimate, and a request the estimate
cannot allow (or any, before the client's first sync answered) waits for its answer instead of
being judged on a stale total. Error bound: between syncs an instance does not see
the other instances' latest requests, so a client spreading requests over N instances can get
past the limit by at most what it sent the other N - 1 instances within one second (per window);
with one instance the limit is exact, however concurrent the requests (a burst of N + 50 gets
exactly N, ``tests/api/test_request_rate_limit.py``). Requests counted in a bucket that is forgotten before its
next sync (the window ended, or the bucket was evicted: at most :data:`MAX_BUCKETS` per instance)
are not added to the shared total.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.clock import now
from backend.config import Settings
from backend.http_errors import error_response
from backend.i18n import translate
from backend.paths import CONSOLE_GRAPHQL, CUSTOMER_GRAPHQL, GRAPHQL_PATHS
from backend.services import ratelimit
from backend.services.errors import ErrorCode

SYNC_SECONDS = 1.0
"""At most one sync with the database per client and instance in this time (see the module)."""
MAX_BUCKETS = 100_000
"""Clients an instance keeps a bucket for (the least recently seen is forgotten first)."""
_AUTHENTICATED = "rate_limit_authenticated"
"""The request scope's ``state`` entry an endpoint sets when it accepted the credential."""


def note_authenticated(scope: Scope) -> None:
    """Called by an endpoint that accepted the request's credential (a live session, a valid
    operator key): its next requests are counted per credential, not per address."""
    scope.setdefault("state", {})[_AUTHENTICATED] = True


def address_key(ip: str) -> str:
    """The part of an address counted as one client: IPv4 whole, IPv6 its /64 network, an
    IPv4-mapped IPv6 address (``::ffff:192.0.2.1``, RFC 4291 section 2.5.5.2: a dual-stack
    socket's IPv4 client) as its IPv4 address. Not an address: its first 64 characters."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclass
class _Bucket:
    ends: datetime
    """When the window ends (the shared row's, once synced)."""
    shared: int
    """The shared total at the last sync (this instance's synced requests included)."""
    synced_at: datetime
    pending: int = 0
    """Requests allowed since the last sync, not yet in the shared total."""
    blocked: bool = False
    """The shared total is over the limit: refuse until ``ends``."""
    syncing: asyncio.Event | None = None
    """Set when the sync under way ends; None when none is."""
    sending: int = 0
    """Requests the sync under way is adding to the shared total (in it once it ends)."""
    synced: bool = False
    """A sync has ended: ``shared`` was read from the database."""


class SharedLimiter:
    """Fixed-window counters per client, kept in process and synced to the database (see the
    module docstring for when, and for the error bound). One sync per client at a time: while
    it is under way a request is allowed from memory only if the estimate counting the requests
    being synced stays within the limit, else it waits for the sync's answer (exact in one
    process)."""

    def __init__(self, window: timedelta) -> None:
        self.window = window
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    async def take(self, key: str, limit: int) -> datetime | None:
        """Count one request of client ``key``: None when it is allowed, else the instant the
        window ends (when the client may ask again)."""
        while True:
            at = now()
            bucket = self._buckets.get(key)
            if bucket is not None and bucket.ends <= at and bucket.syncing is None:
                del self._buckets[key]
                bucket = None
            if bucket is None:
                bucket = _Bucket(ends=at + self.window, shared=0, synced_at=at)
                self._buckets[key] = bucket
                while len(self._buckets) > MAX_BUCKETS:
                    self._buckets.popitem(last=False)
                return await self._sync(key, bucket, limit)
            self._buckets.move_to_end(key)
            if bucket.blocked:
                return bucket.ends
            estimate = bucket.shared + bucket.sending + bucket.pending
            if bucket.syncing is not None:
                if bucket.synced and estimate < limit:
                    bucket.pending += 1
                    return None
                await bucket.syncing.wait()  # (its answer decides; then look again)
                continue
            due = (at - bucket.synced_at).total_seconds() >= SYNC_SECONDS
            if not due and estimate < limit:
                bucket.pending += 1
                return None
            return await self._sync(key, bucket, limit)

    async def _sync(self, key: str, bucket: _Bucket, limit: int) -> datetime | None:
        """Add this request and the pending ones to the shared total; the verdict on this
        request."""
        bucket.sending, bucket.pending = bucket.pending + 1, 0
        bucket.synced_at, bucket.syncing = now(), asyncio.Event()
        try:
            verdict = await ratelimit.hit(
                key, limit=limit, window=self.window, amount=bucket.sending
            )
        except BaseException:
            bucket.pending += bucket.sending - 1  # (not counted: counted again next time)
            raise
        else:
            # Requests allowed while the sync was under way stay in ``pending``.
            bucket.ends, bucket.shared, bucket.synced = verdict.retry_at, verdict.count, True
            bucket.blocked = not verdict.allowed
        finally:
            bucket.sending = 0
            bucket.syncing.set()
            bucket.syncing = None
        return bucket.ends if bucket.blocked else None


class _Seen:
    """Credentials (their digests) this instance saw accepted, remembered for one window."""

    def __init__(self, window: timedelta) -> None:
        self.window = window
        self._until: OrderedDict[str, datetime] = OrderedDict()

    def __contains__(self, digest: str) -> bool:
        until = self._until.get(digest)
        return until is not None and until > now()

    def add(self, digest: str) -> None:
        self._until[digest] = now() + self.window
        self._until.move_to_end(digest)
        while len(self._until) > MAX_BUCKETS:
            self._until.popitem(last=False)


class RateLimitMiddleware:
    """Refuses requests to the GraphQL endpoints over their client's limit with 429."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        from backend.app import client_ip, request_meta, session_token  # (it imports this)

        self.app = app
        self.settings = settings
        self._client_ip = client_ip
        self._request_meta = request_meta
        self._session_token = session_token
        window = timedelta(seconds=settings.rate_limit_window_seconds)
        self.limiter = SharedLimiter(window)
        self.seen = _Seen(window)

    def _credential(self, path: str, request: Request) -> tuple[str, str, int]:
        """The request's credential on ``path`` as (kind, value ("" for none), its limit)."""
        from backend.console.context import STAFF_COOKIE

        settings = self.settings
        if path == CUSTOMER_GRAPHQL:
            return "session", self._session_token(request), settings.rate_limit_session
        if path == CONSOLE_GRAPHQL:
            return "staff", request.cookies.get(STAFF_COOKIE, ""), settings.rate_limit_session
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        key = value.strip() if scheme.lower() == "bearer" else ""
        return "operator", key, settings.rate_limit_operator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path") if scope["type"] == "http" else None
        if path not in GRAPHQL_PATHS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        kind, value, credential_limit = self._credential(path, request)
        digest = f"{kind}:{hashlib.sha256(value.encode()).hexdigest()}" if value else ""
        if digest and digest in self.seen:
            key, limit = f"req-{digest}", credential_limit
        else:
            ip = self._client_ip(request, self.settings)
            key, limit = f"req-ip:{address_key(ip)}", self.settings.rate_limit_anonymous
        if limit > 0:
            retry_at = await self.limiter.take(key, limit)
            if retry_at is not None:
                await self._refuse(request, retry_at, receive, send)
                return
        await self.app(scope, receive, send)
        if digest and scope.get("state", {}).get(_AUTHENTICATED):
            self.seen.add(digest)

    async def _refuse(
        self, request: Request, retry_at: datetime, receive: Receive, send: Send
    ) -> None:
        seconds = max(1, math.ceil((retry_at - now()).total_seconds()))
        language = self._request_meta(request, self.settings).language
        message = translate(ErrorCode.RATE_LIMITED, language, minutes=math.ceil(seconds / 60))
        response = error_response(
            429,
            ErrorCode.RATE_LIMITED,
            message,
            headers={"Retry-After": str(seconds)},
            retryAfterSeconds=seconds,
        )
        await response(request.scope, receive, send)
