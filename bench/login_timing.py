"""Login and password timing: what one login costs, and whether failures reveal accounts.

Prints medians of:
- bcrypt (cost 12) over the HMAC-SHA-384 pre-hash: hash and verify;
- zxcvbn scoring at several lengths, the full input against the 100-character prefix scored;
- ``login`` through the real ASGI app and a migrated SQLite database: success, wrong password,
  unknown login (the last two must take about the same time);
- ``register`` for a new customer against one who already has an account;
- a light query answered while a heavy ``passwordStrength`` request (30 aliases) is scored in a
  worker thread, against the same query alone.

These ratios are measured here, not asserted in tests: the tests check the structure instead
(one bcrypt operation at the production cost per outcome, scoring off the event loop).

    python bench/login_timing.py            # 7 samples each
    python bench/login_timing.py -n 15
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from zxcvbn import zxcvbn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's backend and tests, not an installed copy

from backend import db
from backend.app import create_app
from backend.config import Settings
from backend.models import Account, RateLimit
from backend.services import emails, passwords
from tests.api.account_helpers import answer
from tests.factories import Person, make_person, make_user, solve_proof

SECRET = "bench-secret-" + "x" * 40
PASSWORD = "Zielony-Kanarek-Pije-Kawe-42"
CAPTCHA = "{ captcha { id question proofChallenge } }"
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { errors { code } } }"""
REGISTER = """mutation($input: RegisterInput!) { register(input: $input) { ok errors { code } } }"""


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.1f} ms"


def timed(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


async def atimed(fn: Callable[[], Awaitable[Any]], n: int, before: Callable[[], Awaitable[Any]]):
    out = []
    for _ in range(n):
        await before()
        started = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - started)
    return out


def bench_hashing(settings: Settings, n: int) -> None:
    hashed = passwords.hash_password_sync(PASSWORD, settings)
    print("bcrypt cost 12 over the pre-hash")
    print(
        "  hash   ", median_ms(timed(lambda: passwords.hash_password_sync(PASSWORD, settings), n))
    )
    print(
        "  verify ",
        median_ms(timed(lambda: passwords.verify_password_sync(PASSWORD, hashed, settings), n)),
    )
    long = "x" * 1024
    print(
        "  hash of 1024 characters",
        median_ms(timed(lambda: passwords.hash_password_sync(long, settings), n)),
    )


def bench_zxcvbn(n: int) -> None:
    print("zxcvbn (repetitive input is the slow case)")
    for length in (20, 72, 100, 200, 500):
        text = ("aaaa1111" * 200)[:length]
        full = timed(functools.partial(zxcvbn, text, max_length=2000), max(1, n // 3))
        prefix = timed(functools.partial(passwords.strength, text), n)
        print(f"  {length:4d} chars: full {median_ms(full)}, policy (prefix) {median_ms(prefix)}")


async def seed(settings: Settings) -> tuple[Person, Person]:
    """A customer with a confirmed account (password ``PASSWORD``) and one without."""
    return await make_user(settings, password=PASSWORD), await make_person(settings)


async def bench_app(settings: Settings, n: int) -> None:
    user, newcomer = await seed(settings)
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def gql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
            r = await client.post("/graphql", json={"query": query, "variables": variables or {}})
            return r.json()["data"]

        async def solved() -> dict[str, str]:
            c = (await gql(CAPTCHA))["captcha"]
            return {
                "captchaId": c["id"],
                "captchaAnswer": answer(c["question"]),
                "captchaProof": solve_proof(c["proofChallenge"]),
            }

        captchas: list[dict[str, str]] = []

        async def fresh() -> None:
            # Limits and lockout would stop a benchmark; they are tested elsewhere.
            await RateLimit.all().delete()
            await Account.all().update(failed_logins=0, locked_until=None)
            client.cookies.clear()
            captchas.append(await solved())

        def login(who: str, password: str) -> Callable[[], Awaitable[Any]]:
            async def call() -> None:
                data = {"login": who, "password": password, **captchas.pop()}
                await gql(LOGIN, {"input": data})

            return call

        print(f"login through the app ({n} samples each, SQLite)")
        ok = await atimed(login(user.email, PASSWORD), n, fresh)
        wrong = await atimed(login(user.email, PASSWORD + "x"), n, fresh)
        unknown = await atimed(login("nobody@example.com", PASSWORD), n, fresh)
        print("  success        ", median_ms(ok))
        print("  wrong password ", median_ms(wrong))
        print("  unknown login  ", median_ms(unknown))
        ratio = statistics.median(unknown) / statistics.median(wrong)
        print(f"  unknown / wrong median ratio: {ratio:.2f}")

        def register(card: str, pesel: str, i: list[int]) -> Callable[[], Awaitable[Any]]:
            async def call() -> None:
                i[0] += 1
                email = f"reg{i[0]}-{card}@example.com"
                data = {
                    "identifier": card,
                    "pesel": pesel,
                    "email": email,
                    "emailConfirmation": email,
                    "password": PASSWORD,
                    "acceptTerms": True,
                    **captchas.pop(),
                }
                await gql(REGISTER, {"input": data})

            return call

        async def fresh_new() -> None:
            await fresh()
            await Account.filter(customer=newcomer.customer).delete()

        counter = [0]
        print("register")
        new = await atimed(
            register(newcomer.service.identifier, newcomer.pesel, counter), n, fresh_new
        )
        existing = await atimed(register(user.service.identifier, user.pesel, counter), n, fresh)
        print("  new customer       ", median_ms(new))
        print("  has an account     ", median_ms(existing))
        print(
            f"  existing / new median ratio: {statistics.median(existing) / statistics.median(new):.2f}"
        )


async def bench_strength_off_loop(settings: Settings, n: int) -> None:
    app = create_app(settings, manage_database=False)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    words = [
        "".join(alphabet[(i * 7 + j * 13) % len(alphabet)] for j in range(100)) for i in range(30)
    ]
    heavy = (
        "{ "
        + " ".join(
            f'a{i}: passwordStrength(password: "{p}") {{ score }}' for i, p in enumerate(words)
        )
        + " }"
    )
    light = "{ apiVersion }"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def post(query: str) -> float:
            started = time.perf_counter()
            await client.post("/graphql", json={"query": query})
            return time.perf_counter() - started

        alone = [await post(light) for _ in range(n)]
        during, heavy_times = [], []
        for _ in range(n):
            heavy_task = asyncio.create_task(post(heavy))
            await asyncio.sleep(0.05)  # a benchmark may sleep: let the heavy one start scoring
            during.append(await post(light))
            heavy_times.append(await heavy_task)
        print("passwordStrength scored off the event loop")
        print("  heavy request (30 aliases)   ", median_ms(heavy_times))
        print("  light request alone          ", median_ms(alone))
        print("  light request during heavy   ", median_ms(during))
        print(
            f"  light-during-heavy / heavy median ratio: "
            f"{statistics.median(during) / statistics.median(heavy_times):.2f} (well below 1)"
        )


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{Path(tmp) / 'bench.sqlite3'}"
        settings = Settings(
            data_dir=Path(tmp), database_url=url, secret_key=SECRET, base_url="http://bench"
        )
        bench_hashing(settings, n)
        bench_zxcvbn(n)
        await db.migrate(url)
        await db.close()
        await db.init(url)
        try:
            await bench_app(settings, n)
            await bench_strength_off_loop(settings, n)
        finally:
            await emails.drain()
            await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=7, help="samples per measurement")
    asyncio.run(main(parser.parse_args().n))
