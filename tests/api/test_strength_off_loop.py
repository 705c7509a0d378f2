"""The public passwordStrength query scores in a worker thread: a request with many costly
aliases does not stop the event loop from answering other requests meanwhile.

Proved by structure, not by timing: the heavy request is held inside zxcvbn (in its worker
thread) until the light request has been answered, which could not happen if scoring ran on the
event loop. ``bench/login_timing.py`` prints how long the light request takes meanwhile.
"""

from __future__ import annotations

import asyncio
import random
import string
import threading
from typing import Any

import httpx
import pytest

from backend.services import passwords
from tests.api.account_helpers import codes, register, registration
from tests.factories import make_person


async def test_other_requests_are_served_while_passwords_are_scored(
    client: httpx.AsyncClient, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits
    passwords_ = ["".join(rng.choice(alphabet) for _ in range(100)) for _ in range(30)]
    heavy = (
        "{ "
        + " ".join(
            f'a{i}: passwordStrength(password: "{p}") {{ score }}' for i, p in enumerate(passwords_)
        )
        + " }"
    )
    loop_thread = threading.get_ident()
    scoring, light_answered = threading.Event(), threading.Event()
    threads: set[int] = set()
    real = passwords.zxcvbn

    def zxcvbn(password: str, *args: Any, **kwargs: Any) -> Any:
        threads.add(threading.get_ident())
        if threading.get_ident() == loop_thread:  # fail at once instead of holding the loop
            raise AssertionError("passwordStrength scored on the event loop")
        scoring.set()
        light_answered.wait(30)  # only ever holds a worker thread
        return real(password, *args, **kwargs)

    monkeypatch.setattr(passwords, "zxcvbn", zxcvbn)
    heavy_task = asyncio.create_task(client.post("/graphql", json={"query": heavy}))
    try:
        assert await asyncio.to_thread(scoring.wait, 30)  # the heavy request is being scored
        assert not heavy_task.done()
        light_response = await client.post("/graphql", json={"query": "{ apiVersion }"})
        assert light_response.status_code == 200
        assert light_response.json()["data"]["apiVersion"]
        assert not heavy_task.done()  # answered while the heavy one was still being scored
    finally:
        light_answered.set()
    heavy_response = await heavy_task
    assert heavy_response.status_code == 200
    scores = heavy_response.json()["data"]
    assert len(scores) == 30 and all(s["score"] >= 3 for s in scores.values())
    assert loop_thread not in threads


async def test_the_policy_of_register_reset_and_change_scores_off_the_loop(
    gql: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The enforcement scores with the customer's own data in a worker thread as well."""
    loop_thread = threading.get_ident()
    threads: list[int] = []
    real = passwords.zxcvbn

    def zxcvbn(password: str, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return real(password, *args, **kwargs)

    monkeypatch.setattr(passwords, "zxcvbn", zxcvbn)
    person = await make_person(settings)
    payload = await register(gql, registration(person, password="haslo123"))
    assert codes(payload) == {"password": "PASSWORD_TOO_WEAK"}
    assert threads and loop_thread not in threads
