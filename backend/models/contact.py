"""Messages from the operator, contact requests from customers, and the audit trail."""

from tortoise import fields
from tortoise.models import Model

from backend.models.enums import (
    AuditKind,
    ContactStatus,
    ContactTopic,
    MessageCategory,
    ReplyAuthor,
    ServiceKind,
)


class Message(Model):
    """A message to one customer, or to every customer when customer is null."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="messages", null=True, on_delete=fields.CASCADE
    )
    customer_id: int | None
    category = fields.CharEnumField(MessageCategory, max_length=12)
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    urgent = fields.BooleanField(default=False)
    published_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)
    """When the message stops being shown (null: it stays)."""
    service_kind = fields.CharEnumField(ServiceKind, max_length=16, null=True)
    """A broadcast (no customer) only for customers with a service of this kind (null: all)."""
    reference = fields.CharField(max_length=64, null=True, unique=True)
    """The operator's id of the message, so that publishing it again changes nothing."""

    class Meta:
        table = "message"
        indexes = (("customer_id", "published_at"),)


class MessageRead(Model):
    """Read state per customer (broadcast messages are shared, so it cannot live on Message)."""

    id = fields.IntField(primary_key=True)
    message = fields.ForeignKeyField("models.Message", related_name="reads")
    message_id: int
    customer = fields.ForeignKeyField("models.Customer", related_name="message_reads")
    read_at = fields.DatetimeField()

    class Meta:
        table = "message_read"
        unique_together = (("message", "customer"),)


class ContactRequest(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="contact_requests")
    customer_id: int
    topic = fields.CharEnumField(ContactTopic, max_length=12)
    subject = fields.CharField(max_length=150)
    body = fields.TextField()
    status = fields.CharEnumField(ContactStatus, max_length=12, default=ContactStatus.NEW)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField(auto_now=True)
    replies: fields.ReverseRelation["ContactReply"]

    class Meta:
        table = "contact_request"
        indexes = (("customer_id", "created_at"),)


class ContactReply(Model):
    id = fields.IntField(primary_key=True)
    request = fields.ForeignKeyField("models.ContactRequest", related_name="replies")
    request_id: int
    author = fields.CharEnumField(ReplyAuthor, max_length=8)
    body = fields.TextField()
    created_at = fields.DatetimeField()
    reference = fields.CharField(max_length=64, null=True, unique=True)
    """The operator's id of its reply, so that sending it again adds nothing."""

    class Meta:
        table = "contact_reply"


class AuditEvent(Model):
    """A security-relevant event, shown to the customer as their activity history."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="audit_events", null=True, on_delete=fields.SET_NULL
    )
    customer_id: int | None
    kind = fields.CharEnumField(AuditKind, max_length=32)
    ip = fields.CharField(max_length=45, default="")
    user_agent = fields.CharField(max_length=300, default="")
    details = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()

    class Meta:
        table = "audit_event"
        indexes = (("customer_id", "created_at"), ("kind", "created_at"))
