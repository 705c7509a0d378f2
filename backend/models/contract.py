"""Contracts, the services they cover, subscriptions to packages and usage."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from backend.models.enums import ContractStatus, ServiceKind, ServiceStatus, SuspensionReason

if TYPE_CHECKING:
    from backend.models.device import Device

PROMO_CHECK = (
    "( promo_price IS NULL AND promo_until IS NULL )"
    " OR ( promo_price IS NOT NULL AND promo_until IS NOT NULL AND promo_price >= 0 )"
)


class Contract(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="contracts")
    number = fields.CharField(max_length=24, unique=True)
    signed_on = fields.DateField()
    ends_on = fields.DateField(null=True)
    status = fields.CharEnumField(ContractStatus, max_length=12, default=ContractStatus.ACTIVE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "contract"
        indexes = (("customer_id", "signed_on"),)


class Service(Model):
    """A satellite-TV card, an internet SIM or a mobile-TV number.

    identifier is normalised: 12 digits for a decoder card, 9 national digits for a phone
    number (MSISDN without +48). customer duplicates contract.customer so that every
    ownership check is one indexed column.
    """

    id = fields.IntField(primary_key=True)
    contract = fields.ForeignKeyField("models.Contract", related_name="services")
    contract_id: int
    customer = fields.ForeignKeyField("models.Customer", related_name="services")
    customer_id: int
    kind = fields.CharEnumField(ServiceKind, max_length=16)
    identifier = fields.CharField(max_length=12, unique=True)
    name = fields.CharField(max_length=80, default="")
    status = fields.CharEnumField(ServiceStatus, max_length=12, default=ServiceStatus.ACTIVE)
    suspension_reason = fields.CharEnumField(SuspensionReason, max_length=20, null=True)
    suspended_at = fields.DatetimeField(null=True)
    activated_on = fields.DateField()
    created_at = fields.DatetimeField(auto_now_add=True)
    devices: fields.ReverseRelation["Device"]

    class Meta:
        table = "service"
        indexes = (("customer_id", "contract_id"),)


class Subscription(Model):
    """A package on a service from starts_on until ends_on (inclusive, null = open).
    monthly_price is the list price, promo_price the price of an accepted offer (offer) for the
    billing periods up to promo_until (both null without one)."""

    id = fields.IntField(primary_key=True)
    service = fields.ForeignKeyField("models.Service", related_name="subscriptions")
    service_id: int
    package = fields.ForeignKeyField("models.Package", related_name="subscriptions")
    package_id: int
    starts_on = fields.DateField()
    ends_on = fields.DateField(null=True)
    monthly_price = fields.IntField()
    offer = fields.ForeignKeyField(
        "models.Offer", related_name="subscriptions", null=True, on_delete=fields.SET_NULL
    )
    offer_id: int | None
    promo_price = fields.IntField(null=True)
    promo_until = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "subscription"
        indexes = (("service_id", "package_id"), ("offer_id",))
        unique_together = (("service", "package", "starts_on"),)
        constraints = (CheckConstraint(check=PROMO_CHECK, name="subscription_promo_complete"),)


class ServiceUsage(Model):
    """Data used in one billing period of an internet (or mobile-TV) service, in megabytes."""

    id = fields.IntField(primary_key=True)
    service = fields.ForeignKeyField("models.Service", related_name="usage")
    service_id: int
    period_start = fields.DateField()
    period_end = fields.DateField()
    data_used_mb = fields.BigIntField(default=0)
    data_limit_mb = fields.BigIntField(null=True)
    read_at = fields.DatetimeField(null=True)
    """When the operator read the figures (an older reading never replaces a newer one)."""
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "service_usage"
        unique_together = (("service", "period_start"),)
