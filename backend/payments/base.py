"""What the app needs from a payment provider: start a payment, and verify its webhooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from backend.models import Payment
from backend.models.enums import PaymentMethod, PaymentStatus


@dataclass(frozen=True)
class WebhookEvent:
    """A verified notification: the payment ``provider_ref`` reached a final ``status``."""

    provider_ref: str
    status: PaymentStatus
    amount: int
    currency: str
    method: PaymentMethod | None = None
    reason: str = ""


class WebhookRejected(Exception):
    """The webhook is not acted upon; ``status_code`` is the HTTP answer to the provider."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason


class PaymentProvider(Protocol):
    name: str

    def new_reference(self) -> str:
        """A fresh, unguessable reference for a payment about to be created."""

    def redirect_url(self, payment: Payment) -> str:
        """Where the customer's browser goes to pay ``payment``."""

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Check the signature and freshness and parse the body, or raise ``WebhookRejected``."""
