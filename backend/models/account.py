"""Web login, server-side sessions, single-use tokens, captchas and rate-limit counters.

Everything here lives in the database so that any app instance can serve any request.
"""

from tortoise import fields
from tortoise.models import Model

from backend.models.enums import SessionKind, TokenPurpose


class Account(Model):
    """The web login of a customer (at most one per customer)."""

    id = fields.IntField(primary_key=True)
    customer = fields.OneToOneField("models.Customer", related_name="account")
    customer_id: int
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=80)
    email_confirmed_at = fields.DatetimeField(null=True)
    terms_version = fields.CharField(max_length=16)
    terms_accepted_at = fields.DatetimeField()
    failed_logins = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    last_login_at = fields.DatetimeField(null=True)
    password_changed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # The optional second factor (TOTP, RFC 6238): the base32 secret while enrolling or on, when
    # it was confirmed with a first code (null: off), the last time step accepted (each once).
    totp_secret = fields.CharField(max_length=64, null=True)
    totp_confirmed_at = fields.DatetimeField(null=True)
    totp_last_step = fields.BigIntField(null=True)

    class Meta:
        table = "account"


class AccountRecoveryCode(Model):
    """A single-use recovery code for a customer's second factor, stored as its SHA-256."""

    id = fields.IntField(primary_key=True)
    account = fields.ForeignKeyField("models.Account", related_name="recovery_codes")
    account_id: int
    code_hash = fields.CharField(max_length=64)
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "account_recovery_code"
        unique_together = (("account", "code_hash"),)


class RefreshTokenFamily(Model):
    """A mobile app's login on one device: the refresh tokens it rotates through (OAuth 2.1).

    Revoking the family (from Security, by reuse of a spent token, or when it expires) ends
    every refresh token and every access session it issued.
    """

    id = fields.IntField(primary_key=True)
    account = fields.ForeignKeyField("models.Account", related_name="refresh_families")
    account_id: int
    device_name = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=16, default="")
    user_agent = fields.CharField(max_length=300, default="")
    ip = fields.CharField(max_length=45, default="")

    class Meta:
        table = "refresh_token_family"
        indexes = (("account_id", "revoked_at"),)


class RefreshToken(Model):
    """One refresh token of a family, stored as its SHA-256, spent once (when swapped)."""

    id = fields.IntField(primary_key=True)
    family = fields.ForeignKeyField("models.RefreshTokenFamily", related_name="tokens")
    family_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    spent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "refresh_token"
        indexes = (("family_id",),)


class Session(Model):
    """A server-side session, only the SHA-256 of its opaque token is stored."""

    id = fields.IntField(primary_key=True)
    account = fields.ForeignKeyField("models.Account", related_name="sessions")
    account_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    kind = fields.CharEnumField(SessionKind, max_length=8, default=SessionKind.COOKIE)
    created_at = fields.DatetimeField()
    last_activity_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    user_agent = fields.CharField(max_length=300, default="")
    ip = fields.CharField(max_length=45, default="")
    revoked_at = fields.DatetimeField(null=True)
    # The mobile login this access session was issued for (null: a browser or a plain token).
    family = fields.ForeignKeyField("models.RefreshTokenFamily", related_name="sessions", null=True)
    family_id: int | None

    class Meta:
        table = "session"
        indexes = (("account_id", "revoked_at"), ("family_id",))


class AccountToken(Model):
    """A single-use link token (e-mail confirmation, password reset, e-mail change)."""

    id = fields.IntField(primary_key=True)
    account = fields.ForeignKeyField("models.Account", related_name="tokens")
    account_id: int
    purpose = fields.CharEnumField(TokenPurpose, max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    email = fields.CharField(max_length=254, null=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_token"
        indexes = (("account_id", "purpose"),)


class Captcha(Model):
    """An arithmetic challenge: single-use, short-lived."""

    id = fields.UUIDField(primary_key=True)
    question = fields.CharField(max_length=32)
    answer = fields.IntField()
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "captcha"


class RateLimit(Model):
    """A fixed-window counter keyed by purpose and subject (e.g. login-ip:203.0.113.7).

    Incremented with conditional UPDATEs so it stays exact on SQLite and PostgreSQL alike.
    """

    key = fields.CharField(max_length=200, primary_key=True)
    count = fields.IntField(default=0)
    window_ends_at = fields.DatetimeField()

    class Meta:
        table = "rate_limit"


class OutboxMessage(Model):
    """Every e-mail the portal sends is recorded here (the development backend stops here)."""

    id = fields.IntField(primary_key=True)
    to = fields.CharField(max_length=254, db_index=True)
    subject = fields.CharField(max_length=200)
    text = fields.TextField()
    html = fields.TextField(default="")
    backend = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    error = fields.CharField(max_length=300, default="")

    class Meta:
        table = "outbox_message"
