"""Production masks unexpected errors (a bug's message never reaches the client); development
shows them. The fault is injected into a real service function the resolver calls."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.config import Mode, Settings
from backend.services import catalog

SECRET = "relation customers_secret_column does not exist"


async def _broken(**_: Any) -> Any:
    raise RuntimeError(SECRET)


@pytest.mark.parametrize("mode", [Mode.PRODUCTION, Mode.DEVELOPMENT])
async def test_unexpected_errors_are_masked_in_production(
    settings: Settings, db: str, monkeypatch: pytest.MonkeyPatch, mode: Mode
) -> None:
    monkeypatch.setattr(catalog, "packages", _broken)
    app = create_app(settings.with_overrides(mode=mode), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/graphql", json={"query": "{ apiVersion packages { code } }"})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None  # packages is non-null, so the whole result is null
    [error] = body["errors"]
    if mode is Mode.PRODUCTION:
        assert error["message"] == "Unexpected error."
        assert SECRET not in response.text
    else:
        assert error["message"] == SECRET
