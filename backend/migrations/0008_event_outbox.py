from tortoise import migrations

from backend.dbchecks import AlterEnumField, restore_indexes
from tortoise.migrations import operations as ops
import functools
from backend.models.enums import CommandKind, DeliveryStatus, ServiceKind
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_operator_feed')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Event',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('uid', fields.CharField(unique=True, max_length=40)),
                ('type', fields.CharField(max_length=64)),
                ('version', fields.SmallIntField(default=1)),
                ('customer', fields.ForeignKeyField('models.Customer', source_field='customer_id', null=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.SET_NULL)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'event', 'app': 'models', 'indexes': [Index(fields=['customer_id', 'id'])], 'pk_attr': 'id', 'table_description': 'An event for the operator, written in the same transaction as the change it tells of.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EventDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('endpoint', fields.CharField(max_length=64)),
                ('customer_id', fields.IntField(null=True)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: pending\nSENDING: sending\nDELIVERED: delivered\nDEAD: dead', enum_type=DeliveryStatus, max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=300)),
                ('last_status_code', fields.IntField(null=True)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'event_delivery', 'app': 'models', 'unique_together': (('event', 'endpoint'),), 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['endpoint', 'customer_id', 'id'])], 'pk_attr': 'id', 'table_description': "One event's delivery to one endpoint (named in settings). Claimed by a worker with a"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ContactReply',
            name='reference',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        AlterEnumField(
            model_name='DeviceCommand',
            name='kind',
            field=fields.CharEnumField(description='PIN_RESET: pin_reset\nSIGNAL_REFRESH: signal_refresh\nENTITLEMENT: entitlement', enum_type=CommandKind, max_length=16),
        ),
        ops.AddField(
            model_name='DeviceCommand',
            name='attempts',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='DeviceCommand',
            name='details',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='DeviceCommand',
            name='purchase',
            field=fields.ForeignKeyField('models.Purchase', source_field='purchase_id', null=True, db_constraint=True, to_field='id', related_name='commands', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='DeviceCommand',
            name='subscription',
            field=fields.ForeignKeyField('models.Subscription', source_field='subscription_id', null=True, db_constraint=True, to_field='id', related_name='commands', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Message',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Message',
            name='reference',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        ops.AddField(
            model_name='Message',
            name='service_kind',
            field=fields.CharEnumField(null=True, description='SATELLITE_TV: satellite_tv\nINTERNET: internet\nMOBILE_TV: mobile_tv', enum_type=ServiceKind, max_length=16),
        ),
        ops.AddField(
            model_name='Offer',
            name='reference',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        # 0004 and 0007 rebuilt audit_event on SQLite (see AlterEnumField) and dropped its indexes.
        ops.RunPython(
            restore_indexes(
                [("audit_event", ("customer_id", "created_at")), ("audit_event", ("kind", "created_at"))]
            )
        ),
    ]
