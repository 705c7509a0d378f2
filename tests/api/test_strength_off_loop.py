"""Passwords are scored in a worker thread: a request with a costly password (the public
passwordStrength query; register, reset and change) does not stop the event loop from
answering other requests meanwhile. (A request scores one password at most:
``test_password_scoring_limits.py``.)

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

from backend.models import Account
from backend.models.enums import TokenPurpose
from backend.services import passwords, tokens
from tests.api.account_helpers import codes, register, registration
from tests.factories import (
    STRONG_PASSWORD,
    login_as,
    login_staff,
    make_person,
    make_staff,
    make_user,
    totp_code,
)
from tests.factories.staff import STAFF_PASSWORD

WEAK_PASSWORD = "haslo123"
WEAK = "PASSWORD_TOO_WEAK"
RESET = """mutation($token: String!, $password: String!) {
  resetPassword(input: {token: $token, newPassword: $password}) { ok errors { field code } } }"""
CHANGE = """mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    ok errors { field code } } }"""
STAFF_CHANGE = """mutation($current: String!, $new: String!, $code: String!) {
  changeStaffPassword(input: {currentPassword: $current, newPassword: $new, code: $code}) {
    ok errors { field code } } }"""


async def test_other_requests_are_served_while_passwords_are_scored(
    client: httpx.AsyncClient, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits
    passwords_ = ["".join(rng.choice(alphabet) for _ in range(100))]
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
    assert len(scores) == 1 and all(s["score"] >= 3 for s in scores.values())
    assert loop_thread not in threads


async def test_the_policy_of_register_reset_and_change_scores_off_the_loop(
    client: httpx.AsyncClient,
    gql: Any,
    console: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The enforcement scores with the customer's own data in a worker thread as well: at
    registration, reset (a link's token), change (logged in) and a staff member's change."""
    loop_thread = threading.get_ident()
    threads: list[int] = []
    real = passwords.zxcvbn

    def zxcvbn(password: str, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return real(password, *args, **kwargs)

    monkeypatch.setattr(passwords, "zxcvbn", zxcvbn)

    async def scored_off_the_loop(what: str, payload: dict[str, Any]) -> None:
        assert codes(payload) == {"newPassword" if what != "register" else "password": WEAK}
        assert threads, what
        assert loop_thread not in threads, what
        threads.clear()

    person = await make_person(settings)
    await scored_off_the_loop(
        "register", await register(gql, registration(person, password=WEAK_PASSWORD))
    )

    user = await make_user(settings)
    account = await Account.get(customer_id=user.customer.id)
    token = await tokens.issue(account, TokenPurpose.RESET_PASSWORD)
    reset = await gql(RESET, {"token": token, "password": WEAK_PASSWORD})
    await scored_off_the_loop("reset", reset["resetPassword"])

    await login_as(client, settings, user.customer)
    change = await gql(CHANGE, {"current": STRONG_PASSWORD, "new": WEAK_PASSWORD})
    await scored_off_the_loop("change", change["changePassword"])

    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    await login_staff(client, member)
    staff_change = await console(
        STAFF_CHANGE, {"current": STAFF_PASSWORD, "new": WEAK_PASSWORD, "code": totp_code()}
    )
    await scored_off_the_loop("staff change", staff_change["changeStaffPassword"])
