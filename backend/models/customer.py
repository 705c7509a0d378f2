"""The operator's customer record (the CRM side) and the web login attached to it."""

from tortoise import fields
from tortoise.models import Model

from backend.models.enums import Language


class Customer(Model):
    """A customer of the operator. The PESEL is never stored in clear (see services.pesel)."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=16, unique=True)
    first_name = fields.CharField(max_length=80)
    last_name = fields.CharField(max_length=120)
    pesel_hash = fields.CharField(max_length=64, unique=True)
    pesel_masked = fields.CharField(max_length=11)
    birth_date = fields.DateField()
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=16, null=True)
    street = fields.CharField(max_length=120, default="")
    postal_code = fields.CharField(max_length=6, default="")
    city = fields.CharField(max_length=80, default="")
    consent_email = fields.BooleanField(default=False)
    consent_sms = fields.BooleanField(default=False)
    consent_phone = fields.BooleanField(default=False)
    language = fields.CharEnumField(Language, max_length=2, default=Language.PL)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "customer"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
