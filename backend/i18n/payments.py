"""What a payment is for, as the customer reads it in the payment list, the activity history
and the receipt: ``payment.title.invoice`` (one invoice), ``payment.title.invoices`` (several:
``{numbers}`` joined by ", ") and ``payment.title.top_up``."""

from __future__ import annotations

from backend.models.enums import Language

TEXTS: dict[Language, dict[str, str]] = {
    Language.PL: {
        "payment.title.invoice": "Faktura {numbers}",
        "payment.title.invoices": "Faktury {numbers}",
        "payment.title.top_up": "Doładowanie portmonetki",
    },
    Language.EN: {
        "payment.title.invoice": "Invoice {numbers}",
        "payment.title.invoices": "Invoices {numbers}",
        "payment.title.top_up": "Wallet top-up",
    },
}
