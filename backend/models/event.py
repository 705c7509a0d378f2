"""The transactional outbox: what the operator must learn of, and its delivery to each of the
operator's webhook endpoints."""

from tortoise import fields
from tortoise.models import Model

from backend.models.enums import DeliveryStatus


class Event(Model):
    """An event for the operator, written in the same transaction as the change it tells of.
    uid is its stable id (the webhook-id of every delivery), type its name (package.ordered),
    version the version of its payload's shape, payload the JSON the operator receives."""

    id = fields.BigIntField(primary_key=True)
    uid = fields.CharField(max_length=40, unique=True)
    type = fields.CharField(max_length=64)
    version = fields.SmallIntField(default=1)
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="events", null=True, on_delete=fields.SET_NULL
    )
    customer_id: int | None
    payload = fields.JSONField()
    created_at = fields.DatetimeField()
    deliveries: fields.ReverseRelation["EventDelivery"]

    class Meta:
        table = "event"
        indexes = (("customer_id", "id"),)


class EventDelivery(Model):
    """One event's delivery to one endpoint (named in settings). Claimed by a worker with a
    conditional UPDATE (status and lease), retried with backoff until next_attempt_at, dead
    after the last attempt. customer_id repeats the event's so per-customer order is one
    indexed lookup."""

    id = fields.BigIntField(primary_key=True)
    event = fields.ForeignKeyField(
        "models.Event", related_name="deliveries", on_delete=fields.CASCADE
    )
    event_id: int
    endpoint = fields.CharField(max_length=64)
    customer_id = fields.IntField(null=True)
    status = fields.CharEnumField(DeliveryStatus, max_length=10, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    lease_until = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=300, default="")
    last_status_code = fields.IntField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "event_delivery"
        unique_together = (("event", "endpoint"),)
        indexes = (("status", "next_attempt_at"), ("endpoint", "customer_id", "id"))
