"""The GraphiQL explorer: served in development from the vendored assets (works offline, no CDN),
under the app's CSP without inline scripts; absent in production."""

from __future__ import annotations

import re

import httpx

from backend.app import create_app
from backend.config import Mode, Settings

HTML = {"Accept": "text/html"}


async def test_development_serves_the_offline_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    page = response.text
    assert "<script>" not in page and "style=" not in page  # nothing inline
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    for source in sources:
        asset = await client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 0
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe" not in policy
    assert "font-src 'self' data:;" in policy  # GraphiQL's stylesheet embeds its fonts


async def test_production_has_no_explorer(settings: Settings, db: str) -> None:
    app = create_app(settings.with_overrides(mode=Mode.PRODUCTION), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/graphql", headers=HTML)
    assert response.status_code != 200
    assert "graphiql" not in response.text.lower()
