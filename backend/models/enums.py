"""Enumerations stored in the database (as short strings) and reused by services and schema."""

from enum import StrEnum


class Language(StrEnum):
    PL = "pl"
    EN = "en"


class ContractStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    TERMINATED = "terminated"


class ServiceKind(StrEnum):
    SATELLITE_TV = "satellite_tv"
    INTERNET = "internet"
    MOBILE_TV = "mobile_tv"


class ServiceStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class SuspensionReason(StrEnum):
    DEBT = "debt"
    CUSTOMER_REQUEST = "customer_request"
    TECHNICAL = "technical"


class PackageKind(StrEnum):
    BASE = "base"
    ADDON = "addon"


class DeviceKind(StrEnum):
    DECODER = "decoder"
    SMART_CARD = "smart_card"
    MODEM = "modem"
    ROUTER = "router"
    SIM_CARD = "sim_card"


class Ownership(StrEnum):
    LEASED = "leased"
    OWNED = "owned"


class CommandKind(StrEnum):
    PIN_RESET = "pin_reset"
    SIGNAL_REFRESH = "signal_refresh"
    ENTITLEMENT = "entitlement"
    """Give or take the card's entitlement to a package or a VOD/PPV title (details say which)."""


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    DEAD = "dead"


class CommandStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DONE = "done"
    FAILED = "failed"


class InvoiceStatus(StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    CANCELLED = "cancelled"


class PaymentPurpose(StrEnum):
    INVOICES = "invoices"
    WALLET_TOP_UP = "wallet_top_up"


class PaymentMethod(StrEnum):
    CARD = "card"
    BLIK = "blik"
    TRANSFER = "transfer"


class PaymentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class WalletTransactionKind(StrEnum):
    TOP_UP = "top_up"
    PURCHASE = "purchase"
    REFUND = "refund"
    COMPLAINT = "complaint"
    """Money granted by the answer to a complaint (reklamacja), credited to the wallet."""


class TitleKind(StrEnum):
    VOD = "vod"
    PPV = "ppv"


class MessageCategory(StrEnum):
    ANNOUNCEMENT = "announcement"
    BILLING = "billing"
    SERVICE = "service"
    MAINTENANCE = "maintenance"
    OFFER = "offer"


class ContactTopic(StrEnum):
    BILLING = "billing"
    TECHNICAL = "technical"
    PACKAGES = "packages"
    CONTRACT = "contract"
    OTHER = "other"


class ContactStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    """Waiting for the customer (staff asked something back)."""
    ANSWERED = "answered"
    CLOSED = "closed"


class ContactKind(StrEnum):
    CONTACT = "contact"
    """A message through the contact form."""
    COMPLAINT = "complaint"
    """A complaint (reklamacja): acknowledged on a durable medium, answered within 30 days."""


class ComplaintSubject(StrEnum):
    INVOICE = "invoice"
    SERVICE = "service"
    EQUIPMENT = "equipment"
    OTHER = "other"


class RefundMethod(StrEnum):
    WALLET = "wallet"
    BANK_ACCOUNT = "bank_account"


class ComplaintDecision(StrEnum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly"
    REJECTED = "rejected"


class StaffRole(StrEnum):
    """What a staff member may do in the console (each role may do what the ones before it may)."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class ReplyAuthor(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"


class TokenPurpose(StrEnum):
    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"
    CHANGE_EMAIL = "change_email"
    CHANGE_LOGIN = "change_login"
    SECOND_FACTOR = "second_factor"
    """A login whose password was right waits for its TOTP or recovery code (5 minutes)."""


class SessionKind(StrEnum):
    COOKIE = "cookie"
    BEARER = "bearer"


class AuditKind(StrEnum):
    ACCOUNT_REGISTERED = "account_registered"
    REGISTRATION_REPEATED = "registration_repeated"
    EMAIL_CONFIRMED = "email_confirmed"
    CONFIRMATION_RESENT = "confirmation_resent"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_LOCKED = "login_locked"
    LOGOUT = "logout"
    SESSION_REVOKED = "session_revoked"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET = "password_reset"
    PASSWORD_CHANGED = "password_changed"
    CONTACT_DATA_CHANGED = "contact_data_changed"
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    EMAIL_CHANGED = "email_changed"
    LOGIN_CHANGE_REQUESTED = "login_change_requested"
    LOGIN_CHANGED = "login_changed"
    PACKAGE_ADDED = "package_added"
    PACKAGE_CANCELLED = "package_cancelled"
    PIN_RESET = "pin_reset"
    SIGNAL_REFRESH = "signal_refresh"
    PAYMENT_STARTED = "payment_started"
    PAYMENT_SETTLED = "payment_settled"
    PAYMENT_FAILED = "payment_failed"
    WALLET_PURCHASE = "wallet_purchase"
    CONTACT_REQUEST_SENT = "contact_request_sent"
    OPERATOR_WRITE = "operator_write"
    COMPLAINT_FILED = "complaint_filed"
    COMPLAINT_ANSWERED = "complaint_answered"
    SECOND_FACTOR_ENABLED = "second_factor_enabled"
    SECOND_FACTOR_DISABLED = "second_factor_disabled"
    """The customer's TOTP second factor was turned off (details ``staff``/``staff_name`` when
    the console did it)."""
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed"
    SECOND_FACTOR_FAILED = "second_factor_failed"
    """A mistake inside a session with the second factor: a wrong code setting it up, asking
    for new recovery codes or turning it off, or a wrong password turning it off (details
    ``reason``); counted on the second factor's own count, never a failed login."""
    # Staff (console) events: details carry the staff member's id and name (``staff``,
    # ``staff_name``); with a customer_id when they concern one customer. Never shown in the
    # customer's activity history.
    STAFF_LOGIN = "staff_login"
    STAFF_LOGIN_FAILED = "staff_login_failed"
    STAFF_LOCKED = "staff_locked"
    STAFF_LOGOUT = "staff_logout"
    STAFF_SECOND_FACTOR = "staff_second_factor"
    STAFF_VIEWED = "staff_viewed"
    """A staff member looked at a customer's data (details: what)."""
    STAFF_WRITE = "staff_write"
    """A staff member changed something (details: what)."""
    STAFF_ACCOUNT = "staff_account"
    """A staff account was created, disabled, enabled or had its second factor reset."""
