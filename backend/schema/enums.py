"""Every enumeration the schema shows, registered once as a GraphQL enum (values are the member
names, e.g. ``SATELLITE_TV``): the stored ones of ``backend.models.enums``, ``ErrorCode`` and the
services' ``InvoiceFilter`` and ``SubscriptionState``. Import the enums from here (the same
classes, registered) rather than calling ``strawberry.enum`` again."""

from __future__ import annotations

import strawberry

from backend.legal import LegalDocument
from backend.models.enums import (
    AuditKind,
    CommandKind,
    CommandStatus,
    ComplaintDecision,
    ComplaintSubject,
    ContactKind,
    ContactStatus,
    ContactTopic,
    ContractStatus,
    DeviceKind,
    InvoiceStatus,
    Language,
    MessageCategory,
    Ownership,
    PackageKind,
    PaymentMethod,
    PaymentPurpose,
    PaymentStatus,
    RefundMethod,
    ReplyAuthor,
    ServiceKind,
    ServiceStatus,
    StaffRole,
    SuspensionReason,
    TitleKind,
    WalletTransactionKind,
)
from backend.services.billing import InvoiceFilter
from backend.services.complaints import ComplaintState
from backend.services.contact import Assigned
from backend.services.errors import ErrorCode
from backend.services.feed.billing import FeedInvoiceStatus
from backend.services.feed.engine import ItemStatus
from backend.services.provisioning import CommandResult, ReasonCode
from backend.services.subscriptions import SubscriptionState

strawberry.enum(Language, name="Language")
strawberry.enum(
    LegalDocument,
    name="LegalDocument",
    description="TERMS: the terms of service. PRIVACY: the personal-data information (GDPR art. 13).",
)
strawberry.enum(ContractStatus, name="ContractStatus")
strawberry.enum(ServiceKind, name="ServiceKind")
strawberry.enum(ServiceStatus, name="ServiceStatus")
strawberry.enum(SuspensionReason, name="SuspensionReason")
strawberry.enum(PackageKind, name="PackageKind")
strawberry.enum(DeviceKind, name="DeviceKind")
strawberry.enum(Ownership, name="Ownership")
strawberry.enum(CommandKind, name="CommandKind")
strawberry.enum(CommandStatus, name="CommandStatus")
strawberry.enum(InvoiceStatus, name="InvoiceStatus")
strawberry.enum(PaymentPurpose, name="PaymentPurpose")
strawberry.enum(PaymentMethod, name="PaymentMethod")
strawberry.enum(PaymentStatus, name="PaymentStatus")
strawberry.enum(WalletTransactionKind, name="WalletTransactionKind")
strawberry.enum(TitleKind, name="TitleKind")
strawberry.enum(MessageCategory, name="MessageCategory")
strawberry.enum(ContactTopic, name="ContactTopic")
strawberry.enum(ContactStatus, name="ContactStatus")
strawberry.enum(ReplyAuthor, name="ReplyAuthor")
# complaints (reklamacje)
strawberry.enum(ContactKind, name="ContactKind")
strawberry.enum(ComplaintSubject, name="ComplaintSubject")
strawberry.enum(RefundMethod, name="RefundMethod")
strawberry.enum(ComplaintDecision, name="ComplaintDecision")
strawberry.enum(
    ComplaintState,
    name="ComplaintState",
    description="DEEMED_ACCEPTED: not answered within 30 days of receipt, so accepted by law.",
)
strawberry.enum(AuditKind, name="AuditKind")
strawberry.enum(ErrorCode, name="ErrorCode")
strawberry.enum(
    ItemStatus,
    name="FeedItemStatus",
    description="What became of an item the operator sent (in a dry run: what would have).",
)
strawberry.enum(
    FeedInvoiceStatus,
    name="FeedInvoiceStatus",
    description="An invoice's status as the operator sets it (PAID comes with its payment).",
)
strawberry.enum(
    InvoiceFilter, name="InvoiceFilter", description="OVERDUE: unpaid and past the due date."
)
strawberry.enum(
    CommandResult,
    name="CommandResult",
    description="The outcome the operator reports for a device command.",
)
strawberry.enum(
    ReasonCode,
    name="CommandFailureReason",
    description="Why a command failed, shown to the customer in their language "
    "(TIMEOUT is the portal's own: nobody completed it in time).",
)
strawberry.enum(
    SubscriptionState,
    name="SubscriptionState",
    description="ENDING: active but cancelled at endsOn. SCHEDULED: starts later.",
)
# the staff queue (console)
strawberry.enum(
    Assigned,
    name="QueueAssigned",
    description="Whose requests the queue lists: ANYONE, ME (the staff member asking), UNASSIGNED.",
)

# The console (staff accounts).
strawberry.enum(StaffRole, name="StaffRole", description="AGENT < SUPERVISOR < ADMIN.")

__all__ = [
    "Assigned",
    "AuditKind",
    "CommandKind",
    "CommandResult",
    "CommandStatus",
    "ComplaintDecision",
    "ComplaintState",
    "ComplaintSubject",
    "ContactKind",
    "ContactStatus",
    "ContactTopic",
    "ContractStatus",
    "DeviceKind",
    "ErrorCode",
    "FeedInvoiceStatus",
    "InvoiceFilter",
    "InvoiceStatus",
    "ItemStatus",
    "Language",
    "LegalDocument",
    "MessageCategory",
    "Ownership",
    "PackageKind",
    "PaymentMethod",
    "PaymentPurpose",
    "PaymentStatus",
    "ReasonCode",
    "RefundMethod",
    "ReplyAuthor",
    "ServiceKind",
    "ServiceStatus",
    "StaffRole",
    "SubscriptionState",
    "SuspensionReason",
    "TitleKind",
    "WalletTransactionKind",
]
