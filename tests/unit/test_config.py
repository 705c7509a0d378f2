"""Settings from ICOK_* variables: defaults, one clear line per invalid value, secrets."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from backend.config import (
    EXAMPLE_BANK_ROUTING,
    EXAMPLE_SELLER_NIP,
    MIN_SECRET_LENGTH,
    PAYU_API_URL,
    SECRET_FILE,
    ConfigError,
    LogFormat,
    Mode,
    PaymentProviderName,
    PayUSettings,
    ProvisioningMode,
    Settings,
    TimeoutAction,
    load_settings,
    serving_base_url,
)

SECRET = "s" * MIN_SECRET_LENGTH
PAYU = {
    "ICOK_PAYMENT_PROVIDER": "payu",
    "ICOK_PAYU_POS_ID": "145227",
    "ICOK_PAYU_CLIENT_ID": "145227",
    "ICOK_PAYU_CLIENT_SECRET": "12f071174cb7eb79d4aac5bc2f07563f",
    "ICOK_PAYU_SECOND_KEY": "13a980d4f851f3d9a1cfc792fb1f5e50",
}

SELLER = {"ICOK_SELLER_NIP": "PL 118-000-01-13", "ICOK_BANK_ROUTING": "1140 2004"}
"""A production seller: not the example NIP and sort code."""


def _load(tmp_path: Path, **env: str):
    return load_settings({"ICOK_DATA_DIR": str(tmp_path / "data"), **env}, env_file=None)


def test_defaults(tmp_path: Path) -> None:
    settings = _load(tmp_path)
    assert settings.mode is Mode.DEVELOPMENT
    assert not settings.production
    assert settings.data_dir == tmp_path / "data"
    assert settings.data_dir.is_dir()
    assert settings.database_url == f"sqlite://{(tmp_path / 'data' / 'icok.sqlite3').resolve()}"
    assert settings.is_sqlite
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.mail_url == "console://"
    assert settings.session_idle_seconds == 600
    assert settings.session_max_seconds == 43200
    assert settings.trusted_proxies == ()
    assert settings.mail_from == "ICOK <no-reply@icok.local>"
    assert not settings.secure_cookies
    assert len(settings.secret_key) >= MIN_SECRET_LENGTH
    assert settings.payment_provider is PaymentProviderName.SANDBOX
    assert settings.payu is None


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8080"),
        ("0.0.0.0", "http://127.0.0.1:8080"),  # noqa: S104 (the wildcard is the case tested)
        ("localhost", "http://localhost:8080"),
        ("::", "http://127.0.0.1:8080"),
        ("::1", "http://[::1]:8080"),
        ("192.168.1.20", "http://192.168.1.20:8080"),
    ],
)
def test_development_base_url_follows_the_served_port(
    tmp_path: Path, host: str, expected: str
) -> None:
    assert serving_base_url(_load(tmp_path), host, 8080) == expected


def test_a_set_base_url_wins_over_the_served_port(tmp_path: Path) -> None:
    given = _load(tmp_path, ICOK_BASE_URL="https://icok.example.pl/")
    assert serving_base_url(given, "127.0.0.1", 8080) == "https://icok.example.pl"
    # the default address, written out, is still a choice the operator made
    written = _load(tmp_path, ICOK_BASE_URL="http://127.0.0.1:8000")
    assert serving_base_url(written, "127.0.0.1", 8080) == "http://127.0.0.1:8000"
    production = _load(
        tmp_path,
        ICOK_MODE="production",
        ICOK_SECRET_KEY=SECRET,
        ICOK_BASE_URL="https://icok.example.pl",
        ICOK_MAIL_URL="smtp://mail.example.pl",
        **PAYU,
        **SELLER,
    )
    assert serving_base_url(production, "::", 8080) == "https://icok.example.pl"


@pytest.mark.parametrize("given", [None, "http://icok.example.pl", "http://127.0.0.1:8000"])
def test_production_needs_a_public_https_base_url(tmp_path: Path, given: str | None) -> None:
    """Production links (e-mails, PayU's notifyUrl) must reach the portal from outside."""
    env = {"ICOK_BASE_URL": given} if given else {}
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, ICOK_MODE="production", ICOK_SECRET_KEY=SECRET, **PAYU, **env)
    assert "ICOK_BASE_URL" in str(exc.value)
    assert "\n" not in str(exc.value)


def test_default_data_dir_is_relative_data(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({}, env_file=None)
    assert settings.data_dir == Path("data")
    assert (tmp_path / "data" / SECRET_FILE).is_file()


def test_values_are_read(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        ICOK_MODE="Production",
        ICOK_SECRET_KEY=SECRET,
        ICOK_DATABASE_URL="postgresql://icok:pw@db.internal:5432/icok",
        ICOK_BASE_URL="https://icok.example.pl/",
        ICOK_MAIL_URL="smtp+starttls://user:pw@mail.example.pl:587",
        ICOK_SESSION_IDLE_SECONDS="300",
        ICOK_SESSION_MAX_SECONDS="3600",
        ICOK_REFRESH_TOKEN_DAYS="30",
        ICOK_TRUSTED_PROXIES="10.0.0.1, 10.0.0.2,::1",
        ICOK_PROVISIONING_DELAY_SECONDS="0.5",
        ICOK_MAIL_FROM="Operator <bok@operator.example.pl>",
        **PAYU,
        **SELLER,
    )
    assert settings.production
    assert settings.secret_key == SECRET
    assert settings.database_url == "postgres://icok:pw@db.internal:5432/icok"
    assert not settings.is_sqlite
    assert settings.base_url == "https://icok.example.pl"
    assert settings.secure_cookies
    assert settings.session_idle_seconds == 300
    assert settings.session_max_seconds == 3600
    assert settings.refresh_token_days == 30
    assert settings.trusted_proxies == ("10.0.0.1", "10.0.0.2", "::1")
    assert settings.provisioning_delay_seconds == 0.5
    assert settings.mail_from == "Operator <bok@operator.example.pl>"
    assert settings.payment_provider is PaymentProviderName.PAYU
    assert settings.payu == PayUSettings(
        pos_id="145227",
        client_id="145227",
        client_secret="12f071174cb7eb79d4aac5bc2f07563f",
        second_key="13a980d4f851f3d9a1cfc792fb1f5e50",
        api_url=PAYU_API_URL,
    )


def test_payu_sandbox_host_in_development(tmp_path: Path) -> None:
    settings = _load(tmp_path, **PAYU, ICOK_PAYU_API_URL="https://secure.snd.payu.com/")
    assert settings.payu is not None
    assert settings.payu.api_url == "https://secure.snd.payu.com"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "ICOK_PAYMENT_PROVIDER=sandbox"),
        ({"ICOK_PAYMENT_PROVIDER": "sandbox"}, "ICOK_PAYMENT_PROVIDER=sandbox"),
        ({"ICOK_PAYMENT_PROVIDER": "stripe"}, "ICOK_PAYMENT_PROVIDER"),
        ({**PAYU, "ICOK_PAYU_SECOND_KEY": " "}, "ICOK_PAYU_SECOND_KEY"),
        ({**PAYU, "ICOK_PAYU_POS_ID": ""}, "ICOK_PAYU_POS_ID"),
        ({**PAYU, "ICOK_PAYU_POS_ID": "pos-1"}, "ICOK_PAYU_POS_ID"),
        ({**PAYU, "ICOK_PAYU_POS_ID": "١٢٣"}, "ICOK_PAYU_POS_ID"),  # digits, but not ASCII
        ({**PAYU, "ICOK_PAYU_API_URL": "https://secure.payu.com/x?y#z"}, "ICOK_PAYU_API_URL"),
        ({**PAYU, "ICOK_PAYU_API_URL": "http://secure.payu.com"}, "ICOK_PAYU_API_URL"),
        ({**PAYU, "ICOK_PAYU_API_URL": "secure.payu.com"}, "ICOK_PAYU_API_URL"),
    ],
)
def test_production_needs_a_real_payment_provider(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    """The sandbox takes no money; production refuses it and a provider without credentials."""
    with pytest.raises(ConfigError) as exc:
        _load(
            tmp_path,
            ICOK_MODE="production",
            ICOK_SECRET_KEY=SECRET,
            ICOK_BASE_URL="https://icok.example.pl",
            **env,
        )
    assert named in str(exc.value)
    assert "\n" not in str(exc.value)


PRODUCTION_READY = {
    **PAYU,
    "ICOK_MODE": "production",
    "ICOK_SECRET_KEY": SECRET,
    "ICOK_BASE_URL": "https://icok.example.pl",
    "ICOK_SELLER_NIP": "1180000113",
    "ICOK_BANK_ROUTING": "11402004",
    "ICOK_MAIL_URL": "smtp://mail.example.pl:25",
}


def test_provisioning_settings(tmp_path: Path) -> None:
    development = _load(tmp_path)
    assert development.provisioning is ProvisioningMode.SIMULATED
    assert (development.command_timeout_seconds, development.command_max_attempts) == (600, 3)
    assert development.command_timeout_action is TimeoutAction.RETRY
    chosen = _load(
        tmp_path,
        ICOK_PROVISIONING=" Operator ",
        ICOK_COMMAND_TIMEOUT_SECONDS="120",
        ICOK_COMMAND_TIMEOUT_ACTION="fail",
        ICOK_COMMAND_MAX_ATTEMPTS="5",
    )
    assert chosen.provisioning is ProvisioningMode.OPERATOR
    assert (chosen.command_timeout_seconds, chosen.command_max_attempts) == (120, 5)
    assert chosen.command_timeout_action is TimeoutAction.FAIL
    production = _load(tmp_path, **PRODUCTION_READY)
    assert production.provisioning is ProvisioningMode.OPERATOR  # the default there
    for name, value in [
        ("ICOK_PROVISIONING", "magic"),
        ("ICOK_COMMAND_TIMEOUT_SECONDS", "5"),
        ("ICOK_COMMAND_TIMEOUT_SECONDS", "ten"),
        ("ICOK_COMMAND_TIMEOUT_ACTION", "ignore"),
        ("ICOK_COMMAND_MAX_ATTEMPTS", "0"),
    ]:
        with pytest.raises(ConfigError, match=name):
            _load(tmp_path, **{name: value})


def test_production_refuses_simulated_provisioning(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ICOK_PROVISIONING=simulated") as exc:
        _load(tmp_path, **PRODUCTION_READY, ICOK_PROVISIONING="simulated")
    assert "\n" not in str(exc.value)


def test_payu_credentials_are_checked_in_development_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ICOK_PAYU_CLIENT_SECRET"):
        _load(tmp_path, **{**PAYU, "ICOK_PAYU_CLIENT_SECRET": ""})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ICOK_MODE", "staging"),
        ("ICOK_DATABASE_URL", "mysql://root@localhost/icok"),
        ("ICOK_DATABASE_URL", "icok.sqlite3"),
        ("ICOK_DATABASE_URL", "sqlite://"),
        ("ICOK_SECRET_KEY", "short"),
        ("ICOK_BASE_URL", "ftp://icok.example.pl"),
        ("ICOK_BASE_URL", "icok.example.pl"),
        ("ICOK_MAIL_URL", "http://mail.example.pl"),
        ("ICOK_MAIL_URL", "smtp://"),
        ("ICOK_SESSION_IDLE_SECONDS", "ten minutes"),
        ("ICOK_SESSION_IDLE_SECONDS", "0"),
        ("ICOK_SESSION_IDLE_SECONDS", "-5"),
        ("ICOK_SESSION_MAX_SECONDS", "1.5"),
        ("ICOK_SESSION_MAX_SECONDS", "60"),  # shorter than the idle timeout
        ("ICOK_REFRESH_TOKEN_DAYS", "0"),
        ("ICOK_REFRESH_TOKEN_DAYS", "366"),
        ("ICOK_PROVISIONING_DELAY_SECONDS", "soon"),
        ("ICOK_PROVISIONING_DELAY_SECONDS", "-1"),
        ("ICOK_TRUSTED_PROXIES", "10.0.0.1,proxy.local"),
        ("ICOK_MAIL_FROM", "ICOK"),
        ("ICOK_MAIL_FROM", "ICOK <a@example.pl>\nBcc: b@example.pl"),  # header injection
        ("ICOK_SELLER_NIP", "525-000-10-04"),  # wrong check digit
        ("ICOK_SELLER_NIP", "52500010"),
        ("ICOK_BANK_ROUTING", "10901015"),  # wrong check digit
        ("ICOK_BANK_ROUTING", "1090101"),
        ("ICOK_BANK_ROUTING", "１０９０１０１４"),  # digits, but not ASCII
        ("ICOK_BANK_ACCOUNT", "PL61109010140000071219812875"),
        ("ICOK_INVOICE_FOOTER", "x" * 301),
        ("ICOK_RATE_LIMIT_ANONYMOUS", "-1"),
        ("ICOK_RATE_LIMIT_SESSION", "lots"),
        ("ICOK_RATE_LIMIT_WINDOW_SECONDS", "0"),
    ],
)
def test_invalid_value_fails_with_one_line_naming_it(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, **{name: value})
    message = str(exc.value)
    assert name in message
    assert "\n" not in message


def test_unwritable_data_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ConfigError) as exc:
        load_settings({"ICOK_DATA_DIR": str(blocker / "data")}, env_file=None)
    assert "ICOK_DATA_DIR" in str(exc.value)
    assert "\n" not in str(exc.value)


def test_request_rate_limits(tmp_path: Path) -> None:
    def limits(settings: Settings) -> tuple[int, ...]:
        return (
            settings.rate_limit_window_seconds,
            settings.rate_limit_anonymous,
            settings.rate_limit_session,
            settings.rate_limit_operator,
        )

    assert limits(_load(tmp_path)) == (60, 300, 1200, 6000)
    names = ("WINDOW_SECONDS", "ANONYMOUS", "SESSION", "OPERATOR")
    env = {f"ICOK_RATE_LIMIT_{n}": v for n, v in zip(names, ("10", "0", "50", "500"), strict=True)}
    assert limits(_load(tmp_path, **env)) == (10, 0, 50, 500)


def test_production_requires_a_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, ICOK_MODE="production")
    assert "ICOK_SECRET_KEY" in str(exc.value)
    assert not (tmp_path / "data" / SECRET_FILE).exists()  # never silently generated


def test_generated_development_secret_is_kept(tmp_path: Path) -> None:
    first = _load(tmp_path)
    path = tmp_path / "data" / SECRET_FILE
    assert path.read_text().strip() == first.secret_key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _load(tmp_path).secret_key == first.secret_key
    other = load_settings({"ICOK_DATA_DIR": str(tmp_path / "other")}, env_file=None)
    assert other.secret_key != first.secret_key


def test_explicit_secret_wins_over_the_generated_one(tmp_path: Path) -> None:
    _load(tmp_path)
    assert _load(tmp_path, ICOK_SECRET_KEY=SECRET).secret_key == SECRET


def test_damaged_generated_secret_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / SECRET_FILE).write_text("\n")
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path)
    assert SECRET_FILE in str(exc.value)


def test_env_file_fills_in_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"ICOK_DATA_DIR={tmp_path / 'data'}\nICOK_SESSION_IDLE_SECONDS=120\nICOK_BASE_URL=https://a.example\n"
    )
    settings = load_settings({"ICOK_BASE_URL": "https://b.example"}, env_file=env_file)
    assert settings.session_idle_seconds == 120
    assert settings.base_url == "https://b.example"


def test_empty_values_mean_default(tmp_path: Path) -> None:
    settings = _load(tmp_path, ICOK_SESSION_IDLE_SECONDS="", ICOK_MAIL_URL="", ICOK_DATABASE_URL="")
    assert settings.session_idle_seconds == 600
    assert settings.mail_url == "console://"
    assert settings.is_sqlite


def test_operator_details_for_the_legal_texts(tmp_path: Path) -> None:
    defaults = _load(tmp_path)
    assert defaults.operator_name and defaults.dpo_contact and defaults.terms_version == "2026-01"
    given = _load(
        tmp_path,
        ICOK_OPERATOR_NAME="  Sat-Net   sp. z o.o. ",
        ICOK_OPERATOR_ADDRESS="ul. Długa 5, 31-147 Kraków",
        ICOK_OPERATOR_CONTACT="bok@satnet.pl",
        ICOK_DPO_CONTACT="iod@satnet.pl",
        ICOK_TERMS_VERSION="2027-02",
    )
    assert given.operator_name == "Sat-Net sp. z o.o."
    assert given.operator_address == "ul. Długa 5, 31-147 Kraków"
    assert given.operator_contact == "bok@satnet.pl"
    assert given.dpo_contact == "iod@satnet.pl"
    assert given.terms_version == "2027-02"
    with pytest.raises(ConfigError, match="ICOK_OPERATOR_NAME"):
        _load(tmp_path, ICOK_OPERATOR_NAME="x" * 201)


def test_seller_on_invoices(tmp_path: Path) -> None:
    defaults = _load(tmp_path)
    assert defaults.seller_nip == EXAMPLE_SELLER_NIP and defaults.bank_account == ""
    assert defaults.bank_routing == EXAMPLE_BANK_ROUTING and defaults.invoice_footer
    given = _load(
        tmp_path,
        **SELLER,
        ICOK_BANK_NAME=" mBank   S.A. ",
        ICOK_BANK_ACCOUNT="pl61 1090 1014 0000 0712 1981 2874",
        ICOK_INVOICE_FOOTER="Dziękujemy.  Sat-Net sp. z o.o., KRS 0000123456",
        ICOK_INVOICE_PLACE="Kraków",
    )
    assert given.seller_nip == "1180000113"
    assert given.bank_routing == "11402004"
    assert given.bank_name == "mBank S.A."
    assert given.bank_account == "PL61109010140000071219812874"
    assert given.invoice_footer == "Dziękujemy. Sat-Net sp. z o.o., KRS 0000123456"
    assert given.issue_place == "Kraków"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ICOK_BANK_ROUTING": "11402004"}, "ICOK_SELLER_NIP"),
        ({"ICOK_SELLER_NIP": "1180000113"}, "ICOK_BANK_ROUTING"),
    ],
)
def test_production_refuses_the_example_seller(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    """Invoices with the example NIP or the example bank account would mislead customers."""
    production = {
        "ICOK_MODE": "production",
        "ICOK_SECRET_KEY": SECRET,
        "ICOK_BASE_URL": "https://icok.example.pl",
        **PAYU,
    }
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, **production, **env)
    assert named in str(exc.value) and "example" in str(exc.value)
    fixed = _load(
        tmp_path,
        **production,
        ICOK_SELLER_NIP="1180000113",
        ICOK_BANK_ACCOUNT="PL61109010140000071219812874",
        ICOK_MAIL_URL="smtp://mail.example.pl",
    )
    assert fixed.bank_account == "PL61109010140000071219812874"  # no sort code needed then


@pytest.mark.parametrize("mail_url", ["", "console://", "console:"])
def test_production_refuses_mail_to_the_log(tmp_path: Path, mail_url: str) -> None:
    """console:// would write working reset and confirmation links to the production logs."""
    with pytest.raises(ConfigError, match="ICOK_MAIL_URL is console://") as exc:
        _load(tmp_path, **{**PRODUCTION_READY, "ICOK_MAIL_URL": mail_url})
    assert "\n" not in str(exc.value)
    assert _load(tmp_path, ICOK_MAIL_URL="console://").mail_url == "console://"  # development


def test_trusted_documents_switch(tmp_path: Path) -> None:
    assert _load(tmp_path).trusted_documents is False  # development: off
    assert _load(tmp_path, **PRODUCTION_READY).trusted_documents is True  # production: on
    assert (
        _load(tmp_path, **PRODUCTION_READY, ICOK_TRUSTED_DOCUMENTS="off").trusted_documents is False
    )
    assert _load(tmp_path, ICOK_TRUSTED_DOCUMENTS=" ON ").trusted_documents is True
    with pytest.raises(ConfigError, match="ICOK_TRUSTED_DOCUMENTS must be 'on' or 'off'"):
        _load(tmp_path, ICOK_TRUSTED_DOCUMENTS="yes")


def test_log_format(tmp_path: Path) -> None:
    assert _load(tmp_path).log_format is LogFormat.TEXT  # development: text
    assert _load(tmp_path, **PRODUCTION_READY).log_format is LogFormat.JSON  # production: JSON
    assert _load(tmp_path, **PRODUCTION_READY, ICOK_LOG_FORMAT="text").log_format is LogFormat.TEXT
    assert _load(tmp_path, ICOK_LOG_FORMAT=" JSON ").log_format is LogFormat.JSON
    with pytest.raises(ConfigError, match="ICOK_LOG_FORMAT must be 'json' or 'text'"):
        _load(tmp_path, ICOK_LOG_FORMAT="logfmt")


def test_trusted_documents_manifest_is_checked(tmp_path: Path) -> None:
    document = "query Mobile { apiVersion }"
    digest = hashlib.sha256(document.encode()).hexdigest()
    good = tmp_path / "good.json"
    good.write_text(json.dumps({f"sha256:{digest}": document}))
    loaded = _load(tmp_path, ICOK_TRUSTED_DOCUMENTS_MANIFEST=str(good))
    assert loaded.trusted_documents_manifest == good
    assert _load(tmp_path).trusted_documents_manifest is None
    broken = {
        "missing.json": None,
        "not-json.json": "{",
        "list.json": json.dumps([document]),
        "md5.json": json.dumps({hashlib.md5(document.encode()).hexdigest(): document}),  # noqa: S324
        "wrong-hash.json": json.dumps({digest: document + " "}),
        "not-text.json": json.dumps({digest: {"query": document}}),
    }
    for name, content in broken.items():
        path = tmp_path / name
        if content is not None:
            path.write_text(content)
        with pytest.raises(ConfigError, match="ICOK_TRUSTED_DOCUMENTS_MANIFEST") as exc:
            _load(tmp_path, ICOK_TRUSTED_DOCUMENTS_MANIFEST=str(path))
        assert "\n" not in str(exc.value), name


def test_captcha_proof_difficulty(tmp_path: Path) -> None:
    assert _load(tmp_path).captcha_proof_max_number == 100_000
    assert _load(tmp_path, ICOK_CAPTCHA_PROOF_MAX_NUMBER="5000").captcha_proof_max_number == 5000
    for bad in ["0", "-1", "lots", "10000001"]:
        with pytest.raises(ConfigError, match="ICOK_CAPTCHA_PROOF_MAX_NUMBER"):
            _load(tmp_path, ICOK_CAPTCHA_PROOF_MAX_NUMBER=bad)


METRICS_TOKEN = "scraper-" + "t" * 24


def test_metrics_on_in_development_off_in_production(tmp_path: Path) -> None:
    assert _load(tmp_path).metrics is True
    assert _load(tmp_path, ICOK_METRICS="off").metrics is False
    assert _load(tmp_path, **PRODUCTION_READY).metrics is False
    on = _load(tmp_path, **PRODUCTION_READY, ICOK_METRICS="on", ICOK_METRICS_TOKEN=METRICS_TOKEN)
    assert (on.metrics, on.metrics_token) == (True, METRICS_TOKEN)
    with pytest.raises(ConfigError, match="ICOK_METRICS_TOKEN"):
        _load(tmp_path, **PRODUCTION_READY, ICOK_METRICS="on")
    with pytest.raises(ConfigError, match="ICOK_METRICS must be"):
        _load(tmp_path, ICOK_METRICS="yes")
    for bad in ("short", "x" * 201, "with space " + "x" * 20, "zażółć" * 5):
        with pytest.raises(ConfigError, match="ICOK_METRICS_TOKEN must be"):
            _load(tmp_path, ICOK_METRICS_TOKEN=bad)


def test_password_hash_pool_settings(tmp_path: Path) -> None:
    """bcrypt's threads and queue: automatic by default (the cores but one, 4 per thread),
    or set; nonsense is refused with the variable's name."""
    from backend.services.passwords import hash_admits, hash_threads

    automatic = _load(tmp_path)
    assert automatic.password_hash_threads is None and automatic.password_hash_queue is None
    assert hash_threads(automatic) == max(1, len(os.sched_getaffinity(0)) - 1)
    assert hash_admits(automatic) == 5 * hash_threads(automatic)
    set_ = _load(tmp_path, ICOK_PASSWORD_HASH_THREADS="3", ICOK_PASSWORD_HASH_QUEUE="0")
    assert (hash_threads(set_), hash_admits(set_)) == (3, 3)
    for name, value in [
        ("ICOK_PASSWORD_HASH_THREADS", "0"),
        ("ICOK_PASSWORD_HASH_THREADS", "many"),
        ("ICOK_PASSWORD_HASH_THREADS", "257"),
        ("ICOK_PASSWORD_HASH_QUEUE", "-1"),
    ]:
        with pytest.raises(ConfigError, match=name):
            _load(tmp_path, **{name: value})
