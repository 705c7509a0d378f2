"""Payment providers: the protocol the app talks to (:mod:`backend.payments.base`), the built-in
sandbox (development only) and the registry that picks one by settings.

A real provider plugs in by implementing :class:`~backend.payments.base.PaymentProvider` and
being returned by :func:`get_provider`; the GraphQL schema does not change.
"""

from __future__ import annotations

from backend.config import PaymentProviderName, Settings
from backend.payments.base import (
    CreatedOrder,
    OrderRequest,
    PaymentProvider,
    ProviderEvent,
    ProviderUnavailable,
    WebhookRejected,
)
from backend.payments.payu import PayUProvider
from backend.payments.sandbox import SandboxProvider


def get_provider(settings: Settings, name: str | None = None) -> PaymentProvider:
    """The provider called ``name`` (default: the one new payments use, ``settings.payment_provider``).

    Raises ``LookupError`` for a name that is not a provider here, including the sandbox in
    production mode (its notifications and pages do not exist there) and PayU without its
    settings (``Settings.payu``)."""
    chosen = settings.payment_provider.value if name is None else name
    if chosen == PaymentProviderName.SANDBOX and not settings.production:
        return SandboxProvider(settings)
    if chosen == PaymentProviderName.PAYU and settings.payu is not None:
        return PayUProvider(settings)
    raise LookupError(f"unknown payment provider {chosen!r}")


__all__ = [
    "CreatedOrder",
    "OrderRequest",
    "PayUProvider",
    "PaymentProvider",
    "ProviderEvent",
    "ProviderUnavailable",
    "SandboxProvider",
    "WebhookRejected",
    "get_provider",
]
