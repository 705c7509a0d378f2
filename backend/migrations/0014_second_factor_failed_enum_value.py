"""The audit event of a mistake inside a session with the customer's second factor
(``second_factor_failed``): the migration state only (``AlterEnumField``), the column stays as
it is."""

from tortoise import migrations
from backend.dbchecks import AlterEnumField
from backend.models.enums import AuditKind
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0013_second_factor_enum_values")]

    initial = False

    operations = [
        AlterEnumField(
            model_name="AuditEvent",
            name="kind",
            field=fields.CharEnumField(
                description="ACCOUNT_REGISTERED: account_registered\nREGISTRATION_REPEATED: registration_repeated\nEMAIL_CONFIRMED: email_confirmed\nCONFIRMATION_RESENT: confirmation_resent\nLOGIN: login\nLOGIN_FAILED: login_failed\nLOGIN_LOCKED: login_locked\nLOGOUT: logout\nSESSION_REVOKED: session_revoked\nPASSWORD_RESET_REQUESTED: password_reset_requested\nPASSWORD_RESET: password_reset\nPASSWORD_CHANGED: password_changed\nCONTACT_DATA_CHANGED: contact_data_changed\nEMAIL_CHANGE_REQUESTED: email_change_requested\nEMAIL_CHANGED: email_changed\nLOGIN_CHANGE_REQUESTED: login_change_requested\nLOGIN_CHANGED: login_changed\nPACKAGE_ADDED: package_added\nPACKAGE_CANCELLED: package_cancelled\nPIN_RESET: pin_reset\nSIGNAL_REFRESH: signal_refresh\nPAYMENT_STARTED: payment_started\nPAYMENT_SETTLED: payment_settled\nPAYMENT_FAILED: payment_failed\nWALLET_PURCHASE: wallet_purchase\nCONTACT_REQUEST_SENT: contact_request_sent\nOPERATOR_WRITE: operator_write\nCOMPLAINT_FILED: complaint_filed\nCOMPLAINT_ANSWERED: complaint_answered\nSECOND_FACTOR_ENABLED: second_factor_enabled\nSECOND_FACTOR_DISABLED: second_factor_disabled\nRECOVERY_CODES_RENEWED: recovery_codes_renewed\nSECOND_FACTOR_FAILED: second_factor_failed\nSTAFF_LOGIN: staff_login\nSTAFF_LOGIN_FAILED: staff_login_failed\nSTAFF_LOCKED: staff_locked\nSTAFF_LOGOUT: staff_logout\nSTAFF_SECOND_FACTOR: staff_second_factor\nSTAFF_VIEWED: staff_viewed\nSTAFF_WRITE: staff_write\nSTAFF_ACCOUNT: staff_account",
                enum_type=AuditKind,
                max_length=32,
            ),
        ),
    ]
