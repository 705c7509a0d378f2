"""The browser tests' way to act as the operator's system: an API key made with ``icok
operator-key create`` on the live server's database, and calls to its ``/operator/graphql``."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from typing import Any

from tests.checkout import ICOK


def operator_key(env: dict[str, str], name: str, *scopes: str) -> str:
    """A new key granting ``scopes``, made on the database of the server run with ``env``."""
    options = [part for scope in scopes for part in ("--scope", scope)]
    made = subprocess.run(
        [*ICOK, "operator-key", "create", "--name", name, *options],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return made.stdout.strip()


def operator_call(url: str, key: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The JSON answer of ``/operator/graphql`` at the server ``url`` to ``query``."""
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        f"{url}/operator/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body: dict[str, Any] = json.load(response)
    return body
