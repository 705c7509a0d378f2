"""Invoices, their lines, and payments. Money is integer grosze."""

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from backend.models.enums import InvoiceStatus, PaymentMethod, PaymentPurpose, PaymentStatus


class Invoice(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="invoices")
    contract = fields.ForeignKeyField(
        "models.Contract", related_name="invoices", null=True, on_delete=fields.SET_NULL
    )
    contract_id: int | None
    number = fields.CharField(max_length=32, unique=True)
    period_start = fields.DateField()
    period_end = fields.DateField()
    issued_on = fields.DateField()
    due_on = fields.DateField()
    net = fields.IntField()
    vat = fields.IntField()
    gross = fields.IntField()
    status = fields.CharEnumField(InvoiceStatus, max_length=10, default=InvoiceStatus.UNPAID)
    paid_at = fields.DatetimeField(null=True)
    paid_outside = fields.BooleanField(default=False, db_default=False)
    """Paid outside the portal (e.g. a bank transfer booked by the operator's billing system)."""
    payment_reference = fields.CharField(max_length=64, default="", db_default="")
    """The operator's reference of a payment made outside the portal."""
    seller = fields.JSONField(null=True)
    """The seller as printed on the invoice when it was issued (null: invoices made before)."""
    buyer = fields.JSONField(null=True)
    """The buyer as printed on the invoice when it was issued (null: invoices made before)."""
    bank_account = fields.CharField(max_length=34, default="", db_default="")
    """The account to pay the invoice to, an IBAN without spaces (empty: the default one)."""
    footer = fields.TextField(null=True)
    """The footer printed on the invoice when it was issued (null: invoices made before)."""
    created_at = fields.DatetimeField(auto_now_add=True)
    customer_id: int
    lines: fields.ReverseRelation["InvoiceLine"]
    payments: fields.ManyToManyRelation["Payment"]

    class Meta:
        table = "invoice"
        indexes = (("customer_id", "issued_on"), ("customer_id", "status"))
        constraints = (CheckConstraint(check="gross = net + vat", name="invoice_gross_sum"),)


class InvoiceLine(Model):
    id = fields.IntField(primary_key=True)
    invoice = fields.ForeignKeyField("models.Invoice", related_name="lines")
    position = fields.IntField()
    description = fields.CharField(max_length=200)
    quantity = fields.IntField(default=1)
    unit_net = fields.IntField()
    net = fields.IntField()
    vat_rate = fields.IntField(default=23)
    vat = fields.IntField()
    gross = fields.IntField()

    class Meta:
        table = "invoice_line"
        unique_together = (("invoice", "position"),)


class Payment(Model):
    """A payment through a provider. Settles exactly once (see services.payments)."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="payments")
    customer_id: int
    purpose = fields.CharEnumField(PaymentPurpose, max_length=16)
    amount = fields.IntField()
    currency = fields.CharField(max_length=3, default="PLN")
    method = fields.CharEnumField(PaymentMethod, max_length=10)
    provider = fields.CharField(max_length=20)
    provider_ref = fields.CharField(max_length=64, null=True, unique=True)
    """Our reference, sent to the provider (PayU's ``extOrderId``) and used in its notifications."""
    provider_order_id = fields.CharField(max_length=64, null=True, db_index=True)
    """The provider's own id of the order (PayU's ``orderId``), once the order exists."""
    redirect_url = fields.CharField(max_length=1000, null=True)
    """Where the customer pays (the provider's ``redirectUri``), once the order exists."""
    status = fields.CharEnumField(PaymentStatus, max_length=10, default=PaymentStatus.PENDING)
    idempotency_key = fields.CharField(max_length=64)
    invoices: fields.ManyToManyRelation[Invoice] = fields.ManyToManyField(
        "models.Invoice", related_name="payments", through="payment_invoice"
    )
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField(auto_now=True)
    paid_at = fields.DatetimeField(null=True)
    failure_reason = fields.CharField(max_length=200, default="")

    class Meta:
        table = "payment"
        unique_together = (("customer", "idempotency_key"),)
        constraints = (CheckConstraint(check="amount > 0", name="payment_amount_positive"),)
        indexes = (("customer_id", "created_at"),)
