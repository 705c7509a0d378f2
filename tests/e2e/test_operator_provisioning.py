"""Provisioning through the operator (issue 13 item 4), end to end: the server runs with
``ICOK_PROVISIONING=operator`` and a webhook endpoint served by this test (a real HTTP server in a
thread, checking each request's Standard Webhooks signature with the ``standardwebhooks``
package). A package ordered in the SPA reaches it as a signed ``device_command.requested`` event
for the card; the test completes it through the operator API (a key from ``icok operator-key
create``) and the services page shows it done. The same for a decoder PIN reset."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook, WebhookVerificationError

from tests.checkout import free_port
from tests.e2e.operator_api import operator_call, operator_key
from tests.e2e.spa import add_first_package, log_in, wait_loaded
from tests.waiting import wait_until_sync

TV_CARD = "302519846732"  # the demo login's satellite service (and its card's serial)
DECODER = "EVB-4K-2291045"
COMPLETE = """mutation ($i: CompleteDeviceCommandInput!) {
  completeDeviceCommand(input: $i) { command { id status } errors { field code } } }"""


class Hooks:
    """What the receiver accepted (signature verified), and how many it refused."""

    def __init__(self) -> None:
        self.secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
        self.bodies: list[dict[str, Any]] = []
        self.refused = 0
        self.lock = threading.Lock()
        self.url = ""

    def wait_for(self, within: float = 30, **match: Any) -> dict[str, Any]:
        """The first event whose ``type`` and data fields equal ``match`` (``type=...`` and
        ``data`` keys), waiting up to ``within`` seconds."""
        kind = match.pop("type")

        def first() -> dict[str, Any] | None:
            with self.lock:
                for body in self.bodies:
                    data = body["data"]
                    if body["type"] == kind and all(data.get(k) == v for k, v in match.items()):
                        return body
            return None

        return wait_until_sync(
            first, within=within, what=lambda: f"{kind} {match}; got {self.bodies}"
        )


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    received = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                body = Webhook(received.secret).verify(raw, headers)
            except WebhookVerificationError:
                with received.lock:
                    received.refused += 1
                self.send_response(400)
                self.end_headers()
                return
            assert body == json.loads(raw) and body["id"] == headers["webhook-id"]
            with received.lock:
                received.bodies.append(body)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    received.url = f"http://127.0.0.1:{server.server_port}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


def test_package_and_pin_reset_completed_by_the_operator(
    live_server: Any, new_page: Any, hooks: Hooks
) -> None:
    server = live_server(
        ICOK_PROVISIONING="operator",
        ICOK_WEBHOOK_URLS=f"bss={hooks.url}",
        ICOK_WEBHOOK_SECRET_BSS=hooks.secret,
    )
    key = operator_key(server.env, "provisioning", "provisioning:write")
    page = new_page()
    log_in(page, server.url)
    page.goto(server.url + "/services")
    wait_loaded(page)
    card = page.locator(".card", has=page.locator("h2", has_text=TV_CARD))

    # --- order a package: the card's entitlement goes to the operator, who completes it ----
    name = add_first_package(card, "Dodaj pakiet")
    row = card.locator(".list-row", has_text=name)
    status = row.locator("[data-testid=card-command-status]")
    expect(status).to_have_attribute("data-status", "sent")
    ordered = hooks.wait_for(type="package.ordered", serviceIdentifier=TV_CARD)
    command_id = ordered["data"]["commandId"]
    requested = hooks.wait_for(type="device_command.requested", commandId=command_id)
    assert requested["data"]["kind"] == "entitlement"
    assert requested["data"]["deviceSerial"] == TV_CARD
    assert requested["data"]["details"]["packageCode"] == ordered["data"]["packageCode"]
    done = operator_call(server.url, key, COMPLETE, {"i": {"id": command_id, "status": "DONE"}})
    assert done["data"]["completeDeviceCommand"] == {
        "command": {"id": command_id, "status": "DONE"},
        "errors": [],
    }, done
    expect(status).to_have_attribute("data-status", "done", timeout=15000)
    expect(status).to_contain_text("Karta ma już nowe uprawnienia")

    # --- reset the decoder PIN: the operator reports it failed, with a coded reason ---------
    card.get_by_role("button", name=re.compile("Resetuj PIN")).click()
    pin = card.locator("[data-testid=command-status]")
    expect(pin).to_have_attribute("data-status", "sent")
    reset = hooks.wait_for(type="device_command.requested", kind="pin_reset", deviceSerial=DECODER)
    failed = operator_call(
        server.url,
        key,
        COMPLETE,
        {
            "i": {
                "id": reset["data"]["commandId"],
                "status": "FAILED",
                "reasonCode": "DEVICE_OFFLINE",
            }
        },
    )
    assert failed["data"]["completeDeviceCommand"]["errors"] == [], failed
    expect(pin).to_have_attribute("data-status", "failed", timeout=15000)
    expect(pin).to_contain_text("urządzenie jest wyłączone lub nie ma sygnału")
    card.get_by_role(
        "button", name=re.compile("Resetuj PIN")
    ).click()  # again, and this time it works
    expect(pin).to_have_attribute("data-status", "sent")

    def pin_resets() -> list[dict[str, Any]]:
        with hooks.lock:
            return [
                b
                for b in hooks.bodies
                if b["type"] == "device_command.requested" and b["data"]["kind"] == "pin_reset"
            ]

    wait_until_sync(
        lambda: len(pin_resets()) >= 2, what=lambda: f"two PIN resets; got {hooks.bodies}"
    )
    resets = pin_resets()
    assert len(resets) == 2, hooks.bodies
    second = resets[1]["data"]["commandId"]
    operator_call(server.url, key, COMPLETE, {"i": {"id": second, "status": "DONE"}})
    expect(pin).to_have_attribute("data-status", "done", timeout=15000)
    expect(pin).to_contain_text("PIN dekodera wrócił do wartości fabrycznej")
    assert hooks.refused == 0
