from tortoise import migrations

from backend.dbchecks import AlterEnumField
from tortoise.migrations import operations as ops
import functools
from backend.models.enums import AuditKind
from json import dumps, loads
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0006_subscription_promo')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('prefix', fields.CharField(max_length=16)),
                ('key_hash', fields.CharField(unique=True, max_length=64)),
                ('scopes', fields.CharField(max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_key', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An operator API key. Only the SHA-256 of the key is stored (the key is shown once, when'},
            bases=['Model'],
        ),
        AlterEnumField(
            model_name='AuditEvent',
            name='kind',
            field=fields.CharEnumField(description='ACCOUNT_REGISTERED: account_registered\nREGISTRATION_REPEATED: registration_repeated\nEMAIL_CONFIRMED: email_confirmed\nCONFIRMATION_RESENT: confirmation_resent\nLOGIN: login\nLOGIN_FAILED: login_failed\nLOGIN_LOCKED: login_locked\nLOGOUT: logout\nSESSION_REVOKED: session_revoked\nPASSWORD_RESET_REQUESTED: password_reset_requested\nPASSWORD_RESET: password_reset\nPASSWORD_CHANGED: password_changed\nCONTACT_DATA_CHANGED: contact_data_changed\nEMAIL_CHANGE_REQUESTED: email_change_requested\nEMAIL_CHANGED: email_changed\nLOGIN_CHANGE_REQUESTED: login_change_requested\nLOGIN_CHANGED: login_changed\nPACKAGE_ADDED: package_added\nPACKAGE_CANCELLED: package_cancelled\nPIN_RESET: pin_reset\nSIGNAL_REFRESH: signal_refresh\nPAYMENT_STARTED: payment_started\nPAYMENT_SETTLED: payment_settled\nPAYMENT_FAILED: payment_failed\nWALLET_PURCHASE: wallet_purchase\nCONTACT_REQUEST_SENT: contact_request_sent\nOPERATOR_WRITE: operator_write', enum_type=AuditKind, max_length=32),
        ),
        ops.AddField(
            model_name='Invoice',
            name='bank_account',
            field=fields.CharField(default='', db_default='', max_length=34),
        ),
        ops.AddField(
            model_name='Invoice',
            name='buyer',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Invoice',
            name='footer',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Invoice',
            name='paid_outside',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Invoice',
            name='payment_reference',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='Invoice',
            name='seller',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='ServiceUsage',
            name='read_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddConstraint(
            model_name='Subscription',
            constraint=UniqueConstraint(fields=('service', 'package', 'starts_on'), name=None),
        ),
        ops.AddField(
            model_name='Title',
            name='code',
            field=fields.CharField(null=True, unique=True, max_length=32),
        ),
    ]
