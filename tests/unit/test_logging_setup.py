"""Log records as ICOK_LOG_FORMAT says (one JSON object per line, or text), each with the id of
the request it was written for; incoming request ids are kept only when sane."""

from __future__ import annotations

import json
import logging
import logging.config
import sys
from datetime import UTC, datetime

import pytest

from backend import request_id
from backend.config import LogFormat
from backend.logging_setup import (
    ClientNoiseFilter,
    JSONFormatter,
    RequestIdFilter,
    SecretQueryFilter,
    TextFormatter,
    logging_config,
)
from tests.conftest import FROZEN_AT


def _record(message: str, *args: object, name: str = "icok.test", **extra: object):
    record = logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_a_record_is_one_line_of_json_with_its_request_id() -> None:
    token = request_id.current.set("req-1")
    try:
        record = _record("paid %s: %s", "płatność", "a\nb\u2028c\x85d\u2029e")
        RequestIdFilter().filter(record)
    finally:
        request_id.current.reset(token)
    line = JSONFormatter().format(record)
    assert len(line.splitlines()) == 1  # (str.splitlines breaks at U+2028, U+0085 too)
    entry = json.loads(line)
    assert entry == {
        "time": entry["time"],
        "level": "INFO",
        "logger": "icok.test",
        "message": "paid płatność: a\nb\u2028c\x85d\u2029e",
        "request_id": "req-1",
    }
    assert entry["time"].endswith("Z")
    assert datetime.fromisoformat(entry["time"]) == FROZEN_AT.astimezone(UTC)  # (frozen clock)


def test_outside_a_request_the_id_is_null() -> None:
    record = _record("started")
    RequestIdFilter().filter(record)
    assert json.loads(JSONFormatter().format(record))["request_id"] is None


def test_an_exception_is_a_field_of_the_same_line() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord("icok", logging.ERROR, __file__, 1, "bug", (), sys.exc_info())
    line = JSONFormatter().format(record)
    assert len(line.splitlines()) == 1
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["message"] == "bug"
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith("ValueError: broken")


def test_text_lines_name_the_request_when_there_is_one() -> None:
    assert TextFormatter().format(_record("hello", request_id="r1")) == "INFO icok.test [r1]: hello"
    assert TextFormatter().format(_record("hello", request_id=None)) == "INFO icok.test: hello"


def test_uvicorn_warnings_about_malformed_http_are_info() -> None:
    noise = logging.LogRecord(
        "uvicorn.error", logging.WARNING, __file__, 1, "Invalid HTTP request received.", (), None
    )
    other = logging.LogRecord(
        "uvicorn.error", logging.WARNING, __file__, 1, "Exceeded concurrency limit.", (), None
    )
    assert ClientNoiseFilter().filter(noise) and ClientNoiseFilter().filter(other)
    assert (noise.levelno, noise.levelname) == (logging.INFO, "INFO")
    assert (other.levelno, other.levelname) == (logging.WARNING, "WARNING")


@pytest.mark.parametrize(
    "value",
    [
        "0f8e2c1a9b7d4e3f8a6b5c4d3e2f1a0b",
        "6b1f0d4e-2a3c-4b5d-8e9f-0a1b2c3d4e5f",
        "Root=1-6789abcd-0123456789abcdef01234567",
        "a" * request_id.MAX_LENGTH,
    ],
)
def test_a_sane_incoming_id_is_kept(value: str) -> None:
    assert request_id.accepted(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "a" * (request_id.MAX_LENGTH + 1),
        "x" * 10240,
        "abc\ndef",
        "abc\r\nX-Admin: 1",
        "abc\x00",
        "abc\x1b[31m",
        "with space",
        '"quoted"',
        "zażółć",
        "abc\u2028",
        "<script>",
    ],
)
def test_a_hostile_incoming_id_is_refused(value: str | None) -> None:
    assert request_id.accepted(value) is None


def test_new_ids_are_random_hex() -> None:
    ids = {request_id.new_request_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 32 and request_id.accepted(i) == i for i in ids)


def test_tokens_in_links_are_not_written_to_the_access_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A link from an e-mail (confirm-email, reset-password, ...) carries a token that works
    until it is used: uvicorn's access line (the path with its query) must not keep it, in
    either format, through the configuration the server runs with."""
    path = "/reset-password?token=J3HKo6M-kS5gVnyPdoj6HDLB_6QHgkoxzFCr1WZ_f-0&lang=en"
    for log_format in LogFormat:
        logging.config.dictConfig(logging_config(log_format))
        try:
            logging.getLogger("uvicorn.access").info(
                '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 200
            )
        finally:
            logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
        line = capsys.readouterr().err
        assert "J3HKo6M" not in line, line
        assert "/reset-password?token=…&lang=en" in line, line
    plain = _record('"%s %s"', "GET", "/payments?page=2", name="uvicorn.access")
    assert SecretQueryFilter().filter(plain) and plain.getMessage() == '"GET /payments?page=2"'
