from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint

from backend.dbchecks import add_checks, drop_checks

# The CHECK is recorded in the migration state and added on PostgreSQL by AddConstraint. On
# SQLite, Tortoise would rebuild the table to add it and lose the table's indexes, so there the
# triggers of backend.dbchecks enforce it instead.
CHECKS = [
    (
        "subscription",
        "subscription_promo_complete",
        "( promo_price IS NULL AND promo_until IS NULL )"
        " OR ( promo_price IS NOT NULL AND promo_until IS NOT NULL AND promo_price >= 0 )",
    )
]


class AddConstraintExceptSqlite(ops.AddConstraint):
    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and state_editor.DIALECT != "sqlite":
            await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and state_editor.DIALECT != "sqlite":
            await super().database_backward(app_label, old_state, new_state, state_editor)


def _on_sqlite(step):
    async def run(apps, editor):
        if editor.DIALECT == "sqlite":
            await step(apps, editor)

    return run


class Migration(migrations.Migration):
    dependencies = [('models', '0005_canonical_emails')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Subscription',
            name='offer',
            field=fields.ForeignKeyField('models.Offer', source_field='offer_id', null=True, db_constraint=True, to_field='id', related_name='subscriptions', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Subscription',
            name='promo_price',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Subscription',
            name='promo_until',
            field=fields.DateField(null=True),
        ),
        ops.AddIndex(
            model_name='Subscription',
            index=Index(fields=['offer_id']),
        ),
        AddConstraintExceptSqlite(
            model_name='Subscription',
            constraint=CheckConstraint(check='( promo_price IS NULL AND promo_until IS NULL ) OR ( promo_price IS NOT NULL AND promo_until IS NOT NULL AND promo_price >= 0 )', name='subscription_promo_complete'),
        ),
        ops.RunPython(_on_sqlite(add_checks(CHECKS)), _on_sqlite(drop_checks(CHECKS))),
    ]
