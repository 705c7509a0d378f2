"""The operator's API keys: how its billing/CRM system (BSS) authenticates to the operator API."""

from tortoise import fields
from tortoise.models import Model


class ApiKey(Model):
    """An operator API key. Only the SHA-256 of the key is stored (the key is shown once, when
    it is created), with its first characters to tell keys apart in listings. scopes is a
    space-separated list of the scopes granted (e.g. customers:write billing:write)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=16)
    key_hash = fields.CharField(max_length=64, unique=True)
    scopes = fields.CharField(max_length=300)
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"
