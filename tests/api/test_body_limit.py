"""GraphQL request bodies are limited (the token limit bounds only the query document) and must be
JSON objects (anything else is 400, never 500)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from backend.middleware import MAX_GRAPHQL_BODY

QUERY = "query($p: String!) { passwordStrength(password: $p) { score } }"


def _body(size: int) -> bytes:
    """A valid request of exactly ``size`` bytes."""
    empty = json.dumps({"query": QUERY, "variables": {"p": ""}}).encode()
    return json.dumps({"query": QUERY, "variables": {"p": "a" * (size - len(empty))}}).encode()


async def test_body_at_the_limit_is_served(client: httpx.AsyncClient) -> None:
    body = _body(MAX_GRAPHQL_BODY)
    assert len(body) == MAX_GRAPHQL_BODY
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["passwordStrength"]["score"] >= 0


async def test_declared_length_over_the_limit_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content=_body(MAX_GRAPHQL_BODY + 1),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_streamed_body_over_the_limit_is_refused(client: httpx.AsyncClient) -> None:
    body = _body(3 * MAX_GRAPHQL_BODY)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_malformed_length_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content=b"{}",
        headers={"content-type": "application/json", "content-length": "-5"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "body",
    [b'{"query": "{ apiVersion }", "x": "\xff"}', b"5", b'"x"', b"null", b"true", b"{", b""],
)
async def test_a_body_that_is_not_a_json_object_is_400(client, body: bytes) -> None:
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    # and the app goes on answering
    ok = await client.post("/graphql", json={"query": "{ apiVersion }"})
    assert ok.status_code == 200 and "errors" not in ok.json()
