"""The readiness check's one-row table (``readiness_probe``): /readyz writes it to tell a database
that takes writes from one that is read-only or full."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0015_customer_read_indexes")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ReadinessProbe",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("probes", fields.BigIntField(default=0)),
            ],
            options={
                "table": "readiness_probe",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One row (id 1) that the readiness check writes to prove the database takes writes now",
            },
            bases=["Model"],
        ),
    ]
