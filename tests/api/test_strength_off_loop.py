"""The public passwordStrength query scores in a worker thread: a request with many costly
aliases does not stop the event loop from answering other requests meanwhile."""

from __future__ import annotations

import asyncio
import random
import string
import time

import httpx


async def test_other_requests_are_served_while_passwords_are_scored(
    client: httpx.AsyncClient, db: str
) -> None:
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits
    passwords = ["".join(rng.choice(alphabet) for _ in range(100)) for _ in range(30)]
    heavy = (
        "{ "
        + " ".join(
            f'a{i}: passwordStrength(password: "{p}") {{ score }}' for i, p in enumerate(passwords)
        )
        + " }"
    )
    finished: dict[str, float] = {}

    async def post(name: str, query: str) -> httpx.Response:
        response = await client.post("/graphql", json={"query": query})
        finished[name] = time.perf_counter()
        return response

    async def light() -> httpx.Response:
        await asyncio.sleep(0.05)  # the heavy request is being scored by then
        return await post("light", "{ apiVersion }")

    heavy_response, light_response = await asyncio.gather(post("heavy", heavy), light())
    assert heavy_response.status_code == light_response.status_code == 200
    scores = heavy_response.json()["data"]
    assert len(scores) == 30 and all(s["score"] >= 3 for s in scores.values())
    assert light_response.json()["data"]["apiVersion"]
    assert finished["light"] < finished["heavy"]
