"""The operator's webhook endpoints and the retry schedule from ICOK_* variables: one clear
``ConfigError`` line for every malformed URL, name or secret; https only in production."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from backend.config import ConfigError, Settings, WebhookEndpoint, load_settings
from tests.unit.test_config import PAYU, SECRET, SELLER
from tests.webhook_receiver import new_secret

WHSEC = new_secret()


def _load(tmp_path: Path, **env: str) -> Settings:
    return load_settings({"ICOK_DATA_DIR": str(tmp_path / "data"), **env}, env_file=None)


def _schedule(settings: Settings) -> tuple[int, float, float, float]:
    return (
        settings.webhook_max_attempts,
        settings.webhook_backoff_seconds,
        settings.webhook_backoff_cap_seconds,
        settings.webhook_timeout_seconds,
    )


def test_no_endpoints_and_the_default_schedule(tmp_path: Path) -> None:
    settings = _load(tmp_path)
    assert settings.webhook_endpoints == ()
    assert _schedule(settings) == (16, 5.0, 3600.0, 10.0)


def test_endpoints_with_their_secrets(tmp_path: Path) -> None:
    other = new_secret()
    settings = _load(
        tmp_path,
        ICOK_WEBHOOK_URLS=" bss=https://bss.example/hooks , CRM = http://10.0.0.5:8080/in,",
        ICOK_WEBHOOK_SECRET_BSS=WHSEC,
        ICOK_WEBHOOK_SECRET_CRM=f" {other} ",
        ICOK_WEBHOOK_MAX_ATTEMPTS="5",
        ICOK_WEBHOOK_BACKOFF_SECONDS="1.5",
        ICOK_WEBHOOK_BACKOFF_CAP_SECONDS="60",
        ICOK_WEBHOOK_TIMEOUT_SECONDS="3",
    )
    assert settings.webhook_endpoints == (
        WebhookEndpoint("bss", "https://bss.example/hooks", WHSEC),
        WebhookEndpoint("crm", "http://10.0.0.5:8080/in", other),
    )
    assert _schedule(settings) == (5, 1.5, 60.0, 3.0)


SHORT = "whsec_" + base64.b64encode(b"x" * 16).decode()


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"ICOK_WEBHOOK_URLS": "https://bss.example/hooks"}, "name=url pairs"),
        ({"ICOK_WEBHOOK_URLS": "=https://bss.example/hooks"}, "name=url pairs"),
        ({"ICOK_WEBHOOK_URLS": "b ss=https://bss.example/hooks"}, "name=url pairs"),
        ({"ICOK_WEBHOOK_URLS": "bss\x00=https://bss.example/hooks"}, "name=url pairs"),
        ({"ICOK_WEBHOOK_URLS": "x" * 33 + "=https://bss.example/hooks"}, "name=url pairs"),
        ({"ICOK_WEBHOOK_URLS": "bss=ftp://bss.example/hooks"}, "bss must be an http(s) URL"),
        ({"ICOK_WEBHOOK_URLS": "bss="}, "bss must be an http(s) URL"),
        ({"ICOK_WEBHOOK_URLS": "bss=https://"}, "bss must be an http(s) URL"),
        (
            {
                "ICOK_WEBHOOK_URLS": "bss=https://a/h,BSS=https://b/h",
                "ICOK_WEBHOOK_SECRET_BSS": WHSEC,
            },
            "names the endpoint 'bss' twice",
        ),
        ({"ICOK_WEBHOOK_URLS": "bss=https://a/h"}, "ICOK_WEBHOOK_SECRET_BSS is required"),
        (
            {"ICOK_WEBHOOK_URLS": "bss=https://a/h", "ICOK_WEBHOOK_SECRET_BSS": "hunter2"},
            "ICOK_WEBHOOK_SECRET_BSS must be a Standard Webhooks secret",
        ),
        (
            {"ICOK_WEBHOOK_URLS": "bss=https://a/h", "ICOK_WEBHOOK_SECRET_BSS": "whsec_!!!!" * 8},
            "ICOK_WEBHOOK_SECRET_BSS must be a Standard Webhooks secret",
        ),
        (
            {"ICOK_WEBHOOK_URLS": "bss=https://a/h", "ICOK_WEBHOOK_SECRET_BSS": SHORT},
            "ICOK_WEBHOOK_SECRET_BSS must be a Standard Webhooks secret",
        ),
        (
            {"ICOK_WEBHOOK_URLS": "bss=https://a/h", "ICOK_WEBHOOK_SECRET_BSS": WHSEC[6:]},
            "ICOK_WEBHOOK_SECRET_BSS must be a Standard Webhooks secret",
        ),
        ({"ICOK_WEBHOOK_MAX_ATTEMPTS": "0"}, "ICOK_WEBHOOK_MAX_ATTEMPTS must be at least 1"),
        ({"ICOK_WEBHOOK_BACKOFF_SECONDS": "0"}, "ICOK_WEBHOOK_BACKOFF_SECONDS must be at least"),
        (
            {"ICOK_WEBHOOK_BACKOFF_SECONDS": "90", "ICOK_WEBHOOK_BACKOFF_CAP_SECONDS": "60"},
            "at most ICOK_WEBHOOK_BACKOFF_CAP_SECONDS (60)",
        ),
        ({"ICOK_WEBHOOK_TIMEOUT_SECONDS": "0"}, "ICOK_WEBHOOK_TIMEOUT_SECONDS must be between"),
        ({"ICOK_WEBHOOK_TIMEOUT_SECONDS": "soon"}, "ICOK_WEBHOOK_TIMEOUT_SECONDS must be a number"),
    ],
)
def test_a_malformed_value_is_refused_with_one_line(
    tmp_path: Path, env: dict[str, str], needle: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, **env)
    message = str(refused.value)
    assert needle in message and "\n" not in message
    assert WHSEC not in message  # a secret is never echoed


def test_production_accepts_https_endpoints_only(tmp_path: Path) -> None:
    production = {
        "ICOK_MODE": "production",
        "ICOK_SECRET_KEY": SECRET,
        "ICOK_BASE_URL": "https://icok.example.pl",
        "ICOK_MAIL_URL": "smtp://mail.example.pl",
        **PAYU,
        **SELLER,
        "ICOK_WEBHOOK_SECRET_BSS": WHSEC,
    }
    with pytest.raises(ConfigError, match="bss must be https:// in production"):
        _load(tmp_path, **production, ICOK_WEBHOOK_URLS="bss=http://bss.example/hooks")
    settings = _load(tmp_path, **production, ICOK_WEBHOOK_URLS="bss=https://bss.example/hooks")
    assert [e.url for e in settings.webhook_endpoints] == ["https://bss.example/hooks"]
