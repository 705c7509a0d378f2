"""Indexes for the reads of one customer (issue 17): every foreign key they filter on, with the
column they order or filter by next where there is one. Without them the dashboard and the whole
customer graph read ``service``, ``contract``, ``device``, ``offer``, ``contact_reply`` and
``message_read`` (keyed by message first) whole: 41-99 ms a statement at 100,000 customers.

``payment_invoice`` (the through table of ``Payment.invoices``, no model of its own) is unique
on ``(payment_id, invoice_id)``: the payments of an invoice need ``invoice_id`` first, added by
``RunPython``. ``tests/api/test_query_plans.py`` checks the plans.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

from backend.dbchecks import add_indexes, drop_indexes

THROUGH_INDEXES = [("payment_invoice", ("invoice_id", "payment_id"))]

class Migration(migrations.Migration):
    dependencies = [('models', '0014_second_factor_failed_enum_value')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AccountToken',
            index=Index(fields=['account_id', 'purpose']),
        ),
        ops.AddIndex(
            model_name='ContactReply',
            index=Index(fields=['request_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Contract',
            index=Index(fields=['customer_id', 'signed_on']),
        ),
        ops.AddIndex(
            model_name='Device',
            index=Index(fields=['customer_id', 'service_id']),
        ),
        ops.AddIndex(
            model_name='Device',
            index=Index(fields=['service_id']),
        ),
        ops.AddIndex(
            model_name='DeviceCommand',
            index=Index(fields=['subscription_id', 'kind']),
        ),
        ops.AddIndex(
            model_name='DeviceCommand',
            index=Index(fields=['purchase_id', 'kind']),
        ),
        ops.AddIndex(
            model_name='MessageRead',
            index=Index(fields=['customer_id', 'message_id']),
        ),
        ops.AddIndex(
            model_name='Offer',
            index=Index(fields=['customer_id', 'valid_until']),
        ),
        ops.AddIndex(
            model_name='RefreshToken',
            index=Index(fields=['family_id']),
        ),
        ops.AddIndex(
            model_name='Service',
            index=Index(fields=['customer_id', 'contract_id']),
        ),
        ops.AddIndex(
            model_name='Session',
            index=Index(fields=['family_id']),
        ),
        ops.RunPython(add_indexes(THROUGH_INDEXES), drop_indexes(THROUGH_INDEXES)),
    ]
