"""What the app needs from a payment provider: create an order, verify its notifications, and
tell the status of an order when asked (reconciliation).

The flow (:mod:`backend.services.payments`): a PENDING ``Payment`` is committed first, with our
reference (``provider_ref``, which the provider stores with its order: PayU's ``extOrderId``);
then :meth:`PaymentProvider.create_order` asks the provider for an order and a page to send the
customer to. A provider that does not answer raises :class:`ProviderUnavailable` and the payment
is removed again, so nothing half-made remains. The provider later reports the outcome in a
notification (:meth:`PaymentProvider.verify_webhook`) or, if that is lost, when asked
(:meth:`PaymentProvider.fetch_status`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from backend.models import Payment
from backend.models.enums import Language, PaymentMethod, PaymentStatus


@dataclass(frozen=True)
class ProviderEvent:
    """A verified statement of the provider about the payment ``provider_ref``.

    ``status`` is PENDING while the provider is still waiting for the buyer (or for anything
    else): such an event changes nothing here. A final status (PAID, FAILED, CANCELLED) settles
    the payment once. ``amount`` is in grosze, exactly as the provider stated it (a provider's
    amount that is not a whole number of grosze is refused before an event is made)."""

    provider_ref: str
    status: PaymentStatus
    amount: int
    currency: str
    method: PaymentMethod | None = None
    reason: str = ""
    order_id: str | None = None


@dataclass(frozen=True)
class OrderRequest:
    """What a provider needs to create an order for ``payment``.

    ``payment.amount`` is in grosze, ``payment.provider_ref`` is our reference for the order,
    ``payment.method`` the pay method the customer chose. ``lines`` name what is paid, with
    their amounts in grosze (one line for a top-up, one per invoice otherwise)."""

    payment: Payment
    description: str
    lines: tuple[tuple[str, int], ...]
    buyer_email: str
    language: Language
    customer_ip: str
    notify_url: str
    continue_url: str


@dataclass(frozen=True)
class CreatedOrder:
    """The provider's order: its id (if it has its own) and where the customer pays."""

    redirect_url: str
    order_id: str | None = None


class WebhookRejected(Exception):
    """The webhook is not acted upon; ``status_code`` is the HTTP answer to the provider."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason


class ProviderUnavailable(Exception):
    """The provider did not answer, answered with an error, or refused the order (the message,
    for the log, says which). Nothing was charged; the customer may try again."""


class PaymentProvider(Protocol):
    name: str

    def new_reference(self) -> str:
        """A fresh, unguessable reference for a payment about to be created (≤ 64 characters)."""

    async def create_order(self, order: OrderRequest) -> CreatedOrder:
        """Create the provider's order for ``order.payment`` (raises :class:`ProviderUnavailable`)."""

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> ProviderEvent:
        """Check the signature (and freshness) and parse the body, or raise ``WebhookRejected``."""

    async def fetch_status(self, payment: Payment) -> ProviderEvent | None:
        """What the provider says of ``payment`` now; ``None`` when it knows no order for it
        (raises :class:`ProviderUnavailable`)."""
