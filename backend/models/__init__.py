"""Tortoise models: persistence only. Business rules live in backend.services.

Model docstrings become table comments in migrations: keep them free of semicolons, which
Tortoise's SQLite schema editor splits statements on.
"""

from backend.models.account import (
    Account,
    AccountRecoveryCode,
    AccountToken,
    Captcha,
    OutboxMessage,
    RateLimit,
    RefreshToken,
    RefreshTokenFamily,
    Session,
)
from backend.models.billing import Invoice, InvoiceLine, Payment
from backend.models.catalog import CatalogueVersion, Channel, Offer, Package, Title
from backend.models.contact import (
    AuditEvent,
    Complaint,
    ContactNote,
    ContactReply,
    ContactRequest,
    Message,
    MessageRead,
)
from backend.models.contract import Contract, Service, ServiceUsage, Subscription
from backend.models.customer import Customer
from backend.models.device import Device, DeviceCommand
from backend.models.event import Event, EventDelivery
from backend.models.operator import ApiKey
from backend.models.staff import StaffMember, StaffRecoveryCode, StaffSession
from backend.models.system import ReadinessProbe
from backend.models.wallet import Purchase, Wallet, WalletTransaction

__all__ = [
    "Account",
    "AccountRecoveryCode",
    "AccountToken",
    "ApiKey",
    "AuditEvent",
    "Captcha",
    "CatalogueVersion",
    "Channel",
    "Complaint",
    "ContactNote",
    "ContactReply",
    "ContactRequest",
    "Contract",
    "Customer",
    "Device",
    "DeviceCommand",
    "Event",
    "EventDelivery",
    "Invoice",
    "InvoiceLine",
    "Message",
    "MessageRead",
    "Offer",
    "OutboxMessage",
    "Package",
    "Payment",
    "Purchase",
    "RateLimit",
    "ReadinessProbe",
    "RefreshToken",
    "RefreshTokenFamily",
    "Service",
    "ServiceUsage",
    "Session",
    "StaffMember",
    "StaffRecoveryCode",
    "StaffSession",
    "Subscription",
    "Title",
    "Wallet",
    "WalletTransaction",
]
