"""Messages from the operator, contact requests from customers, and the audit trail."""

from tortoise import fields
from tortoise.models import Model

from backend.models.enums import (
    AuditKind,
    ComplaintDecision,
    ComplaintSubject,
    ContactKind,
    ContactStatus,
    ContactTopic,
    MessageCategory,
    RefundMethod,
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
        indexes = (("customer_id", "message_id"),)


class ContactRequest(Model):
    """A customer's contact request or complaint (kind), one conversation in the staff queue."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="contact_requests")
    customer_id: int
    kind = fields.CharEnumField(
        ContactKind, max_length=10, default=ContactKind.CONTACT, db_default="contact"
    )
    topic = fields.CharEnumField(ContactTopic, max_length=12)
    subject = fields.CharField(max_length=150)
    body = fields.TextField()
    status = fields.CharEnumField(ContactStatus, max_length=12, default=ContactStatus.NEW)
    assignee = fields.ForeignKeyField(
        "models.StaffMember", related_name="assigned_requests", null=True, on_delete=fields.SET_NULL
    )
    """The staff member working on it (null: unassigned)."""
    assignee_id: int | None
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField(auto_now=True)
    replies: fields.ReverseRelation["ContactReply"]

    class Meta:
        table = "contact_request"
        indexes = (
            ("customer_id", "created_at"),
            ("status", "created_at"),
            ("assignee_id", "status"),
        )


class Complaint(Model):
    """The statutory part of a complaint (reklamacja), one per ContactRequest of kind complaint.
    Amounts in grosze. deadline is the Warsaw calendar day by which it must be answered
    (received day + 30), after which an unanswered complaint is deemed accepted."""

    id = fields.IntField(primary_key=True)
    request = fields.OneToOneField(
        "models.ContactRequest", related_name="complaint", on_delete=fields.CASCADE
    )
    request_id: int
    number = fields.CharField(max_length=20, unique=True)
    subject = fields.CharEnumField(ComplaintSubject, max_length=10)
    invoice = fields.ForeignKeyField(
        "models.Invoice", related_name="complaints", null=True, on_delete=fields.SET_NULL
    )
    invoice_id: int | None
    service = fields.ForeignKeyField(
        "models.Service", related_name="complaints", null=True, on_delete=fields.SET_NULL
    )
    service_id: int | None
    device = fields.ForeignKeyField(
        "models.Device", related_name="complaints", null=True, on_delete=fields.SET_NULL
    )
    device_id: int | None
    period_from = fields.DateField(null=True)
    period_to = fields.DateField(null=True)
    amount_claimed = fields.IntField(null=True)
    refund_method = fields.CharEnumField(RefundMethod, max_length=12, null=True)
    bank_account = fields.CharField(max_length=34, null=True)
    """The IBAN (compact form) for a refund to a bank account."""
    received_at = fields.DatetimeField()
    deadline = fields.DateField()
    acknowledged_at = fields.DatetimeField(null=True)
    """When the acknowledgement with the complaint's content was e-mailed (the durable medium)."""
    decision = fields.CharEnumField(ComplaintDecision, max_length=10, null=True)
    decision_reason = fields.TextField(default="")
    amount_granted = fields.IntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.ForeignKeyField(
        "models.StaffMember",
        related_name="decided_complaints",
        null=True,
        on_delete=fields.SET_NULL,
    )
    decided_by_id: int | None
    wallet_transaction = fields.OneToOneField(
        "models.WalletTransaction", related_name="complaint", null=True, on_delete=fields.SET_NULL
    )
    """The wallet credit of an accepted money claim (refund_method wallet)."""
    wallet_transaction_id: int | None
    bank_refund_recorded_at = fields.DatetimeField(null=True)
    """When a refund to bank_account was recorded for the operator to transfer."""

    class Meta:
        table = "complaint"
        indexes = (("decision", "deadline"),)


class ContactNote(Model):
    """An internal note of the staff on a contact request or complaint (never shown to the
    customer)."""

    id = fields.IntField(primary_key=True)
    request = fields.ForeignKeyField("models.ContactRequest", related_name="notes")
    request_id: int
    staff = fields.ForeignKeyField(
        "models.StaffMember", related_name="notes", null=True, on_delete=fields.SET_NULL
    )
    staff_id: int | None
    body = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "contact_note"
        indexes = (("request_id", "created_at"),)


class ContactReply(Model):
    id = fields.IntField(primary_key=True)
    request = fields.ForeignKeyField("models.ContactRequest", related_name="replies")
    request_id: int
    author = fields.CharEnumField(ReplyAuthor, max_length=8)
    body = fields.TextField()
    created_at = fields.DatetimeField()
    reference = fields.CharField(max_length=64, null=True, unique=True)
    """The operator's id of its reply, so that sending it again adds nothing."""
    staff = fields.ForeignKeyField(
        "models.StaffMember", related_name="replies", null=True, on_delete=fields.SET_NULL
    )
    """The staff member who wrote an operator reply in the console (null: the operator API)."""
    staff_id: int | None

    class Meta:
        table = "contact_reply"
        indexes = (("request_id", "created_at"),)


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
