"""The operator's catalogue: packages with their channels, VOD titles and PPV events, offers."""

from tortoise import fields
from tortoise.models import Model

from backend.models.enums import PackageKind, ServiceKind, TitleKind


class Channel(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=80, unique=True)
    category = fields.CharField(max_length=40)
    hd = fields.BooleanField(default=True)

    class Meta:
        table = "channel"


class Package(Model):
    """A sellable package. An add-on needs a base package on the same service, and when
    requires_base is set, that specific base."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=80)
    description = fields.TextField(default="")
    kind = fields.CharEnumField(PackageKind, max_length=8)
    service_kind = fields.CharEnumField(ServiceKind, max_length=16)
    monthly_price = fields.IntField()
    data_limit_mb = fields.BigIntField(null=True)
    requires_base = fields.ForeignKeyField(
        "models.Package", related_name="addons", null=True, on_delete=fields.SET_NULL
    )
    requires_base_id: int | None
    channels: fields.ManyToManyRelation["Channel"] = fields.ManyToManyField(
        "models.Channel", related_name="packages", through="package_channel"
    )
    sellable = fields.BooleanField(default=True)
    position = fields.IntField(default=0)

    class Meta:
        table = "package"
        ordering = ["position", "id"]


class Title(Model):
    """A VOD title (rented for rental_hours) or a PPV event (watchable at event_starts_at)."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True, null=True)
    """The operator's own identifier of the title (null only for titles made before it existed)."""
    kind = fields.CharEnumField(TitleKind, max_length=4)
    name = fields.CharField(max_length=120)
    description = fields.TextField(default="")
    genre = fields.CharField(max_length=40, default="")
    year = fields.IntField(null=True)
    duration_minutes = fields.IntField(null=True)
    price = fields.IntField()
    rental_hours = fields.IntField(default=48)
    event_starts_at = fields.DatetimeField(null=True)
    available_until = fields.DatetimeField(null=True)
    featured = fields.BooleanField(default=False)

    class Meta:
        table = "title"


class CatalogueVersion(Model):
    """One row (id 1) whose token database triggers replace by a random one in the writing
    transaction whenever package, channel, package_channel or title change (migration 0016).
    Processes cache the catalogue under the token they read (services.catalog)."""

    id = fields.IntField(primary_key=True)
    token = fields.BigIntField()

    class Meta:
        table = "catalogue_version"


class Offer(Model):
    """An offer prepared by the operator: for one customer, or for everyone who lacks
    package (when set)."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="offers", null=True, on_delete=fields.CASCADE
    )
    customer_id: int | None
    package = fields.ForeignKeyField("models.Package", related_name="offers", null=True)
    package_id: int | None
    title = fields.CharField(max_length=120)
    description = fields.TextField(default="")
    monthly_price = fields.IntField(null=True)
    promo_months = fields.IntField(default=0)
    valid_from = fields.DatetimeField()
    valid_until = fields.DatetimeField()
    reference = fields.CharField(max_length=64, null=True, unique=True)
    """The operator's id of the offer, so that publishing it again changes nothing."""

    class Meta:
        table = "offer"
        indexes = (("customer_id", "valid_until"),)
