from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_check_constraints')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Payment',
            name='provider_order_id',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='Payment',
            name='redirect_url',
            field=fields.CharField(null=True, max_length=1000),
        ),
    ]
