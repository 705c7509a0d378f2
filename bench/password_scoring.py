"""Server CPU time of hostile password-scoring requests (issue 15, item 3).

Sends each request through the real ASGI app (production mode, a migrated SQLite database) and
prints the CPU time the process spent on it (``time.process_time``: every thread, so scoring in
worker threads counts too) and the answer's error codes. Each should cost well under 0.2 s:

- 30 aliased ``passwordStrength`` fields with repetitive 100-character passwords;
- 30 aliased ``register`` mutations with such passwords;
- a 900 KB ``email`` argument to ``passwordStrength`` and to ``register``;
- 900 KB ``identifier`` / ``pesel`` arguments, and a 900 KB password.

    python bench/password_scoring.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's backend and tests, not an installed copy

from backend import db
from backend.app import create_app
from backend.config import Mode, Settings
from backend.services import emails
from tests.factories import make_person

SECRET = "bench-secret-" + "x" * 40
HUGE = 900_000


def repetitive(i: int) -> str:
    """A 100-character password zxcvbn finds costly: short repeated runs."""
    unit = "abcdefghij"[: 2 + i % 8] + str(i)
    return (unit * 100)[:100]


def strength_aliases() -> str:
    fields = " ".join(
        f'a{i}: passwordStrength(password: "{repetitive(i)}") {{ score code }}' for i in range(30)
    )
    return "{ " + fields + " }"


def graphql_object(data: dict[str, Any]) -> str:
    """A GraphQL input object literal for ``data`` (keys bare, values JSON)."""
    return "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in data.items()) + "}"


def register_aliases(person: Any) -> str:
    base = {
        "identifier": person.service.identifier,
        "pesel": person.pesel,
        "email": person.email,
        "emailConfirmation": person.email,
        "captchaId": "00000000-0000-0000-0000-000000000000",
        "captchaAnswer": "1",
        "acceptTerms": True,
    }
    fields = " ".join(
        f"r{i}: register(input: {graphql_object({**base, 'password': repetitive(i)})})"
        " { ok errors { code } }"
        for i in range(30)
    )
    return "mutation { " + fields + " }"


REGISTER = "mutation($input: RegisterInput!) { register(input: $input) { ok errors { code } } }"
STRENGTH = """query($p: String!, $e: String, $i: String, $s: String) {
  passwordStrength(password: $p, email: $e, identifier: $i, pesel: $s) { score code } }"""


def codes(body: Any) -> str:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("code"), str):
                found.append(node["code"])
            ext = node.get("extensions")
            if isinstance(ext, dict) and "code" in ext:
                found.append(str(ext["code"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body)
    distinct = sorted(set(found))
    return ", ".join(f"{c}×{found.count(c)}" for c in distinct) or "no error"


async def measure(app: Any, label: str, payload: dict[str, Any]) -> None:
    """Post ``payload`` from an address of its own (no per-address limit gets in the way)."""
    measure.clients += 1  # type: ignore[attr-defined]
    address = f"10.9.{measure.clients // 250}.{measure.clients % 250}"  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(
        transport=transport, base_url="https://bench.example", timeout=120
    ) as client:
        started = time.process_time()
        response = await client.post("/graphql", json=payload)
        spent = time.process_time() - started
    print(f"{label:<44} {spent:7.3f} s CPU  {response.status_code}  {codes(response.json())}")


measure.clients = 0  # type: ignore[attr-defined]


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{Path(tmp) / 'bench.sqlite3'}"
        settings = Settings(
            data_dir=Path(tmp),
            database_url=url,
            secret_key=SECRET,
            base_url="https://bench.example",
            mode=Mode.PRODUCTION,
        )
        await db.migrate(url)
        await db.close()
        await db.init(url)
        try:
            person = await make_person(settings)
            app = create_app(settings, manage_database=False)
            if True:
                huge = "a" * HUGE
                await measure(app, "passwordStrength ×30 aliases", {"query": strength_aliases()})
                await measure(app, "register ×30 aliases", {"query": register_aliases(person)})
                for name, variables in [
                    ("email", {"p": "Zielony-Kanarek-42", "e": huge + "@example.com"}),
                    ("email (dotted)", {"p": "Zielony-Kanarek-42", "e": "a." * (HUGE // 2)}),
                    ("identifier", {"p": "Zielony-Kanarek-42", "i": "6" * HUGE}),
                    ("pesel", {"p": "Zielony-Kanarek-42", "s": "9" * HUGE}),
                    ("password", {"p": "ab" * (HUGE // 2)}),
                ]:
                    await measure(
                        app,
                        f"passwordStrength, 900 KB {name}",
                        {"query": STRENGTH, "variables": variables},
                    )
                base = {
                    "identifier": person.service.identifier,
                    "pesel": person.pesel,
                    "email": person.email,
                    "emailConfirmation": person.email,
                    "password": "Zielony-Kanarek-Pije-Kawe-42",
                    "captchaId": "00000000-0000-0000-0000-000000000000",
                    "captchaAnswer": "1",
                    "acceptTerms": True,
                }
                for field, value in [
                    ("email", huge + "@example.com"),
                    ("email", "a." * (HUGE // 2)),
                    ("identifier", "6" * HUGE),
                    ("pesel", "9" * HUGE),
                    ("password", "ab" * (HUGE // 2)),
                ]:
                    await measure(
                        app,
                        f"register, 900 KB {field}",
                        {"query": REGISTER, "variables": {"input": {**base, field: value}}},
                    )
        finally:
            await emails.drain()
            await db.close()


if __name__ == "__main__":
    asyncio.run(main())
