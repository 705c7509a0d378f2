"""What ``icok serve`` of this checkout writes to stderr in production, on SQLite and
PostgreSQL: one JSON object per line, each with its request's id (the one answered in
``X-Request-ID``); a client's mistakes and a rate-limited captcha at INFO, in one line, with no
traceback: a client that goes away in the middle of its body, bytes that are not HTTP."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.services.captcha import PER_IP
from backend.trusted_documents import SPA_OPERATIONS, document_hash, operations
from tests.checkout import ICOK, free_port
from tests.test_cli import PRODUCTION, SERVE_TIMEOUT, _env
from tests.test_cli import migrated as migrated  # the fixtures, re-exported
from tests.test_cli import postgres_url as postgres_url

pytestmark = pytest.mark.real_time  # the server runs in a subprocess on real time

CAPTCHA = next(d for _, d in operations(SPA_OPERATIONS) if "query Captcha " in d)
GENERATED = re.compile(r"[0-9a-f]{32}")
FIELDS = {"time", "level", "logger", "message", "request_id"}


@dataclass
class Server:
    base: str
    port: int
    proc: subprocess.Popen[str]
    stderr: Path

    def entries(self) -> list[dict[str, Any]]:
        """Every line of stderr so far, each parsed as JSON (fails on a line that is not)."""
        lines = self.stderr.read_text().splitlines()
        entries = []
        for line in lines:
            try:
                entries.append(json.loads(line))
            except ValueError:
                pytest.fail(f"not a JSON line: {line!r}")
        return entries

    def wait_for(
        self, condition: Callable[[dict[str, Any]], bool], count: int = 1
    ) -> list[dict[str, Any]]:
        """The entries meeting ``condition``, once there are ``count`` (fails after a generous
        deadline)."""
        deadline = time.monotonic() + SERVE_TIMEOUT
        while time.monotonic() < deadline:
            found = [e for e in self.entries() if condition(e)]
            if len(found) >= count:
                return found
            time.sleep(0.1)
        pytest.fail(f"no such line in the server's stderr:\n{self.stderr.read_text()}")

    def raw(self, data: bytes) -> bytes:
        """Send ``data`` on a connection of its own; what the server answers before it closes
        the connection (b"" when it answers nothing)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=SERVE_TIMEOUT) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            return answer


@pytest.fixture(params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path: Path, migrated: Callable[[str], None]
) -> Iterator[Server]:
    """``icok serve`` in production mode (its JSON logs by default) on a migrated database."""
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path / 'icok.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    migrated(url)
    port = free_port()
    stderr = tmp_path / "stderr.log"
    env = _env(tmp_path, **PRODUCTION, ICOK_DATABASE_URL=url)
    with stderr.open("w") as sink:
        proc = subprocess.Popen(
            [*ICOK, "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,  # (the start-up banner)
            stderr=sink,
            stdin=subprocess.DEVNULL,
            text=True,
        )
    server = Server(f"http://127.0.0.1:{port}", port, proc, stderr)
    try:
        deadline = time.monotonic() + SERVE_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"icok serve exited with {proc.returncode}:\n{stderr.read_text()}")
            try:
                if httpx.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"icok serve did not answer:\n{stderr.read_text()}")
            time.sleep(0.2)
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # after shutdown too: every line JSON, nothing louder than INFO, no traceback
    entries = server.entries()
    assert entries and all(set(e) >= FIELDS for e in entries), entries
    for entry in entries:
        assert datetime.fromisoformat(entry["time"]).utcoffset() == timedelta(0), entry
    assert [e for e in entries if e["level"] != "INFO" or "exception" in e] == []
    assert "Traceback" not in stderr.read_text()


def test_a_client_gone_in_the_middle_of_its_body_is_one_info_line(server: Server) -> None:
    headers = "Host: x\r\nContent-Type: application/json\r\nX-Request-ID: went-away-{}\r\n"
    sized = f"POST /graphql HTTP/1.1\r\n{headers.format(1)}Content-Length: 1000\r\n\r\n"
    chunked = f"POST /graphql HTTP/1.1\r\n{headers.format(2)}Transfer-Encoding: chunked\r\n\r\n"
    assert server.raw(sized.encode() + b'{"query":') == b""
    assert server.raw(chunked.encode() + b'5\r\n{"que\r\n') == b""
    gone = server.wait_for(lambda e: e["message"].startswith("client went away"), count=2)
    assert [(e["level"], e["logger"], e["request_id"]) for e in gone] == [
        ("INFO", "icok.http", "went-away-1"),
        ("INFO", "icok.http", "went-away-2"),
    ]
    assert all("read: POST /graphql (" in e["message"] for e in gone)
    # one line each (and the server's own checks when it stops: nothing louder, no traceback)
    assert (
        len([e for e in server.entries() if e["request_id"] in ("went-away-1", "went-away-2")]) == 2
    )


def test_bytes_that_are_not_http_are_info(server: Server) -> None:
    assert server.raw(b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400 ")
    [entry] = server.wait_for(lambda e: e["message"] == "Invalid HTTP request received.")
    assert (entry["level"], entry["logger"], entry["request_id"]) == ("INFO", "uvicorn.error", None)


def test_a_rate_limited_captcha_is_info(server: Server) -> None:
    body = {"documentId": f"sha256:{document_hash(CAPTCHA)}"}
    with httpx.Client(base_url=server.base, timeout=SERVE_TIMEOUT) as client:
        for _ in range(PER_IP):
            assert "errors" not in client.post("/graphql", json=body).json()
        refused = client.post("/graphql", json=body, headers={"X-Request-ID": "too-many"})
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    [entry] = server.wait_for(lambda e: e["message"].startswith("captcha refused"))
    assert (entry["level"], entry["logger"], entry["request_id"]) == (
        "INFO",
        "icok.accounts",
        "too-many",
    )


def test_every_line_has_the_id_the_answer_has(server: Server) -> None:
    """uvicorn's access line of each request carries the id answered in ``X-Request-ID``: the
    client's when sane, else a new one (10 KB, spaces and quotes, bytes beyond ASCII)."""
    hostile = [b"x" * 10240, b'a "quoted" value\twith a tab', "zażółć".encode()]
    with httpx.Client(base_url=server.base, timeout=SERVE_TIMEOUT) as client:
        kept = client.get("/healthz", headers={"X-Request-ID": "lb-1234"}).headers["x-request-id"]
        replaced = [
            client.get("/readyz", headers={b"X-Request-ID": value}).headers["x-request-id"]
            for value in hostile
        ]
    assert kept == "lb-1234"
    assert all(GENERATED.fullmatch(value) for value in replaced) and len(set(replaced)) == 3
    for answered, path in [(kept, "/healthz"), *((value, "/readyz") for value in replaced)]:
        [access] = server.wait_for(partial(_has_id, answered))
        assert access["logger"] == "icok.access", access
        assert f'"GET {path} HTTP/1.1" 200' in access["message"], access


ACCESS = {"client", "method", "path", "status", "duration_ms", "endpoint", "operation"}


def test_one_access_line_per_request_names_its_operation(server: Server) -> None:
    """Each request has one access line (icok's, none of uvicorn's): method, path (no link's
    token), status, duration, endpoint and the registered operation's name, else "other"."""
    registered = {"documentId": f"sha256:{document_hash(CAPTCHA)}"}
    # a client's own name for an unregistered document (refused in production) is never a label
    unregistered = {"query": "query Login { __typename }", "operationName": "Login"}
    with httpx.Client(base_url=server.base, timeout=SERVE_TIMEOUT) as client:
        captcha = client.post("/graphql", json=registered, headers={"X-Request-ID": "a-1"})
        refused = client.post("/graphql", json=unregistered, headers={"X-Request-ID": "a-2"})
        link = client.get("/reset-password?token=s3cr3t&x=1", headers={"X-Request-ID": "a-3"})
        missing = client.get("/no/such/page.png", headers={"X-Request-ID": "a-4"})
    assert refused.json()["errors"][0]["extensions"]["code"] == "DOCUMENT_NOT_TRUSTED"
    lines = {}
    for rid in ("a-1", "a-2", "a-3", "a-4"):
        [lines[rid]] = server.wait_for(partial(_is_access_of, rid))
    assert all(set(e) >= ACCESS for e in lines.values()), lines
    assert [(lines[r]["method"], lines[r]["endpoint"], lines[r]["operation"]) for r in lines] == [
        ("POST", "/graphql", "Captcha"),
        ("POST", "/graphql", "other"),
        ("GET", "/*", None),
        ("GET", "/*", None),
    ]
    assert [lines[r]["status"] for r in lines] == [
        captcha.status_code,
        refused.status_code,
        link.status_code,
        missing.status_code,
    ]
    assert lines["a-3"]["path"] == "/reset-password?token=…&x=1"
    assert "s3cr3t" not in server.stderr.read_text()
    assert all(
        isinstance(e["duration_ms"], float) and e["duration_ms"] >= 0 for e in lines.values()
    )
    assert lines["a-1"]["client"].startswith("127.0.0.1:")
    assert '"POST /graphql HTTP/1.1" 200 ' in lines["a-1"]["message"]
    assert lines["a-1"]["message"].endswith(" /graphql Captcha")
    assert not [e for e in server.entries() if e["logger"] == "uvicorn.access"]


def _is_access_of(request_id: str, entry: dict[str, Any]) -> bool:
    return entry["request_id"] == request_id and entry["logger"] in (
        "icok.access",
        "uvicorn.access",
    )


def _has_id(request_id: str, entry: dict[str, Any]) -> bool:
    return bool(entry["request_id"] == request_id)
