"""How the server and the CLI log: one configuration (:func:`logging_config`) for the ``icok``
command and for uvicorn (``icok serve`` hands it to uvicorn, which applies it in every worker).

Every record goes to stderr through one handler, with the id of the request it was written for
(:class:`RequestIdFilter`, from :data:`backend.request_id.current`), formatted as
``ICOK_LOG_FORMAT`` says:

- ``json`` (production's default): one JSON object per line, :class:`JSONFormatter`;
- ``text`` (development's default): ``LEVEL logger [request id]: message``, :class:`TextFormatter`.

Each answered request has one access line, written by the app (:func:`log_access`, on
``icok.access``, with its duration and operation; ``icok serve`` turns uvicorn's off).
uvicorn's loggers (``uvicorn.error``, ``uvicorn.access``) go through the same handler, and
uvicorn's warnings about a client's malformed HTTP are INFO (:class:`ClientNoiseFilter`): a
client's mistakes are not the operator's problems. A link's ``token`` never reaches an
access line (:func:`without_secrets`; :class:`SecretQueryFilter` on uvicorn's, where it is on).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from backend import request_id
from backend.config import LogFormat
from backend.paths import GRAPHQL_PATHS

_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
"""Characters ``str.splitlines`` (and some log shippers) break lines at that ``json.dumps``
leaves as they are (it escapes those below U+0020 itself)."""


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id``: the id of the request being served, None outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.current.get()
        return True


class JSONFormatter(logging.Formatter):
    """A record as one line of JSON: ``{"time": "2026-12-01T04:32:38.123Z" (UTC), "level":
    "INFO", "logger": "icok.http", "message": "...", "request_id": "..." | null}`` and, when the
    record carries one, ``"exception"`` (the traceback as text) and ``"stack"``. Non-ASCII text
    stays as it is; every line break is escaped, so a message never spans lines."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        access = getattr(record, "access", None)
        if isinstance(access, dict):
            entry.update(access)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        for character, escaped in _LINE_BREAKS.items():
            line = line.replace(character, escaped)
        return line


class TextFormatter(logging.Formatter):
    """``LEVEL logger: message``, with ``[request id]`` after the logger inside a request, and
    a traceback on the lines after it (development)."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s%(request)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.request = f" [{rid}]" if rid else ""
        return super().format(record)


CLIENT_NOISE = frozenset({"Invalid HTTP request received.", "Unsupported upgrade request."})
"""uvicorn's WARNINGs about what a client sent (bytes that are not HTTP, an upgrade it does not
offer): it answers them 400 itself; logged at INFO."""


class ClientNoiseFilter(logging.Filter):
    """On ``uvicorn.error``: turns the WARNINGs in :data:`CLIENT_NOISE` into INFO records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and record.msg in CLIENT_NOISE:
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        return True


SECRET_QUERY = re.compile(r"([?&]token=)[^&\s]*")
"""A ``token`` in a URL's query: the links in e-mails (confirm-email, reset-password,
confirm-contact-email, confirm-login-email) carry one that works until it is used."""


class SecretQueryFilter(logging.Filter):
    """On ``uvicorn.access``: the request's path in the record's arguments with every ``token``
    query value replaced by ``…``, so the log never holds a working link."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(
            isinstance(arg, str) and "token=" in arg for arg in record.args
        ):
            record.args = tuple(
                SECRET_QUERY.sub(r"\1…", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


ACCESS_LOGGER = "icok.access"
_access_log = logging.getLogger(ACCESS_LOGGER)


def without_secrets(path: str) -> str:
    """``path`` (with its query) with every ``token`` query value replaced by ``…``."""
    return SECRET_QUERY.sub(r"\1…", path) if "token=" in path else path


def log_access(
    scope: Mapping[str, Any],
    status: int,
    seconds: float,
    *,
    endpoint: str,
    operation: str | None,
) -> None:
    """The one access line of an answered HTTP request (``icok serve`` turns uvicorn's off), at
    INFO on ``icok.access``, refusals included: ``127.0.0.1:50000 - "POST /graphql HTTP/1.1"
    200 12.3 ms /graphql Login`` and, in JSON, the fields ``client`` ("host:port" as uvicorn
    gives it, None when unknown), ``method``, ``path`` (with its query, :func:`without_secrets`; none on the GraphQL endpoints, where
    a GET's query holds the document and its variables, a password among them),
    ``status``, ``duration_ms`` (float, from the request's start to its last byte),
    ``endpoint`` (the route template, ``backend.metrics.endpoint_label``) and ``operation`` (on
    the GraphQL endpoints a registered operation's name or ``other``,
    ``backend.metrics.operation_label``; None elsewhere): never a name only a client chose."""
    client = scope.get("client")
    address = f"{client[0]}:{client[1]}" if client else None
    path = scope.get("path", "")
    query = scope.get("query_string", b"")
    if query and path not in GRAPHQL_PATHS:  # (a GET's document and variables: passwords)
        path = f"{path}?{query.decode('latin-1')}"
    path = without_secrets(path)
    method = scope.get("method", "")
    milliseconds = round(seconds * 1000, 1)
    _access_log.info(
        '%s - "%s %s HTTP/%s" %d %.1f ms %s%s',
        address or "-",
        method,
        path,
        scope.get("http_version", "1.1"),
        status,
        milliseconds,
        endpoint,
        f" {operation}" if operation else "",
        extra={
            "access": {
                "client": address,
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": milliseconds,
                "endpoint": endpoint,
                "operation": operation,
            }
        },
    )


def logging_config(log_format: LogFormat) -> dict[str, Any]:
    """The :func:`logging.config.dictConfig` configuration for ``log_format`` (also uvicorn's
    ``log_config``): INFO and above to stderr, :class:`RequestIdFilter` on the handler,
    uvicorn's loggers through it, Tortoise and watchfiles from WARNING."""
    formatter = JSONFormatter if log_format is LogFormat.JSON else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "client_noise": {"()": ClientNoiseFilter},
            "secret_query": {"()": SecretQueryFilter},
        },
        "formatters": {"icok": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "icok",
                "filters": ["request_id"],
            }
        },
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.error": {"level": "INFO", "filters": ["client_noise"], "propagate": True},
            "uvicorn.access": {
                "level": "INFO",
                "handlers": [],
                "filters": ["secret_query"],
                "propagate": True,
            },
            # Tortoise logs every start-up and shutdown at INFO; keep to what matters.
            "tortoise": {"level": "WARNING"},
            "watchfiles": {"level": "WARNING"},
        },
    }


def configure(log_format: LogFormat) -> None:
    """Apply :func:`logging_config` to this process."""
    logging.config.dictConfig(logging_config(log_format))
