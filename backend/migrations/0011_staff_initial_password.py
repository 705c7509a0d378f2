"""Staff accounts: ``initial_password_expires_at`` (set while the password is an initial one,
handed over by an admin or the CLI: replaced at the next login, void after it)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_console_complaints')]

    initial = False

    operations = [
        ops.AddField(
            model_name='StaffMember',
            name='initial_password_expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
