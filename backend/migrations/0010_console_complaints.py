"""Staff accounts for the console, complaints (reklamacje), the staff queue (assignment, notes,
status waiting for the customer)."""

from tortoise import migrations

from backend.dbchecks import AlterEnumField
from tortoise.migrations import operations as ops
from backend.models.enums import AuditKind, ComplaintDecision, ComplaintSubject, ContactKind, ContactStatus, RefundMethod, StaffRole, WalletTransactionKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_pesel_mask')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StaffMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('name', fields.CharField(max_length=100)),
                ('role', fields.CharEnumField(description='AGENT: agent\nSUPERVISOR: supervisor\nADMIN: admin', enum_type=StaffRole, max_length=12)),
                ('password_hash', fields.CharField(max_length=80)),
                ('totp_secret', fields.CharField(null=True, max_length=64)),
                ('totp_confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('totp_last_step', fields.BigIntField(default=0)),
                ('failed_logins', fields.IntField(default=0)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('disabled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_member', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A console account. A password and a TOTP second factor are both required: totp_secret is'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Complaint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.OneToOneField('models.ContactRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='complaint', on_delete=OnDelete.CASCADE)),
                ('number', fields.CharField(unique=True, max_length=20)),
                ('subject', fields.CharEnumField(description='INVOICE: invoice\nSERVICE: service\nEQUIPMENT: equipment\nOTHER: other', enum_type=ComplaintSubject, max_length=10)),
                ('invoice', fields.ForeignKeyField('models.Invoice', source_field='invoice_id', null=True, db_constraint=True, to_field='id', related_name='complaints', on_delete=OnDelete.SET_NULL)),
                ('service', fields.ForeignKeyField('models.Service', source_field='service_id', null=True, db_constraint=True, to_field='id', related_name='complaints', on_delete=OnDelete.SET_NULL)),
                ('device', fields.ForeignKeyField('models.Device', source_field='device_id', null=True, db_constraint=True, to_field='id', related_name='complaints', on_delete=OnDelete.SET_NULL)),
                ('period_from', fields.DateField(null=True)),
                ('period_to', fields.DateField(null=True)),
                ('amount_claimed', fields.IntField(null=True)),
                ('refund_method', fields.CharEnumField(null=True, description='WALLET: wallet\nBANK_ACCOUNT: bank_account', enum_type=RefundMethod, max_length=12)),
                ('bank_account', fields.CharField(null=True, max_length=34)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deadline', fields.DateField()),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision', fields.CharEnumField(null=True, description='ACCEPTED: accepted\nPARTLY_ACCEPTED: partly\nREJECTED: rejected', enum_type=ComplaintDecision, max_length=10)),
                ('decision_reason', fields.TextField(default='', unique=False)),
                ('amount_granted', fields.IntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.StaffMember', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='decided_complaints', on_delete=OnDelete.SET_NULL)),
                ('wallet_transaction', fields.OneToOneField('models.WalletTransaction', source_field='wallet_transaction_id', null=True, db_constraint=True, to_field='id', related_name='complaint', on_delete=OnDelete.SET_NULL)),
                ('bank_refund_recorded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'complaint', 'app': 'models', 'indexes': [Index(fields=['decision', 'deadline'])], 'pk_attr': 'id', 'table_description': 'The statutory part of a complaint (reklamacja), one per ContactRequest of kind complaint.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContactNote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.ContactRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('models.StaffMember', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.SET_NULL)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'contact_note', 'app': 'models', 'indexes': [Index(fields=['request_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'An internal note of the staff on a contact request or complaint (never shown to the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffRecoveryCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('models.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='recovery_codes', on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(max_length=64)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_recovery_code', 'app': 'models', 'unique_together': (('staff', 'code_hash'),), 'pk_attr': 'id', 'table_description': 'A single-use recovery code (instead of a TOTP code), stored as its SHA-256.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('models.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('second_factor_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_activity_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ip', fields.CharField(default='', max_length=45)),
                ('user_agent', fields.CharField(default='', max_length=300)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_session', 'app': 'models', 'indexes': [Index(fields=['staff_id', 'revoked_at'])], 'pk_attr': 'id', 'table_description': 'A console session (own cookie, path /console). Only the SHA-256 of the token is stored.'},
            bases=['Model'],
        ),
        AlterEnumField(
            model_name='AuditEvent',
            name='kind',
            field=fields.CharEnumField(description='ACCOUNT_REGISTERED: account_registered\nREGISTRATION_REPEATED: registration_repeated\nEMAIL_CONFIRMED: email_confirmed\nCONFIRMATION_RESENT: confirmation_resent\nLOGIN: login\nLOGIN_FAILED: login_failed\nLOGIN_LOCKED: login_locked\nLOGOUT: logout\nSESSION_REVOKED: session_revoked\nPASSWORD_RESET_REQUESTED: password_reset_requested\nPASSWORD_RESET: password_reset\nPASSWORD_CHANGED: password_changed\nCONTACT_DATA_CHANGED: contact_data_changed\nEMAIL_CHANGE_REQUESTED: email_change_requested\nEMAIL_CHANGED: email_changed\nLOGIN_CHANGE_REQUESTED: login_change_requested\nLOGIN_CHANGED: login_changed\nPACKAGE_ADDED: package_added\nPACKAGE_CANCELLED: package_cancelled\nPIN_RESET: pin_reset\nSIGNAL_REFRESH: signal_refresh\nPAYMENT_STARTED: payment_started\nPAYMENT_SETTLED: payment_settled\nPAYMENT_FAILED: payment_failed\nWALLET_PURCHASE: wallet_purchase\nCONTACT_REQUEST_SENT: contact_request_sent\nOPERATOR_WRITE: operator_write\nCOMPLAINT_FILED: complaint_filed\nCOMPLAINT_ANSWERED: complaint_answered\nSTAFF_LOGIN: staff_login\nSTAFF_LOGIN_FAILED: staff_login_failed\nSTAFF_LOCKED: staff_locked\nSTAFF_LOGOUT: staff_logout\nSTAFF_SECOND_FACTOR: staff_second_factor\nSTAFF_VIEWED: staff_viewed\nSTAFF_WRITE: staff_write\nSTAFF_ACCOUNT: staff_account', enum_type=AuditKind, max_length=32),
        ),
        ops.AddField(
            model_name='ContactReply',
            name='staff',
            field=fields.ForeignKeyField('models.StaffMember', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.SET_NULL),
        ),
        ops.AlterModelOptions(
            name='ContactRequest',
            options={'table': 'contact_request', 'app': 'models', 'indexes': [Index(fields=['customer_id', 'created_at']), Index(fields=['status', 'created_at']), Index(fields=['assignee_id', 'status'])], 'pk_attr': 'id', 'table_description': "A customer's contact request or complaint (kind), one conversation in the staff queue."},
        ),
        AlterEnumField(
            model_name='ContactRequest',
            name='status',
            field=fields.CharEnumField(default=ContactStatus.NEW, description='NEW: new\nIN_PROGRESS: in_progress\nWAITING: waiting\nANSWERED: answered\nCLOSED: closed', enum_type=ContactStatus, max_length=12),
        ),
        ops.AddField(
            model_name='ContactRequest',
            name='assignee',
            field=fields.ForeignKeyField('models.StaffMember', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='assigned_requests', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='ContactRequest',
            name='kind',
            field=fields.CharEnumField(default=ContactKind.CONTACT, description='CONTACT: contact\nCOMPLAINT: complaint', db_default='contact', enum_type=ContactKind, max_length=10),
        ),
        ops.AddIndex(
            model_name='ContactRequest',
            index=Index(fields=['status', 'created_at']),
        ),
        ops.AddIndex(
            model_name='ContactRequest',
            index=Index(fields=['assignee_id', 'status']),
        ),
        AlterEnumField(
            model_name='WalletTransaction',
            name='kind',
            field=fields.CharEnumField(description='TOP_UP: top_up\nPURCHASE: purchase\nREFUND: refund\nCOMPLAINT: complaint', enum_type=WalletTransactionKind, max_length=10),
        ),
    ]
