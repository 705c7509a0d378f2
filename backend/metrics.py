"""``/metrics``: the server's figures in Prometheus's text format (``prometheus_client``).

Counted as requests are answered (:class:`MetricsMiddleware`, plain ASGI middleware):

- ``icok_http_requests_total{endpoint, status}`` and ``icok_http_request_duration_seconds
  {endpoint}``: every answer, by route *template* (``/invoices/{invoice_id:path}.pdf``, the
  GraphQL paths, ``/*`` for the SPA's files; ``unmatched`` otherwise), never by raw path, and by
  status class (``2xx`` ... ``5xx``);
- ``icok_password_pool_refused_total{pool}``: requests a full password pool refused at once
  (:data:`POOL_REFUSALS`, counted through ``bounded_pool.on_refused``: the pool module knows
  nothing of Prometheus);
- ``icok_graphql_operations_total{endpoint, operation, outcome}`` and
  ``icok_graphql_operation_duration_seconds{endpoint, operation}``: every request to a GraphQL
  endpoint, by operation name and outcome (``ok``; ``error``: it ran and some field failed;
  ``refused``: it never ran, e.g. it did not validate, a limit, an untrusted document, or the
  request was refused before GraphQL, 4xx; ``failed``: 5xx). The names come from clients, so
  only the names of the registered documents (the trusted-documents manifests) are labels, and
  only for requests whose document *is* that registered document: anything else, the operator
  API's operations included, is ``other`` (:func:`operation_label`). So the series are bounded
  by the manifests, whatever clients send.

Computed when scraped (:class:`MetricsEndpoint`):

- ``icok_database_up``: 1 when this scrape's database figures were read, 0 when the database
  failed or took longer than ``Settings.metrics_database_timeout_seconds``; ``/metrics`` still
  answers, without the database figures;
- ``icok_payments{status}`` and ``icok_webhook_deliveries{endpoint, status}``: rows by status,
  one GROUP BY each (read at most once per :data:`DATABASE_FIGURES_MAX_AGE` however often
  ``/metrics`` is asked, one read at a time);
- ``icok_database_pool_size`` / ``_idle`` / ``_max`` (PostgreSQL's asyncpg pool; SQLite has one
  connection and no pool, so none);
- ``icok_password_pool_threads`` / ``_busy`` / ``_queued`` by ``pool`` (``hashing``: bcrypt,
  ``scoring``: zxcvbn; ``backend.services.passwords``) and the scoring queue's limits: the
  answering process's pools at this moment (see below);
- the ``process_*``/``python_*`` figures of ``prometheus_client``'s default collectors.

**Per process.** The counters live in the process that answered. With ``icok serve --workers
N`` the CLI gives the workers one ``PROMETHEUS_MULTIPROC_DIR`` (``prometheus_client``'s
multiprocess mode) and every worker's ``/metrics`` sums the counters and histograms of all of
them; the figures computed at scrape time are the answering worker's (the database's are the
same from any). The password pools' gauges (``threads``, ``busy``, ``queued``) are such
figures, each worker's pools being its own: they are not ``Gauge`` objects with a
``multiprocess_mode`` (``livesum`` would add every live worker's, but every admission and every
job's start and end would then write to the shared files);
their refusals, the figure that tells a pool is too small, are a counter and so every worker's.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import time
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.types import ExecutionResult
from tortoise.connection import get_connection
from tortoise.functions import Count

from backend import db
from backend.config import Settings
from backend.db import describe_error
from backend.http_errors import error_response
from backend.i18n import request_language, translate
from backend.logging_setup import log_access
from backend.models import EventDelivery, Payment
from backend.models.enums import DeliveryStatus, PaymentStatus
from backend.paths import GRAPHQL_PATHS
from backend.services import bounded_pool, passwords
from backend.services.errors import ErrorCode
from backend.trusted_documents import document_hash

log = logging.getLogger("icok")

OTHER = "other"
"""The label of an operation name that is not a registered document's."""
UNMATCHED = "unmatched"
"""The endpoint label of a request no route took."""
DATABASE_FIGURES_MAX_AGE = 1.0
"""Seconds a scrape's database figures are reused by the next scrapes (they cost a GROUP BY
per table); a failed read is not reused."""

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
"""``prometheus_client``'s variable for its multiprocess mode (set by ``icok serve --workers``)."""

REQUESTS = Counter(
    "icok_http_requests",
    "HTTP requests answered, by route template and status class.",
    ["endpoint", "status"],
)
REQUEST_SECONDS = Histogram(
    "icok_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["endpoint"],
)
OPERATIONS = Counter(
    "icok_graphql_operations",
    "GraphQL requests, by endpoint, registered operation name (else 'other') and outcome "
    "(ok, error, refused, failed).",
    ["endpoint", "operation", "outcome"],
)
OPERATION_SECONDS = Histogram(
    "icok_graphql_operation_duration_seconds",
    "Time to answer a GraphQL request, by endpoint and registered operation name.",
    ["endpoint", "operation"],
)

POOL_REFUSALS = Counter(
    "icok_password_pool_refused",
    "Requests a full password pool refused at once (SERVER_BUSY, PASSWORD_SCORING_BUSY), by "
    "pool (hashing: bcrypt, scoring: zxcvbn); every worker's.",
    ["pool"],
)
POOL_LABELS = {passwords.HASH_POOL_NAME: "hashing", passwords.SCORING_POOL_NAME: "scoring"}
"""The ``pool`` label of each password pool (``BoundedPool.name``)."""
for _label in POOL_LABELS.values():
    POOL_REFUSALS.labels(_label)  # (0 until the first refusal, in every scrape)


def _count_refusal(pool_name: str) -> None:
    """``bounded_pool.on_refused``'s listener: one more in :data:`POOL_REFUSALS`."""
    label = POOL_LABELS.get(pool_name)
    if label is not None:
        POOL_REFUSALS.labels(label).inc()


bounded_pool.on_refused(_count_refusal)

_OPERATION = "icok.metrics.operation"
_OUTCOME = "icok.metrics.outcome"


def operation_label(
    query: object, operation_name: object, known: Mapping[str, frozenset[str]]
) -> str:
    """The ``operation`` label of a GraphQL request: its operation's name when its document
    (``query``, the exact text) is a registered one (``known``: ``{sha256 hex: names}``) and
    the name is one of that document's (or the request names none and the document has one);
    else :data:`OTHER`. Never a name only a client chose."""
    if not isinstance(query, str) or not known:
        return OTHER
    names = known.get(document_hash(query))
    if not names:
        return OTHER
    if isinstance(operation_name, str) and operation_name in names:
        return operation_name
    if operation_name is None and len(names) == 1:
        return next(iter(names))
    return OTHER


def note_operation(scope: MutableMapping[str, Any], label: str) -> None:
    """Record the request's operation label (:func:`operation_label`) for the middleware."""
    scope[_OPERATION] = label


def note_outcome(scope: MutableMapping[str, Any], result: ExecutionResult) -> None:
    """Record how a GraphQL request's execution ended: ``refused`` (a request error: no data, no
    error with a path), ``error`` (some error), ``ok``."""
    errors = result.errors or []
    if result.data is None and errors and all(e.path is None for e in errors):
        scope[_OUTCOME] = "refused"
    else:
        scope[_OUTCOME] = "error" if errors else "ok"


def endpoint_label(scope: Mapping[str, Any]) -> str:
    """A request's ``endpoint`` label: the template of the route that took it (a mount's prefix
    and ``/*``), a GraphQL path refused before routing (a rate limit), else :data:`UNMATCHED`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(route, Mount):
        return f"{path or ''}/*"
    if isinstance(path, str):
        return path
    if scope.get("path") in GRAPHQL_PATHS:
        return str(scope["path"])
    return UNMATCHED


class MetricsMiddleware:
    """Counts and times every HTTP answer (:data:`REQUESTS`, :data:`REQUEST_SECONDS`), and on
    the GraphQL endpoints by operation (:data:`OPERATIONS`, :data:`OPERATION_SECONDS`). Put it
    outermost, so refusals by the other middleware count too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        except Exception:
            # Unanswered yet: the error handler outside answers 500.
            record(scope, status or 500, time.perf_counter() - started)
            raise
        # No answer at all: the client went away before it (BodySizeLimitMiddleware logs it);
        # not an answered request, and not the server's failure.
        if status is not None:
            record(scope, status, time.perf_counter() - started)


def record(scope: Mapping[str, Any], status: int, seconds: float) -> None:
    """Count one answered request (``status``, ``seconds`` from its start to its last byte)
    and write its access line (:func:`backend.logging_setup.log_access`) with the same labels."""
    endpoint = endpoint_label(scope)
    REQUESTS.labels(endpoint, f"{status // 100}xx").inc()
    REQUEST_SECONDS.labels(endpoint).observe(seconds)
    if endpoint not in GRAPHQL_PATHS:
        log_access(scope, status, seconds, endpoint=endpoint, operation=None)
        return
    log_access(scope, status, seconds, endpoint=endpoint, operation=scope.get(_OPERATION, OTHER))
    operation = scope.get(_OPERATION, OTHER)
    if status >= 500:
        outcome = "failed"
    elif status >= 400 and _OUTCOME not in scope:
        outcome = "refused"  # (before GraphQL: rate limit, body size, media type, method, key)
    else:
        outcome = scope.get(_OUTCOME, "refused")
    OPERATIONS.labels(endpoint, operation, outcome).inc()
    OPERATION_SECONDS.labels(endpoint, operation).observe(seconds)


class MetricsEndpoint:
    """``GET /metrics`` (an ASGI app): 404 ``NOT_FOUND`` when ``Settings.metrics`` is off, 401
    ``NOT_AUTHENTICATED`` without the bearer token ``Settings.metrics_token`` (when set;
    compared in constant time), else the figures in the format the scraper's ``Accept`` asks
    for (Prometheus text by default, OpenMetrics on request)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = asyncio.Lock()
        self._figures: tuple[float, DatabaseFigures] | None = None
        self._database_up = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        language = request_language(request.headers)
        if not self.settings.metrics:
            response: Response = error_response(
                404, ErrorCode.NOT_FOUND, translate("metrics.off", language)
            )
        elif not self.authorised(request.headers.get("authorization", "")):
            response = error_response(
                401,
                ErrorCode.NOT_AUTHENTICATED,
                translate("metrics.not_authenticated", language),
                headers={"WWW-Authenticate": "Bearer"},
            )
        else:
            encoder, content_type = choose_encoder(request.headers.get("accept", ""))
            registry = _process_registry()
            scraped = self.scrape_registry(await self.database_figures())
            body = b"".join(_without_eof(encoder(r)) for r in (registry, scraped))
            if content_type.startswith("application/openmetrics-text"):
                body += b"# EOF\n"
            response = Response(body, headers={"Content-Type": content_type})
        await response(scope, receive, send)

    def authorised(self, authorization: str) -> bool:
        """Whether ``authorization`` (the header) carries the configured token, or none is set."""
        expected = self.settings.metrics_token
        if not expected:
            return True
        scheme, _, token = authorization.partition(" ")
        given = token.strip().encode("utf-8", "replace")
        return scheme.lower() == "bearer" and hmac.compare_digest(given, expected.encode())

    async def database_figures(self) -> DatabaseFigures | None:
        """This scrape's database figures: reused when younger than
        :data:`DATABASE_FIGURES_MAX_AGE`, read by one scrape at a time, ``None`` when the
        database failed or timed out (logged once per change, not per scrape)."""
        async with self._lock:
            cached = self._figures
            if cached is not None and time.monotonic() - cached[0] < DATABASE_FIGURES_MAX_AGE:
                return cached[1]
            try:
                async with asyncio.timeout(self.settings.metrics_database_timeout_seconds):
                    figures = await read_database_figures()
            except Exception as exc:
                self._figures = None
                outage = db.is_unavailable(exc)  # (its WARNING is the incident's, once)
                if outage:
                    db.incident.report(exc, request=False)
                if self._database_up:
                    log.log(
                        logging.INFO if outage else logging.WARNING,
                        "metrics: the database figures cannot be read (%s)",
                        describe_error(exc),
                    )
                self._database_up = False
                return None
            if not self._database_up:
                log.info("metrics: the database figures can be read again")
            self._database_up = True
            self._figures = (time.monotonic(), figures)
            return figures

    def scrape_registry(self, figures: DatabaseFigures | None) -> CollectorRegistry:
        """The figures computed at this scrape, in a registry of their own (metric families, not
        ``Gauge`` objects, which in multiprocess mode would be written to the shared files)."""
        families: list[Metric] = [
            _gauge(
                "icok_database_up",
                "1 when this scrape read the database figures, 0 when the database failed or "
                "timed out.",
                {(): 0 if figures is None else 1},
            )
        ]
        if figures is not None:
            endpoints = {e.name for e in self.settings.webhook_endpoints}
            endpoints |= {endpoint for endpoint, _ in figures.deliveries}
            families += [
                _gauge(
                    "icok_payments",
                    "Payments by status.",
                    {(s.value,): figures.payments.get(s.value, 0) for s in PaymentStatus},
                    ["status"],
                ),
                _gauge(
                    "icok_webhook_deliveries",
                    "Webhook deliveries (one per event and endpoint) by endpoint and status.",
                    {
                        (endpoint, s.value): figures.deliveries.get((endpoint, s.value), 0)
                        for endpoint in sorted(endpoints)
                        for s in DeliveryStatus
                    },
                    ["endpoint", "status"],
                ),
            ]
        pool = _pool_figures()
        if pool is not None:
            families += [
                _gauge("icok_database_pool_size", "Connections open in the pool.", {(): pool[0]}),
                _gauge("icok_database_pool_idle", "Open connections not in use.", {(): pool[1]}),
                _gauge("icok_database_pool_max", "The most the pool opens.", {(): pool[2]}),
            ]
        pools = {"hashing": passwords.hashing_stats(), "scoring": passwords.SCORING_POOL.stats()}
        families += [
            _gauge(
                "icok_password_pool_threads",
                "Threads of the password pools (bcrypt hashing, zxcvbn scoring) in this process.",
                {(name,): stats.threads for name, stats in pools.items()},
                ["pool"],
            ),
            _gauge(
                "icok_password_pool_busy",
                "Jobs running in a password pool's threads now.",
                {(name,): stats.busy for name, stats in pools.items()},
                ["pool"],
            ),
            _gauge(
                "icok_password_pool_queued",
                "Requests admitted to a password pool and waiting (for a thread or their own "
                "earlier work).",
                {(name,): stats.queued for name, stats in pools.items()},
                ["pool"],
            ),
            _gauge(
                "icok_password_scoring_queue_limit",
                "Scorings running or waiting beyond which one is refused PASSWORD_SCORING_BUSY.",
                {("meter",): passwords.METER_QUEUE, ("policy",): passwords.POLICY_QUEUE},
                ["kind"],
            ),
        ]
        registry = CollectorRegistry()
        registry.register(_Families(families))
        return registry


class _Families(Collector):
    """A collector of metric families made beforehand (one scrape's)."""

    def __init__(self, families: Sequence[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


def _gauge(
    name: str,
    documentation: str,
    values: Mapping[tuple[str, ...], float],
    labels: Sequence[str] = (),
) -> GaugeMetricFamily:
    """A gauge family with one sample per label values (``()`` for none)."""
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for label_values, value in values.items():
        family.add_metric(list(label_values), value)
    return family


@dataclass(frozen=True)
class DatabaseFigures:
    """Rows by status: ``payments`` ``{status: count}``, ``deliveries``
    ``{(endpoint, status): count}``."""

    payments: dict[str, int]
    deliveries: dict[tuple[str, str], int]


async def read_database_figures() -> DatabaseFigures:
    """One GROUP BY per table (the database's errors propagate)."""
    payments = await (
        Payment.annotate(count=Count("id")).group_by("status").values_list("status", "count")
    )
    deliveries = await (
        EventDelivery.annotate(count=Count("id"))
        .group_by("endpoint", "status")
        .values_list("endpoint", "status", "count")
    )
    return DatabaseFigures(
        {str(status): int(count) for status, count in payments},
        {(str(endpoint), str(status)): int(count) for endpoint, status, count in deliveries},
    )


def _pool_figures() -> tuple[int, int, int] | None:
    """``(size, idle, max)`` of the default connection's asyncpg pool; ``None`` without one
    (SQLite, a closed connection). Reads the pool object only: no database round trip."""
    try:
        pool = getattr(get_connection("default"), "_pool", None)
    except Exception:
        return None
    if pool is None or not hasattr(pool, "get_idle_size"):
        return None
    return pool.get_size(), pool.get_idle_size(), pool.get_max_size()


def _process_registry() -> CollectorRegistry:
    """The counters and histograms: this process's, or in multiprocess mode every worker's."""
    if not os.environ.get(MULTIPROCESS_DIR):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def _without_eof(exposition: bytes) -> bytes:
    """An exposition without OpenMetrics's closing ``# EOF`` (two are joined into one)."""
    return exposition.removesuffix(b"# EOF\n")
