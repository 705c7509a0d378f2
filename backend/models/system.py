"""The server's own bookkeeping in the database (no customer data)."""

from tortoise import fields
from tortoise.models import Model


class ReadinessProbe(Model):
    """One row (id 1) that the readiness check writes to prove the database takes writes now
    (backend.readiness). probes counts the checks, so each one really changes the row."""

    id = fields.IntField(primary_key=True)
    probes = fields.BigIntField(default=0)

    class Meta:
        table = "readiness_probe"
