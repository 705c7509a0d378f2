"""The one error type services raise for expected failures.

The schema layer turns it into a mutation's ``errors`` list (``field``, ``code``, ``message``);
``message`` is looked up in :mod:`backend.i18n` by ``code`` in the request's language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    # generic
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    TOO_SHORT = "TOO_SHORT"
    INVALID = "INVALID"
    FORBIDDEN_CHARACTER = "FORBIDDEN_CHARACTER"
    NOT_FOUND = "NOT_FOUND"
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    RATE_LIMITED = "RATE_LIMITED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    # identifiers
    INVALID_PESEL = "INVALID_PESEL"
    INVALID_IDENTIFIER = "INVALID_IDENTIFIER"
    INVALID_EMAIL = "INVALID_EMAIL"
    EMAILS_DO_NOT_MATCH = "EMAILS_DO_NOT_MATCH"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_POSTAL_CODE = "INVALID_POSTAL_CODE"
    # registration / login
    CUSTOMER_NOT_MATCHED = "CUSTOMER_NOT_MATCHED"
    TERMS_NOT_ACCEPTED = "TERMS_NOT_ACCEPTED"
    CAPTCHA_INVALID = "CAPTCHA_INVALID"
    CAPTCHA_EXPIRED = "CAPTCHA_EXPIRED"
    CAPTCHA_PROOF_REQUIRED = "CAPTCHA_PROOF_REQUIRED"
    CAPTCHA_PROOF_INVALID = "CAPTCHA_PROOF_INVALID"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
    PASSWORD_TOO_LONG = "PASSWORD_TOO_LONG"
    ONE_PASSWORD_PER_REQUEST = "ONE_PASSWORD_PER_REQUEST"
    PASSWORD_SCORING_BUSY = "PASSWORD_SCORING_BUSY"
    SERVER_BUSY = "SERVER_BUSY"
    PASSWORD_TOO_WEAK = "PASSWORD_TOO_WEAK"
    PASSWORD_CONTAINS_PERSONAL_DATA = "PASSWORD_CONTAINS_PERSONAL_DATA"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    EMAIL_NOT_CONFIRMED = "EMAIL_NOT_CONFIRMED"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    TOKEN_INVALID = "TOKEN_INVALID"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    WRONG_PASSWORD = "WRONG_PASSWORD"
    EMAIL_IN_USE = "EMAIL_IN_USE"
    EMAIL_UNCHANGED = "EMAIL_UNCHANGED"
    REFRESH_TOKEN_INVALID = "REFRESH_TOKEN_INVALID"
    # customer actions
    PACKAGE_NOT_AVAILABLE = "PACKAGE_NOT_AVAILABLE"
    PACKAGE_ALREADY_ACTIVE = "PACKAGE_ALREADY_ACTIVE"
    BASE_PACKAGE_REQUIRED = "BASE_PACKAGE_REQUIRED"
    CANNOT_CANCEL_BASE = "CANNOT_CANCEL_BASE"
    OFFER_NOT_FOR_PACKAGE = "OFFER_NOT_FOR_PACKAGE"
    OFFER_ALREADY_USED = "OFFER_ALREADY_USED"
    NOT_A_DECODER = "NOT_A_DECODER"
    SERVICE_SUSPENDED = "SERVICE_SUSPENDED"
    SERVICE_SUSPENDED_FOR_DEBT = "SERVICE_SUSPENDED_FOR_DEBT"
    COMMAND_LIMIT_REACHED = "COMMAND_LIMIT_REACHED"
    SIGNAL_REFRESH_NOT_AVAILABLE = "SIGNAL_REFRESH_NOT_AVAILABLE"
    COMMAND_NOT_SENT = "COMMAND_NOT_SENT"
    COMMAND_ALREADY_COMPLETED = "COMMAND_ALREADY_COMPLETED"
    NOTHING_TO_PAY = "NOTHING_TO_PAY"
    INVOICE_ALREADY_PAID = "INVOICE_ALREADY_PAID"
    AMOUNT_OUT_OF_RANGE = "AMOUNT_OUT_OF_RANGE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    TOO_MANY_PENDING_PAYMENTS = "TOO_MANY_PENDING_PAYMENTS"
    PAYMENT_PROVIDER_UNAVAILABLE = "PAYMENT_PROVIDER_UNAVAILABLE"
    PAYMENT_IN_PROGRESS = "PAYMENT_IN_PROGRESS"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    TITLE_NOT_AVAILABLE = "TITLE_NOT_AVAILABLE"
    ALREADY_PURCHASED = "ALREADY_PURCHASED"
    PAGE_SIZE_TOO_LARGE = "PAGE_SIZE_TOO_LARGE"
    INVALID_CURSOR = "INVALID_CURSOR"
    # documents refused before validation or execution (backend.schema.limits)
    QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
    TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
    TOO_MANY_FRAGMENT_SPREADS = "TOO_MANY_FRAGMENT_SPREADS"
    TOO_MANY_DIRECTIVES = "TOO_MANY_DIRECTIVES"
    TOO_MANY_FIELDS = "TOO_MANY_FIELDS"
    SELECTION_TOO_WIDE = "SELECTION_TOO_WIDE"
    TOO_MANY_REPEATED_FIELDS = "TOO_MANY_REPEATED_FIELDS"
    FRAGMENT_CYCLE = "FRAGMENT_CYCLE"
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
    # the operator's feed (operator API and icok import)
    OUT_OF_RANGE = "OUT_OF_RANGE"
    INVALID_DATE = "INVALID_DATE"
    INVALID_CHOICE = "INVALID_CHOICE"
    TOO_MANY = "TOO_MANY"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    UNKNOWN_TYPE = "UNKNOWN_TYPE"
    INVALID_JSON = "INVALID_JSON"
    # trusted documents (backend.trusted_documents)
    DOCUMENT_NOT_TRUSTED = "DOCUMENT_NOT_TRUSTED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    UNKNOWN_REFERENCE = "UNKNOWN_REFERENCE"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    IN_THE_FUTURE = "IN_THE_FUTURE"
    USAGE_NOT_METERED = "USAGE_NOT_METERED"
    PESEL_IN_USE = "PESEL_IN_USE"
    WRITE_CONFLICT = "WRITE_CONFLICT"
    # the operator's catalogue (feed kinds package and title)
    NOT_APPLICABLE = "NOT_APPLICABLE"
    NOT_A_BASE_PACKAGE = "NOT_A_BASE_PACKAGE"
    BASE_PACKAGE_IN_USE = "BASE_PACKAGE_IN_USE"
    DUPLICATE_CHANNEL = "DUPLICATE_CHANNEL"
    CONFLICTING_CHANNEL = "CONFLICTING_CHANNEL"
    # the operator's billing (feed kinds invoice, invoice_payment, usage)
    TOTALS_DO_NOT_ADD_UP = "TOTALS_DO_NOT_ADD_UP"
    DUE_BEFORE_ISSUE = "DUE_BEFORE_ISSUE"
    INVALID_IBAN = "INVALID_IBAN"
    INVOICE_PAID_LOCKED = "INVOICE_PAID_LOCKED"
    INVOICE_PAYMENT_PENDING = "INVOICE_PAYMENT_PENDING"
    INVOICE_CANCELLED = "INVOICE_CANCELLED"
    ENDS_BEFORE_START = "ENDS_BEFORE_START"
    DIFFERENT_CUSTOMER = "DIFFERENT_CUSTOMER"
    # icok import (JSON Lines)
    LINE_TOO_LONG = "LINE_TOO_LONG"
    INVALID_ENCODING = "INVALID_ENCODING"
    # the feed's contracts, services, devices and subscriptions
    CANNOT_CHANGE = "CANNOT_CHANGE"
    IDENTIFIER_KIND_MISMATCH = "IDENTIFIER_KIND_MISMATCH"
    SUSPENSION_REASON_NOT_ALLOWED = "SUSPENSION_REASON_NOT_ALLOWED"
    SERVICE_KIND_MISMATCH = "SERVICE_KIND_MISMATCH"
    # operator API keys
    API_KEY_NAME_TAKEN = "API_KEY_NAME_TAKEN"
    UNKNOWN_SCOPE = "UNKNOWN_SCOPE"
    SCOPE_NOT_GRANTED = "SCOPE_NOT_GRANTED"
    # answers from the operator (replies, messages, offers)
    REFERENCE_REUSED = "REFERENCE_REUSED"
    ENDS_BEFORE_BEGINS = "ENDS_BEFORE_BEGINS"
    # the staff console
    ROLE_REQUIRED = "ROLE_REQUIRED"
    SECOND_FACTOR_REQUIRED = "SECOND_FACTOR_REQUIRED"
    INVALID_SECOND_FACTOR = "INVALID_SECOND_FACTOR"
    STAFF_EMAIL_TAKEN = "STAFF_EMAIL_TAKEN"
    # the customers' optional second factor
    SECOND_FACTOR_ON = "SECOND_FACTOR_ON"
    SECOND_FACTOR_OFF = "SECOND_FACTOR_OFF"
    SECOND_FACTOR_NOT_STARTED = "SECOND_FACTOR_NOT_STARTED"
    # complaints (reklamacje)
    COMPLAINT_ANSWERED = "COMPLAINT_ANSWERED"
    COMPLAINT_DEEMED_ACCEPTED = "COMPLAINT_DEEMED_ACCEPTED"
    AMOUNT_OVER_CLAIM = "AMOUNT_OVER_CLAIM"
    # console: customer lookup
    ONE_CUSTOMER_PER_REQUEST = "ONE_CUSTOMER_PER_REQUEST"
    # the staff queue (contact requests and complaints)
    ALREADY_ASSIGNED = "ALREADY_ASSIGNED"
    COMPLAINT_NOT_ANSWERED = "COMPLAINT_NOT_ANSWERED"
    # the console's security review
    NOT_YOURSELF = "NOT_YOURSELF"
    LAST_ADMIN = "LAST_ADMIN"
    ASSIGNED_TO_OTHER = "ASSIGNED_TO_OTHER"
    PASSWORD_CHANGE_REQUIRED = "PASSWORD_CHANGE_REQUIRED"
    PASSWORD_UNCHANGED = "PASSWORD_UNCHANGED"
    # complaints: the reviewer's findings
    AMOUNT_NOT_PARTIAL = "AMOUNT_NOT_PARTIAL"
    PERIOD_TOO_EARLY = "PERIOD_TOO_EARLY"
    COMPLAINTS_TODAY_LIMIT = "COMPLAINTS_TODAY_LIMIT"
    # the last review (finalfix)
    AMOUNT_NOT_FULL = "AMOUNT_NOT_FULL"
    AMOUNT_ON_REJECTION = "AMOUNT_ON_REJECTION"
    NO_MONEY_CLAIMED = "NO_MONEY_CLAIMED"
    COMPLAINT_STATUS_LOCKED = "COMPLAINT_STATUS_LOCKED"


@dataclass
class DomainError(Exception):
    """An expected failure: ``code`` is stable, ``field`` names the service's own parameter
    (snake_case, e.g. ``service_id``) if any, ``params`` fill the translated message.

    Services never name GraphQL fields: the schema layer maps ``field`` to the input's name
    (``backend.schema.errors.input_field``: ``service_id`` becomes ``serviceId``)."""

    code: ErrorCode
    field: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}{f' ({self.field})' if self.field else ''}"


class ValidationErrors(Exception):
    """Several field errors found at once (a form validated as a whole)."""

    def __init__(self, errors: Iterable[DomainError]) -> None:
        self.errors = list(errors)
        super().__init__(", ".join(str(e) for e in self.errors))


class Collector:
    """Collects field errors, then raises them together."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def add(self, code: ErrorCode, field: str | None = None, **params: Any) -> None:
        self.errors.append(DomainError(code, field, params))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationErrors(self.errors)
