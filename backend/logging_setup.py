"""How the server and the CLI log: one configuration (:func:`logging_config`) for the ``icok``
command and for uvicorn (``icok serve`` hands it to uvicorn, which applies it in every worker).

Every record goes to stderr through one handler, with the id of the request it was written for
(:class:`RequestIdFilter`, from :data:`backend.request_id.current`), formatted as
``ICOK_LOG_FORMAT`` says:

- ``json`` (production's default): one JSON object per line, :class:`JSONFormatter`;
- ``text`` (development's default): ``LEVEL logger [request id]: message``, :class:`TextFormatter`.

uvicorn's loggers (``uvicorn.error``, ``uvicorn.access``) go through the same handler, and
uvicorn's warnings about a client's malformed HTTP are INFO (:class:`ClientNoiseFilter`): a
client's mistakes are not the operator's problems. A link's ``token`` never reaches the
access line (:class:`SecretQueryFilter`).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from datetime import UTC, datetime
from typing import Any

from backend import request_id
from backend.config import LogFormat

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
