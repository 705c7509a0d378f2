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
    settings: Settings, db: str, monkeypatch: pytest.MonkeyPatch, mode: Mode, caplog
) -> None:
    monkeypatch.setattr(catalog, "catalogue", _broken)
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
    # the operator sees the bug in the log, with its traceback, in both modes
    logged = [r for r in caplog.records if r.name == "icok.graphql" and r.levelname == "ERROR"]
    assert len(logged) == 1 and logged[0].exc_info and SECRET in str(logged[0].exc_info[1])


LOGIN = """mutation ($i: LoginInput!) { login(input: $i) { errors { code } } }"""


@pytest.mark.parametrize("mode", [Mode.PRODUCTION, Mode.DEVELOPMENT])
async def test_a_bad_variable_is_not_logged_nor_repeated(
    settings: Settings, db: str, mode: Mode, caplog
) -> None:
    """A client's malformed input is its own mistake: not an ERROR in the operator's log, and
    its value (here a password and a PESEL) is written nowhere, not even back in the answer."""
    app = create_app(settings.with_overrides(mode=mode), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    variables = {
        "i": {"login": "anna@example.com", "password": "Sekret-Haslo-77", "x": "78031445716"}
    }
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/graphql", json={"query": LOGIN, "variables": variables})
    messages = [e["message"] for e in response.json()["errors"]]
    assert messages and all(m.startswith("Variable '$i' has invalid value") for m in messages)
    assert any("captchaId" in m for m in messages)  # what is wrong is still said
    for secret in ("Sekret-Haslo-77", "78031445716"):
        assert secret not in response.text
        assert secret not in caplog.text
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
