"""The operator's customer-service staff: their console accounts, sessions and recovery codes.

Separate from customers' accounts: a staff member cannot log in to the customer portal, and a
customer's session never opens the console.
"""

from tortoise import fields
from tortoise.models import Model

from backend.models.enums import StaffRole


class StaffMember(Model):
    """A console account. A password and a TOTP second factor are both required: totp_secret is
    set at the first login (the QR code) and confirmed by the first valid code."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=100)
    """Shown to colleagues and written with every audit event of this member."""
    role = fields.CharEnumField(StaffRole, max_length=12)
    password_hash = fields.CharField(max_length=80)
    totp_secret = fields.CharField(max_length=64, null=True)
    """Base32 secret (null: not enrolled yet, the next login shows the QR code)."""
    totp_confirmed_at = fields.DatetimeField(null=True)
    """When the first valid code confirmed the secret (null: enrolment not finished)."""
    totp_last_step = fields.BigIntField(default=0)
    """The last accepted TOTP time step: a code is accepted once (no replay)."""
    failed_logins = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    disabled_at = fields.DatetimeField(null=True)
    last_login_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    initial_password_expires_at = fields.DatetimeField(null=True)
    """Set while the password is an initial one (handed over by an admin or the CLI): it must be
    replaced at the next login and stops working at this instant. Null: the member chose it."""

    class Meta:
        table = "staff_member"


class StaffSession(Model):
    """A console session (own cookie, path /console). Only the SHA-256 of the token is stored.
    A session whose second_factor_at is null has passed the password only: it may do nothing
    but finish the TOTP step (or enrol)."""

    id = fields.IntField(primary_key=True)
    staff = fields.ForeignKeyField("models.StaffMember", related_name="sessions")
    staff_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    second_factor_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    last_activity_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    ip = fields.CharField(max_length=45, default="")
    user_agent = fields.CharField(max_length=300, default="")
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff_session"
        indexes = (("staff_id", "revoked_at"),)


class StaffRecoveryCode(Model):
    """A single-use recovery code (instead of a TOTP code), stored as its SHA-256."""

    id = fields.IntField(primary_key=True)
    staff = fields.ForeignKeyField("models.StaffMember", related_name="recovery_codes")
    staff_id: int
    code_hash = fields.CharField(max_length=64)
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "staff_recovery_code"
        unique_together = (("staff", "code_hash"),)
