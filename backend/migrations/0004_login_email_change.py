from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.models.enums import AuditKind, TokenPurpose
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_payment_provider_order')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='AccountToken',
            name='purpose',
            field=fields.CharEnumField(description='CONFIRM_EMAIL: confirm_email\nRESET_PASSWORD: reset_password\nCHANGE_EMAIL: change_email\nCHANGE_LOGIN: change_login', enum_type=TokenPurpose, max_length=16),
        ),
        ops.AlterField(
            model_name='AuditEvent',
            name='kind',
            field=fields.CharEnumField(description='ACCOUNT_REGISTERED: account_registered\nREGISTRATION_REPEATED: registration_repeated\nEMAIL_CONFIRMED: email_confirmed\nCONFIRMATION_RESENT: confirmation_resent\nLOGIN: login\nLOGIN_FAILED: login_failed\nLOGIN_LOCKED: login_locked\nLOGOUT: logout\nSESSION_REVOKED: session_revoked\nPASSWORD_RESET_REQUESTED: password_reset_requested\nPASSWORD_RESET: password_reset\nPASSWORD_CHANGED: password_changed\nCONTACT_DATA_CHANGED: contact_data_changed\nEMAIL_CHANGE_REQUESTED: email_change_requested\nEMAIL_CHANGED: email_changed\nLOGIN_CHANGE_REQUESTED: login_change_requested\nLOGIN_CHANGED: login_changed\nPACKAGE_ADDED: package_added\nPACKAGE_CANCELLED: package_cancelled\nPIN_RESET: pin_reset\nSIGNAL_REFRESH: signal_refresh\nPAYMENT_STARTED: payment_started\nPAYMENT_SETTLED: payment_settled\nPAYMENT_FAILED: payment_failed\nWALLET_PURCHASE: wallet_purchase\nCONTACT_REQUEST_SENT: contact_request_sent', enum_type=AuditKind, max_length=32),
        ),
    ]
