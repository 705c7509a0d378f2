"""The VOD / PPV wallet (portmonetka), its ledger and purchases."""

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from backend.models.enums import WalletTransactionKind


class Wallet(Model):
    """Balance in grosze, never negative (a database CHECK backs the service rule)."""

    id = fields.IntField(primary_key=True)
    customer = fields.OneToOneField("models.Customer", related_name="wallet")
    balance = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "wallet"
        constraints = (CheckConstraint(check="balance >= 0", name="wallet_balance_non_negative"),)


class WalletTransaction(Model):
    """One ledger entry: amount is signed and balance_after is the balance it produced."""

    id = fields.IntField(primary_key=True)
    wallet = fields.ForeignKeyField("models.Wallet", related_name="transactions")
    kind = fields.CharEnumField(WalletTransactionKind, max_length=10)
    amount = fields.IntField()
    balance_after = fields.IntField()
    description = fields.CharField(max_length=200, default="")
    payment = fields.OneToOneField(
        "models.Payment", related_name="wallet_transaction", null=True, on_delete=fields.SET_NULL
    )
    payment_id: int | None
    created_at = fields.DatetimeField()

    class Meta:
        table = "wallet_transaction"
        indexes = (("wallet_id", "created_at"),)
        constraints = (
            CheckConstraint(check="balance_after >= 0", name="wallet_tx_balance_non_negative"),
        )


class Purchase(Model):
    """A VOD rental or PPV ticket paid from the wallet."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="purchases")
    title = fields.ForeignKeyField("models.Title", related_name="purchases")
    title_id: int
    price = fields.IntField()
    transaction = fields.OneToOneField("models.WalletTransaction", related_name="purchase")
    transaction_id: int
    created_at = fields.DatetimeField()
    available_until = fields.DatetimeField(null=True)

    class Meta:
        table = "purchase"
        indexes = (("customer_id", "created_at"),)
