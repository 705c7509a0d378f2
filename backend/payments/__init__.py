"""Payment providers: the protocol the app talks to, and the built-in sandbox provider.

A real provider plugs in by implementing :class:`~backend.payments.base.PaymentProvider` and
being returned by :func:`get_provider`; the GraphQL schema does not change.
"""

from __future__ import annotations

from backend.config import Settings
from backend.payments.base import PaymentProvider, WebhookEvent, WebhookRejected
from backend.payments.sandbox import SandboxProvider

DEFAULT_PROVIDER = "sandbox"


def get_provider(settings: Settings, name: str = DEFAULT_PROVIDER) -> PaymentProvider:
    if name == SandboxProvider.name:
        return SandboxProvider(settings)
    raise LookupError(f"unknown payment provider {name!r}")


__all__ = ["PaymentProvider", "SandboxProvider", "WebhookEvent", "WebhookRejected", "get_provider"]
