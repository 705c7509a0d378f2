"""Mobile logins with rotating refresh tokens (``refresh_token_family``, ``refresh_token``,
``session.family_id``) and the customers' optional TOTP second factor (``account.totp_*``,
``account_recovery_code``)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0011_staff_initial_password")]

    initial = False

    operations = [
        ops.CreateModel(
            name="AccountRecoveryCode",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="recovery_codes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("code_hash", fields.CharField(max_length=64)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "account_recovery_code",
                "app": "models",
                "unique_together": (("account", "code_hash"),),
                "pk_attr": "id",
                "table_description": "A single-use recovery code for a customer's second factor, stored as its SHA-256.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RefreshTokenFamily",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="refresh_families",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("device_name", fields.CharField(default="", max_length=100)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("last_used_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revoked_reason", fields.CharField(default="", max_length=16)),
                ("user_agent", fields.CharField(default="", max_length=300)),
                ("ip", fields.CharField(default="", max_length=45)),
            ],
            options={
                "table": "refresh_token_family",
                "app": "models",
                "indexes": [Index(fields=["account_id", "revoked_at"])],
                "pk_attr": "id",
                "table_description": "A mobile app's login on one device: the refresh tokens it rotates through (OAuth 2.1).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RefreshToken",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "family",
                    fields.ForeignKeyField(
                        "models.RefreshTokenFamily",
                        source_field="family_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("spent_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "refresh_token",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One refresh token of a family, stored as its SHA-256, spent once (when swapped).",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Account",
            name="totp_confirmed_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Account",
            name="totp_last_step",
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name="Account",
            name="totp_secret",
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name="Session",
            name="family",
            field=fields.ForeignKeyField(
                "models.RefreshTokenFamily",
                source_field="family_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="sessions",
                on_delete=OnDelete.CASCADE,
            ),
        ),
    ]
