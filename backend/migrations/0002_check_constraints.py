from tortoise import migrations
from tortoise.migrations import operations as ops

from backend.dbchecks import add_checks, drop_checks

CHECKS = [
    ("invoice", "invoice_gross_sum", "gross = net + vat"),
    ("payment", "payment_amount_positive", "amount > 0"),
    ("wallet", "wallet_balance_non_negative", "balance >= 0"),
    ("wallet_transaction", "wallet_tx_balance_non_negative", "balance_after >= 0"),
]


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [ops.RunPython(add_checks(CHECKS), drop_checks(CHECKS))]
