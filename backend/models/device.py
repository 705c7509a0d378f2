"""Equipment and the commands queued for the operator's provisioning system."""

from tortoise import fields
from tortoise.models import Model

from backend.models.enums import CommandKind, CommandStatus, DeviceKind, Ownership


class Device(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="devices")
    customer_id: int
    service = fields.ForeignKeyField(
        "models.Service", related_name="devices", null=True, on_delete=fields.SET_NULL
    )
    service_id: int | None
    kind = fields.CharEnumField(DeviceKind, max_length=12)
    model = fields.CharField(max_length=80)
    serial_number = fields.CharField(max_length=40, unique=True)
    ownership = fields.CharEnumField(Ownership, max_length=8)
    installed_on = fields.DateField()

    class Meta:
        table = "device"
        indexes = (("customer_id", "service_id"), ("service_id",))


class DeviceCommand(Model):
    id = fields.IntField(primary_key=True)
    device = fields.ForeignKeyField("models.Device", related_name="commands")
    device_id: int
    customer = fields.ForeignKeyField("models.Customer", related_name="device_commands")
    kind = fields.CharEnumField(CommandKind, max_length=16)
    status = fields.CharEnumField(CommandStatus, max_length=8, default=CommandStatus.QUEUED)
    requested_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    failure_reason = fields.CharField(max_length=200, default="")
    external_ref = fields.CharField(max_length=64, default="")
    attempts = fields.IntField(default=1, db_default=1)
    """How many times the command was handed to the operator (a timed-out one may be retried)."""
    details = fields.JSONField(null=True)
    """What an ENTITLEMENT command gives or takes (the package or title, from and until when)."""
    subscription = fields.ForeignKeyField(
        "models.Subscription", related_name="commands", null=True, on_delete=fields.SET_NULL
    )
    subscription_id: int | None
    purchase = fields.ForeignKeyField(
        "models.Purchase", related_name="commands", null=True, on_delete=fields.SET_NULL
    )
    purchase_id: int | None

    class Meta:
        table = "device_command"
        indexes = (
            ("device_id", "kind", "requested_at"),
            ("status", "requested_at"),
            ("subscription_id", "kind"),
            ("purchase_id", "kind"),
        )
