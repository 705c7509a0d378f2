"""Settings read once from ``ICOK_*`` environment variables (and an optional ``.env`` file).

Every invalid value raises :class:`ConfigError` with one line naming the variable, so the CLI can
print it and exit instead of showing a traceback.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values
from stdnum import iban
from stdnum.pl import nip


class ConfigError(Exception):
    """A configuration value is missing or invalid; the message names the variable."""


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class ProvisioningMode(StrEnum):
    SIMULATED = "simulated"
    """Commands complete by themselves after ``provisioning_delay_seconds`` (development, demo)."""
    OPERATOR = "operator"
    """Commands go to the operator as events; it reports their outcome through its API."""


class TimeoutAction(StrEnum):
    RETRY = "retry"
    FAIL = "fail"


class LogFormat(StrEnum):
    JSON = "json"
    """One JSON object per line (``backend.logging_setup``): production's default."""
    TEXT = "text"
    """``LEVEL logger [request id]: message`` lines: development's default."""


class PaymentProviderName(StrEnum):
    SANDBOX = "sandbox"
    PAYU = "payu"


PAYU_API_URL = "https://secure.payu.com"
"""PayU's production host; its sandbox is ``https://secure.snd.payu.com`` (REFERENCE.md §1)."""


@dataclass(frozen=True)
class PayUSettings:
    """One PayU point of sale (POS): its id, OAuth client and the second key (MD5) that signs
    notifications, as shown in PayU's merchant panel."""

    pos_id: str
    client_id: str
    client_secret: str
    second_key: str
    api_url: str = PAYU_API_URL


EXAMPLE_SELLER_NIP = "5250001003"
"""The NIP shipped as the default (valid, but nobody's): production refuses it."""
EXAMPLE_BANK_ROUTING = "10901014"
"""The bank sort code shipped as the default: production refuses it unless a fixed account is set."""

SECRET_FILE = "secret_key"
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class WebhookEndpoint:
    """One of the operator's webhook endpoints: events are delivered to ``url``, signed with
    ``secret`` (a Standard Webhooks ``whsec_...`` secret); ``name`` identifies its deliveries."""

    name: str
    url: str
    secret: str


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    database_url: str = ""
    mode: Mode = Mode.DEVELOPMENT
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    base_url_set: bool = False
    """``ICOK_BASE_URL`` was given (else ``base_url`` is the default, see :func:`serving_base_url`)."""
    mail_url: str = "console://"
    mail_from: str = "ICOK <no-reply@icok.local>"
    session_idle_seconds: int = 600
    session_max_seconds: int = 43200
    refresh_token_days: int = 90
    """A mobile app's login on a device (its refresh tokens) lasts this long from the login."""
    captcha_proof_max_number: int = 100_000
    """The captcha's proof of work (ALTCHA): its counter is drawn from 0 to this, so a browser
    computes half of it in SHA-256 hashes on average (0.3–1 s on a phone at the default)."""
    provisioning_delay_seconds: float = 3.0
    provisioning: ProvisioningMode = ProvisioningMode.SIMULATED
    command_timeout_seconds: int = 600
    """A command the operator has not completed this long after it was requested is delayed."""
    command_timeout_action: TimeoutAction = TimeoutAction.RETRY
    command_max_attempts: int = 3
    """With ``retry``: how many times a command is handed over before it fails."""
    payment_timeout_seconds: int = 1800
    trusted_proxies: tuple[str, ...] = field(default_factory=tuple)
    # Who runs the portal, for the terms and the personal-data clause (``backend.legal``).
    operator_name: str = "ICOK Operator sp. z o.o."
    operator_address: str = "ul. Przykładowa 1, 00-001 Warszawa"
    operator_contact: str = "bok@icok.local, tel. 22 100 00 00"
    dpo_contact: str = "iod@icok.local"
    terms_version: str = "2026-01"
    """Recorded with every registration: change it with the terms."""
    payment_provider: PaymentProviderName = PaymentProviderName.SANDBOX
    payu: PayUSettings | None = None
    # The seller on invoices (its name and address are ``operator_name``/``operator_address``).
    seller_nip: str = EXAMPLE_SELLER_NIP
    """The seller's NIP, ten digits without separators."""
    bank_name: str = "Bank Przykładowy S.A."
    bank_routing: str = EXAMPLE_BANK_ROUTING
    """The bank's 8-digit sort code inside each customer's individual (virtual) IBAN."""
    bank_account: str = ""
    """A fixed IBAN (compact) for every invoice instead of individual accounts; "" for none."""
    invoice_footer: str = "Faktura wystawiona elektronicznie, nie wymaga podpisu."
    issue_place: str = "Warszawa"
    webhook_endpoints: tuple[WebhookEndpoint, ...] = ()
    """Where events for the operator are delivered (none: the operator pulls them)."""
    webhook_max_attempts: int = 16
    """Attempts per delivery before it is dead (16 with the default backoff: about 6.4 hours)."""
    webhook_backoff_seconds: float = 5.0
    """The wait after the first failed attempt; it doubles after each one (jitter ±10 %)..."""
    webhook_backoff_cap_seconds: float = 3600.0
    """...up to this wait."""
    webhook_timeout_seconds: float = 10.0
    """How long one webhook request may take (connecting, sending, the answer)."""
    # The general request rate limit on the GraphQL endpoints (``backend.ratelimit_middleware``):
    # requests per client per window; 0 turns that kind of counting off.
    rate_limit_window_seconds: int = 60
    rate_limit_anonymous: int = 300
    """Per address (IPv6: per /64), for requests without an accepted credential."""
    rate_limit_session: int = 1200
    """Per customer or staff session (the SPA's dashboard fires a few requests per page)."""
    rate_limit_operator: int = 6000
    """Per operator API key (the operator's system, e.g. batches of invoices)."""
    database_timeout_seconds: float = 30.0
    """The server's bound on every wait for PostgreSQL (connecting, one statement, a free pooled
    connection): past it the request answers 503 ``SERVICE_UNAVAILABLE`` (a network partition
    costs each request this long, not the partition's length). ``ICOK_DATABASE_TIMEOUT_SECONDS``;
    the CLI's commands have none."""
    readiness_timeout_seconds: float = 2.0
    """How long ``/readyz``'s database check may take; past it the database is "unreachable"."""
    readiness_cache_seconds: float = 1.0
    """How long ``/readyz`` reuses its last verdict (0: checks on every probe)."""
    password_hash_threads: int | None = None
    """bcrypt's worker threads (``backend.services.passwords.hash_threads``); None: the CPU
    cores minus one, at least 1."""
    password_hash_queue: int | None = None
    """Password checks that may wait for those threads beyond the running ones; more are
    refused ``SERVER_BUSY`` at once. None: 4 per thread."""
    trusted_documents: bool = False
    """Only registered GraphQL documents run on ``/graphql`` and ``/console/graphql``
    (``backend.trusted_documents``); ``ICOK_TRUSTED_DOCUMENTS``, on by default in production."""
    trusted_documents_manifest: Path | None = None
    """The mobile app's manifest (``{sha256: document}`` JSON), registered on ``/graphql``."""
    metrics: bool = True
    """``/metrics`` answers (``backend.metrics``); ``ICOK_METRICS``, off by default in production."""
    metrics_token: str = ""
    """The bearer token ``/metrics`` requires ("": none; production requires one when on)."""
    metrics_database_timeout_seconds: float = 2.0
    """How long one scrape's database figures may take before the database is reported down."""
    log_format: LogFormat = LogFormat.TEXT
    """How the server logs (``backend.logging_setup``); ``ICOK_LOG_FORMAT``, JSON by default
    in production."""

    @property
    def production(self) -> bool:
        return self.mode is Mode.PRODUCTION

    @property
    def secure_cookies(self) -> bool:
        """Secure cookies everywhere except development on plain http."""
        return self.production or self.base_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _readiness_timeout(env: Mapping[str, str]) -> float:
    value = _float(env, "ICOK_READINESS_TIMEOUT_SECONDS", 2.0)
    if not 0.1 <= value <= 60:
        raise ConfigError(
            f"ICOK_READINESS_TIMEOUT_SECONDS must be between 0.1 and 60, got {value:g}"
        )
    return value


def _database_timeout(env: Mapping[str, str]) -> float:
    value = _float(env, "ICOK_DATABASE_TIMEOUT_SECONDS", 30.0)
    if not 0.1 <= value <= 3600:
        raise ConfigError(
            f"ICOK_DATABASE_TIMEOUT_SECONDS must be between 0.1 and 3600, got {value:g}"
        )
    return value


def _optional_int(env: Mapping[str, str], name: str, minimum: int, maximum: int) -> int | None:
    """A whole number from ``minimum`` to ``maximum``, or None when the variable is empty."""
    if not env.get(name):
        return None
    value = _int(env, name, 0, minimum)
    if value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return value


def _captcha_proof_max_number(env: Mapping[str, str]) -> int:
    value = _int(env, "ICOK_CAPTCHA_PROOF_MAX_NUMBER", Settings.captcha_proof_max_number)
    if value > 10_000_000:
        raise ConfigError(f"ICOK_CAPTCHA_PROOF_MAX_NUMBER must be at most 10000000, got {value}")
    return value


def _webhook_timeout(env: Mapping[str, str]) -> float:
    value = _float(env, "ICOK_WEBHOOK_TIMEOUT_SECONDS", 10.0)
    if not 0.1 <= value <= 300:
        raise ConfigError(
            f"ICOK_WEBHOOK_TIMEOUT_SECONDS must be between 0.1 and 300, got {value:g}"
        )
    return value


def _text(env: Mapping[str, str], name: str, default: str, limit: int = 200) -> str:
    """A one-line text setting: trimmed, the default when empty."""
    value = " ".join((env.get(name) or "").split())
    if len(value) > limit:
        raise ConfigError(f"{name} must be at most {limit} characters long")
    return value or default


def _database_url(raw: str | None, data_dir: Path) -> str:
    if not raw:
        return f"sqlite://{(data_dir / 'icok.sqlite3').resolve()}"
    scheme = urlsplit(raw).scheme
    if raw.startswith("sqlite://"):
        if raw == "sqlite://":
            raise ConfigError(
                "ICOK_DATABASE_URL sqlite:// needs a file path, e.g. sqlite:///srv/icok.db"
            )
        return raw
    if scheme in ("postgres", "postgresql", "asyncpg"):
        return "postgres://" + raw.split("://", 1)[1]
    raise ConfigError(
        f"ICOK_DATABASE_URL must start with sqlite:// or postgres://, got {scheme or raw!r}"
    )


def _mail_url(raw: str | None) -> str:
    if not raw:
        return "console://"
    scheme = urlsplit(raw).scheme
    if scheme not in ("console", "smtp", "smtps", "smtp+starttls"):
        raise ConfigError(
            f"ICOK_MAIL_URL must be console://, smtp://, smtps:// or smtp+starttls://, got {raw!r}"
        )
    if scheme != "console" and not urlsplit(raw).hostname:
        raise ConfigError(
            f"ICOK_MAIL_URL needs a host, e.g. smtp://mail.example.com:25, got {raw!r}"
        )
    return raw


def _mail_from(raw: str | None) -> str:
    if not raw:
        return Settings.mail_from
    _, address = parseaddr(raw)
    if "@" not in address or any(c in raw for c in "\r\n"):
        raise ConfigError(
            f"ICOK_MAIL_FROM must be an address like 'ICOK <no-reply@example.pl>', got {raw!r}"
        )
    return raw


def _base_url(raw: str | None) -> str:
    if not raw:
        return "http://127.0.0.1:8000"
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"ICOK_BASE_URL must be an http(s) URL, got {raw!r}")
    return raw.rstrip("/")


def serving_base_url(settings: Settings, host: str, port: int) -> str:
    """The public address for ``icok serve --host HOST --port PORT``: ``ICOK_BASE_URL`` when it is
    set, and always in production; in development otherwise ``http://HOST:PORT``, so links in
    e-mails, PDFs and payment redirects point at the server that made them (a wildcard host is
    reached on loopback, an IPv6 address in brackets)."""
    if settings.base_url_set or settings.production:
        return settings.base_url
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a host name
        return f"http://{host}:{port}"
    if address.is_unspecified:
        return f"http://127.0.0.1:{port}"
    return f"http://[{host}]:{port}" if address.version == 6 else f"http://{host}:{port}"


def _development_secret(data_dir: Path) -> str:
    """A per-installation secret generated once and kept in the data directory."""
    path = data_dir / SECRET_FILE
    if path.exists():
        secret = path.read_text().strip()
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"ICOK_SECRET_KEY is not set and the generated secret in {str(path)!r} is "
                "damaged (too short); delete that file to generate a new one"
            )
        return secret
    secret = secrets.token_urlsafe(48)
    path.write_text(secret + "\n")
    path.chmod(0o600)
    return secret


def _trusted_proxies(raw: str) -> tuple[str, ...]:
    proxies = tuple(p.strip() for p in raw.split(",") if p.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_address(proxy)
        except ValueError:
            raise ConfigError(
                f"ICOK_TRUSTED_PROXIES must be a comma-separated list of IP addresses, got {proxy!r}"
            ) from None
    return proxies


PAYU_VARIABLES = {
    "pos_id": "ICOK_PAYU_POS_ID",
    "client_id": "ICOK_PAYU_CLIENT_ID",
    "client_secret": "ICOK_PAYU_CLIENT_SECRET",
    "second_key": "ICOK_PAYU_SECOND_KEY",
}


def _payment_provider(
    env: Mapping[str, str], mode: Mode
) -> tuple[PaymentProviderName, PayUSettings | None]:
    """The provider named by ``ICOK_PAYMENT_PROVIDER`` (default: the sandbox) and its settings.

    The sandbox approves payments without taking money, so production mode refuses it; a real
    provider must have all its credentials."""
    raw = (env.get("ICOK_PAYMENT_PROVIDER") or "sandbox").strip().lower()
    try:
        name = PaymentProviderName(raw)
    except ValueError:
        choices = ", ".join(p.value for p in PaymentProviderName)
        raise ConfigError(f"ICOK_PAYMENT_PROVIDER must be one of {choices}, got {raw!r}") from None
    if name is PaymentProviderName.SANDBOX:
        if mode is Mode.PRODUCTION:
            raise ConfigError(
                "ICOK_PAYMENT_PROVIDER=sandbox takes no money and is for development only: "
                "set ICOK_PAYMENT_PROVIDER=payu and its ICOK_PAYU_* settings for production"
            )
        return name, None
    values = {key: (env.get(var) or "").strip() for key, var in PAYU_VARIABLES.items()}
    missing = [PAYU_VARIABLES[key] for key, value in values.items() if not value]
    if missing:
        raise ConfigError(f"ICOK_PAYMENT_PROVIDER=payu needs {', '.join(missing)}")
    if not (values["pos_id"].isascii() and values["pos_id"].isdigit()):
        raise ConfigError(f"ICOK_PAYU_POS_ID must be a number, got {values['pos_id']!r}")
    api_url = (env.get("ICOK_PAYU_API_URL") or PAYU_API_URL).strip().rstrip("/")
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"ICOK_PAYU_API_URL must be an http(s) URL, got {api_url!r}")
    if parts.path or parts.query or parts.fragment:
        raise ConfigError(
            f"ICOK_PAYU_API_URL must be the host only, e.g. {PAYU_API_URL}, got {api_url!r}"
        )
    if mode is Mode.PRODUCTION and parts.scheme != "https":
        raise ConfigError(f"ICOK_PAYU_API_URL must be https:// in production, got {api_url!r}")
    return name, PayUSettings(api_url=api_url, **values)


def _seller_nip(raw: str | None, mode: Mode) -> str:
    value = nip.compact(raw or "") or EXAMPLE_SELLER_NIP
    if not nip.is_valid(value):
        raise ConfigError(f"ICOK_SELLER_NIP must be a valid Polish NIP (10 digits), got {raw!r}")
    if mode is Mode.PRODUCTION and value == EXAMPLE_SELLER_NIP:
        raise ConfigError(
            "ICOK_SELLER_NIP is the example value: set the seller's own NIP for production"
        )
    return value


def _bank_routing(raw: str | None) -> str:
    """A Polish bank sort code: 8 digits, the last the check digit of the first seven."""
    value = (raw or "").replace(" ", "").replace("-", "") or EXAMPLE_BANK_ROUTING
    if not (len(value) == 8 and value.isascii() and value.isdigit()):
        raise ConfigError(f"ICOK_BANK_ROUTING must be the bank's 8-digit sort code, got {raw!r}")
    weighted = sum(int(d) * w for d, w in zip(value, (3, 9, 7, 1, 3, 9, 7), strict=False))
    if (10 - weighted % 10) % 10 != int(value[7]):
        raise ConfigError(f"ICOK_BANK_ROUTING has a wrong check digit, got {raw!r}")
    return value


def _bank_account(raw: str | None) -> str:
    if not raw:
        return ""
    try:
        return str(iban.validate(raw))
    except ValueError:
        raise ConfigError(f"ICOK_BANK_ACCOUNT must be a valid IBAN, got {raw!r}") from None


WEBHOOK_NAME = re.compile(r"[a-z0-9_]{1,32}")
WEBHOOK_SECRET = re.compile(r"whsec_[A-Za-z0-9+/]{32,172}={0,2}")


def _webhook_endpoints(env: Mapping[str, str], mode: Mode) -> tuple[WebhookEndpoint, ...]:
    """``ICOK_WEBHOOK_URLS`` (comma-separated ``name=url``) with each endpoint's secret from
    ``ICOK_WEBHOOK_SECRET_<NAME>`` (a Standard Webhooks ``whsec_`` + base64 secret of 24 to 128
    bytes). Production accepts https:// URLs only."""
    endpoints: list[WebhookEndpoint] = []
    for item in (env.get("ICOK_WEBHOOK_URLS") or "").split(","):
        if not item.strip():
            continue
        name, sep, url = (part.strip() for part in item.partition("="))
        name = name.lower()
        if not sep or not WEBHOOK_NAME.fullmatch(name):
            raise ConfigError(
                "ICOK_WEBHOOK_URLS must be comma-separated name=url pairs (a name of letters, "
                f"digits and _, at most 32), got {item.strip()!r}"
            )
        if any(e.name == name for e in endpoints):
            raise ConfigError(f"ICOK_WEBHOOK_URLS names the endpoint {name!r} twice")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"ICOK_WEBHOOK_URLS: {name} must be an http(s) URL, got {url!r}")
        if mode is Mode.PRODUCTION and parts.scheme != "https":
            raise ConfigError(
                f"ICOK_WEBHOOK_URLS: {name} must be https:// in production, got {url!r}"
            )
        variable = f"ICOK_WEBHOOK_SECRET_{name.upper()}"
        secret = (env.get(variable) or "").strip()
        if not secret:
            raise ConfigError(f"{variable} is required for the webhook endpoint {name!r}")
        if not _valid_webhook_secret(secret):
            raise ConfigError(
                f"{variable} must be a Standard Webhooks secret: whsec_ followed by the base64 "
                "of 24 to 128 random bytes (e.g. whsec_$(openssl rand -base64 32))"
            )
        endpoints.append(WebhookEndpoint(name=name, url=url, secret=secret))
    return tuple(endpoints)


def _valid_webhook_secret(secret: str) -> bool:
    if not WEBHOOK_SECRET.fullmatch(secret):
        return False
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error:
        return False
    return 24 <= len(key) <= 128


def _trusted_documents(env: Mapping[str, str], mode: Mode) -> tuple[bool, Path | None]:
    """``ICOK_TRUSTED_DOCUMENTS`` (``on``/``off``; default on in production, off in development)
    and ``ICOK_TRUSTED_DOCUMENTS_MANIFEST``, a manifest file checked here (JSON object of
    SHA-256 hex to document, each key the hash of its document: ``backend.trusted_documents``)."""
    from backend.trusted_documents import load_manifest

    default = "on" if mode is Mode.PRODUCTION else "off"
    raw = (env.get("ICOK_TRUSTED_DOCUMENTS") or default).strip().lower()
    if raw not in ("on", "off"):
        raise ConfigError(f"ICOK_TRUSTED_DOCUMENTS must be 'on' or 'off', got {raw!r}")
    manifest = (env.get("ICOK_TRUSTED_DOCUMENTS_MANIFEST") or "").strip()
    if not manifest:
        return raw == "on", None
    path = Path(manifest)
    try:
        load_manifest(path)
    except ValueError as exc:
        raise ConfigError(f"ICOK_TRUSTED_DOCUMENTS_MANIFEST: {exc}") from None
    return raw == "on", path


METRICS_TOKEN = re.compile(r"[\x21-\x7e]{16,200}")
"""An ``ICOK_METRICS_TOKEN``: 16 to 200 visible ASCII characters (it travels in a header)."""


def _metrics(env: Mapping[str, str], mode: Mode) -> tuple[bool, str]:
    """``ICOK_METRICS`` (``on``/``off``; default off in production, on in development) and
    ``ICOK_METRICS_TOKEN`` (the bearer token ``/metrics`` then requires; production requires
    one when metrics are on: payment and traffic figures are not for everyone)."""
    default = "off" if mode is Mode.PRODUCTION else "on"
    raw = (env.get("ICOK_METRICS") or default).strip().lower()
    if raw not in ("on", "off"):
        raise ConfigError(f"ICOK_METRICS must be 'on' or 'off', got {raw!r}")
    token = (env.get("ICOK_METRICS_TOKEN") or "").strip()
    if token and not METRICS_TOKEN.fullmatch(token):
        raise ConfigError(
            "ICOK_METRICS_TOKEN must be 16 to 200 visible ASCII characters without spaces "
            "(e.g. openssl rand -hex 32)"
        )
    if raw == "on" and mode is Mode.PRODUCTION and not token:
        raise ConfigError(
            "ICOK_METRICS=on in production needs ICOK_METRICS_TOKEN (the scraper's bearer token)"
        )
    return raw == "on", token


def ensure_data_dir(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"ICOK_DATA_DIR {str(data_dir)!r} is not a writable directory ({exc.strerror})"
        ) from None


def _provisioning(env: Mapping[str, str], mode: Mode) -> ProvisioningMode:
    """``ICOK_PROVISIONING`` (default: simulated in development, operator in production, which
    refuses the simulation: it reports commands done that nobody carried out)."""
    default = ProvisioningMode.OPERATOR if mode is Mode.PRODUCTION else ProvisioningMode.SIMULATED
    raw = (env.get("ICOK_PROVISIONING") or default.value).strip().lower()
    try:
        value = ProvisioningMode(raw)
    except ValueError:
        raise ConfigError(
            f"ICOK_PROVISIONING must be 'simulated' or 'operator', got {raw!r}"
        ) from None
    if value is ProvisioningMode.SIMULATED and mode is Mode.PRODUCTION:
        raise ConfigError(
            "ICOK_PROVISIONING=simulated completes device commands without the operator and is "
            "for development only: set ICOK_PROVISIONING=operator for production"
        )
    return value


def _log_format(env: Mapping[str, str], mode: Mode) -> LogFormat:
    """``ICOK_LOG_FORMAT`` (``json``/``text``; default json in production, text in development)."""
    default = LogFormat.JSON if mode is Mode.PRODUCTION else LogFormat.TEXT
    raw = (env.get("ICOK_LOG_FORMAT") or default.value).strip().lower()
    try:
        return LogFormat(raw)
    except ValueError:
        raise ConfigError(f"ICOK_LOG_FORMAT must be 'json' or 'text', got {raw!r}") from None


def _timeout_action(env: Mapping[str, str]) -> TimeoutAction:
    raw = (env.get("ICOK_COMMAND_TIMEOUT_ACTION") or "retry").strip().lower()
    try:
        return TimeoutAction(raw)
    except ValueError:
        raise ConfigError(
            f"ICOK_COMMAND_TIMEOUT_ACTION must be 'retry' or 'fail', got {raw!r}"
        ) from None


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Read settings from the environment; values in ``env_file`` fill in what is not set."""
    env: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        env.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    env.update(os.environ if environ is None else environ)

    raw_mode = env.get("ICOK_MODE", "development") or "development"
    try:
        mode = Mode(raw_mode.lower())
    except ValueError:
        raise ConfigError(
            f"ICOK_MODE must be 'development' or 'production', got {raw_mode!r}"
        ) from None

    data_dir = Path(env.get("ICOK_DATA_DIR") or "data")
    ensure_data_dir(data_dir)

    secret = env.get("ICOK_SECRET_KEY", "")
    if secret and len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"ICOK_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters long")
    if not secret:
        if mode is Mode.PRODUCTION:
            raise ConfigError("ICOK_SECRET_KEY is required when ICOK_MODE=production")
        secret = _development_secret(data_dir)

    idle = _int(env, "ICOK_SESSION_IDLE_SECONDS", 600)
    maximum = _int(env, "ICOK_SESSION_MAX_SECONDS", 43200)
    if maximum < idle:
        raise ConfigError(
            "ICOK_SESSION_MAX_SECONDS must not be shorter than ICOK_SESSION_IDLE_SECONDS"
        )
    refresh_days = _int(env, "ICOK_REFRESH_TOKEN_DAYS", 90)
    if refresh_days > 365:
        raise ConfigError(f"ICOK_REFRESH_TOKEN_DAYS must be at most 365, got {refresh_days}")
    proxies = _trusted_proxies(env.get("ICOK_TRUSTED_PROXIES", ""))
    payment_timeout = _int(env, "ICOK_PAYMENT_TIMEOUT_SECONDS", 1800, minimum=60)
    if payment_timeout > 86400:
        raise ConfigError(
            f"ICOK_PAYMENT_TIMEOUT_SECONDS must be at most 86400 (a day), got {payment_timeout}"
        )
    base_url = _base_url(env.get("ICOK_BASE_URL"))
    if mode is Mode.PRODUCTION and not (
        env.get("ICOK_BASE_URL") and base_url.startswith("https://")
    ):
        raise ConfigError(
            "ICOK_BASE_URL must be set to the portal's public https:// address when "
            "ICOK_MODE=production (links in e-mails, the payment provider's notifications)"
        )
    provider, payu = _payment_provider(env, mode)
    backoff = _float(env, "ICOK_WEBHOOK_BACKOFF_SECONDS", 5.0)
    backoff_cap = _float(env, "ICOK_WEBHOOK_BACKOFF_CAP_SECONDS", 3600.0)
    if not 0.1 <= backoff <= backoff_cap:
        raise ConfigError(
            "ICOK_WEBHOOK_BACKOFF_SECONDS must be at least 0.1 and at most "
            f"ICOK_WEBHOOK_BACKOFF_CAP_SECONDS ({backoff_cap:g}), got {backoff:g}"
        )
    bank_account = _bank_account(env.get("ICOK_BANK_ACCOUNT"))
    bank_routing = _bank_routing(env.get("ICOK_BANK_ROUTING"))
    if mode is Mode.PRODUCTION and not bank_account and bank_routing == EXAMPLE_BANK_ROUTING:
        raise ConfigError(
            "ICOK_BANK_ROUTING is the example value: set your bank's sort code (or a fixed "
            "ICOK_BANK_ACCOUNT) for production"
        )
    trusted_documents, trusted_manifest = _trusted_documents(env, mode)
    metrics, metrics_token = _metrics(env, mode)
    settings = Settings(
        data_dir=data_dir,
        database_url=_database_url(env.get("ICOK_DATABASE_URL"), data_dir),
        mode=mode,
        secret_key=secret,
        base_url=base_url,
        base_url_set=bool(env.get("ICOK_BASE_URL")),
        mail_url=_mail_url(env.get("ICOK_MAIL_URL")),
        mail_from=_mail_from(env.get("ICOK_MAIL_FROM")),
        session_idle_seconds=idle,
        session_max_seconds=maximum,
        refresh_token_days=refresh_days,
        captcha_proof_max_number=_captcha_proof_max_number(env),
        provisioning_delay_seconds=_float(env, "ICOK_PROVISIONING_DELAY_SECONDS", 3.0),
        provisioning=_provisioning(env, mode),
        command_timeout_seconds=_int(env, "ICOK_COMMAND_TIMEOUT_SECONDS", 600, minimum=10),
        command_timeout_action=_timeout_action(env),
        command_max_attempts=_int(env, "ICOK_COMMAND_MAX_ATTEMPTS", 3),
        payment_timeout_seconds=payment_timeout,
        password_hash_threads=_optional_int(env, "ICOK_PASSWORD_HASH_THREADS", 1, 256),
        password_hash_queue=_optional_int(env, "ICOK_PASSWORD_HASH_QUEUE", 0, 10_000),
        trusted_proxies=proxies,
        payment_provider=provider,
        payu=payu,
        operator_name=_text(env, "ICOK_OPERATOR_NAME", Settings.operator_name),
        operator_address=_text(env, "ICOK_OPERATOR_ADDRESS", Settings.operator_address),
        operator_contact=_text(env, "ICOK_OPERATOR_CONTACT", Settings.operator_contact),
        dpo_contact=_text(env, "ICOK_DPO_CONTACT", Settings.dpo_contact),
        terms_version=_text(env, "ICOK_TERMS_VERSION", Settings.terms_version),
        seller_nip=_seller_nip(env.get("ICOK_SELLER_NIP"), mode),
        bank_name=_text(env, "ICOK_BANK_NAME", Settings.bank_name),
        bank_routing=bank_routing,
        bank_account=bank_account,
        invoice_footer=_text(env, "ICOK_INVOICE_FOOTER", Settings.invoice_footer, limit=300),
        issue_place=_text(env, "ICOK_INVOICE_PLACE", Settings.issue_place, limit=80),
        webhook_endpoints=_webhook_endpoints(env, mode),
        webhook_max_attempts=_int(env, "ICOK_WEBHOOK_MAX_ATTEMPTS", 16),
        webhook_backoff_seconds=backoff,
        webhook_backoff_cap_seconds=backoff_cap,
        webhook_timeout_seconds=_webhook_timeout(env),
        rate_limit_window_seconds=_int(env, "ICOK_RATE_LIMIT_WINDOW_SECONDS", 60),
        rate_limit_anonymous=_int(env, "ICOK_RATE_LIMIT_ANONYMOUS", 300, minimum=0),
        rate_limit_session=_int(env, "ICOK_RATE_LIMIT_SESSION", 1200, minimum=0),
        rate_limit_operator=_int(env, "ICOK_RATE_LIMIT_OPERATOR", 6000, minimum=0),
        trusted_documents=trusted_documents,
        trusted_documents_manifest=trusted_manifest,
        metrics=metrics,
        metrics_token=metrics_token,
        log_format=_log_format(env, mode),
        database_timeout_seconds=_database_timeout(env),
        readiness_timeout_seconds=_readiness_timeout(env),
        readiness_cache_seconds=_float(env, "ICOK_READINESS_CACHE_SECONDS", 1.0),
    )
    if mode is Mode.PRODUCTION and settings.mail_url.startswith("console:"):
        raise ConfigError(
            "ICOK_MAIL_URL is console:// (mail, with working password-reset and confirmation "
            "links, would go to the log): set your mail server (smtp://, smtps:// or "
            "smtp+starttls://) for production"
        )
    return settings
