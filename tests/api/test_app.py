"""The app boots; health checks; GraphQL transport rules; SPA routing; security headers."""

from __future__ import annotations

import httpx
import pytest

from backend import __version__
from backend.app import create_app
from backend.config import Mode, Settings


async def test_trivial_query(gql) -> None:
    data = await gql("{ apiVersion serverTime }")
    assert data["apiVersion"] == __version__
    assert data["serverTime"].endswith("+00:00")


async def test_health_endpoints(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok"}


async def test_spa_served_for_client_routes(client: httpx.AsyncClient) -> None:
    for path in ("/", "/uslugi", "/payments/history"):
        response = await client.get(path)
        assert response.status_code == 200
        assert "<html" in response.text
    missing = await client.get("/js/missing-file.js")
    assert missing.status_code == 404


async def test_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert (
        "unsafe-inline"
        not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


async def test_cross_origin_post_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ apiVersion }"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "CROSS_ORIGIN"
    same = await client.post(
        "/graphql", json={"query": "{ apiVersion }"}, headers={"Origin": "http://testserver"}
    )
    assert same.status_code == 200


async def test_form_post_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content="query={apiVersion}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415


async def test_development_mode_keeps_explorer_and_introspection(client, gql) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    data = await gql("{ __schema { queryType { name } } }")
    assert data["__schema"]["queryType"]["name"] == "Query"


@pytest.fixture
def production_client(settings: Settings, db: str):
    app = create_app(settings.with_overrides(mode=Mode.PRODUCTION), manage_database=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_production_switches(production_client: httpx.AsyncClient) -> None:
    async with production_client as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code in (404, 405)
        via_get = await client.get("/graphql", params={"query": "{ apiVersion }"})
        assert via_get.status_code in (400, 404, 405)
        introspection = await client.post(
            "/graphql", json={"query": "{ __schema { queryType { name } } }"}
        )
        body = introspection.json()
        assert body.get("data") is None
        assert "introspection" in body["errors"][0]["message"].lower()
        typo = await client.post("/graphql", json={"query": "{ apiVersio }"})
        message = typo.json()["errors"][0]["message"]
        assert "Did you mean" not in message
        assert "apiVersio" in message
        headers = (await client.get("/")).headers
        assert "strict-transport-security" in headers


async def test_development_suggests_fields(gql) -> None:
    body = await gql("{ apiVersio }", expect_errors=True)
    assert "Did you mean" in body["errors"][0]["message"]


async def test_depth_and_alias_limits(gql) -> None:
    aliases = " ".join(f"a{i}: apiVersion" for i in range(40))
    body = await gql("{ " + aliases + " }", expect_errors=True)
    assert body["errors"]
