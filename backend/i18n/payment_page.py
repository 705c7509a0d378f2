"""The sandbox provider's payment page (the stand-in for a bank's page in development and tests).

Keys are ``payment_page.<part>``; the payment methods are ``payment_page.<method>`` with the
``PaymentMethod`` value (``card``, ``blik``, ``transfer``).
"""

from __future__ import annotations

from backend.models.enums import Language

TEXTS: dict[Language, dict[str, str]] = {
    Language.PL: {
        "payment_page.title": "Płatność testowa",
        "payment_page.badge": "SANDBOX: pieniądze nie są pobierane",
        "payment_page.merchant": "Odbiorca",
        "payment_page.for": "Tytułem",
        "payment_page.invoices": "Faktury {numbers}",
        "payment_page.top_up": "Doładowanie portmonetki ICOK",
        "payment_page.method": "Metoda płatności",
        "payment_page.card": "Karta płatnicza",
        "payment_page.blik": "BLIK",
        "payment_page.transfer": "Przelew bankowy",
        "payment_page.blik_code": "Kod BLIK (6 cyfr, tylko dla BLIK)",
        "payment_page.blik_hint": "Kod 000000 zostanie odrzucony przez bank testowy.",
        "payment_page.approve": "Zapłać",
        "payment_page.decline": "Odrzuć",
        "payment_page.cancel": "Anuluj i wróć",
        "payment_page.bad_blik": "Podaj 6-cyfrowy kod BLIK.",
        "payment_page.done": "Ta płatność jest już zakończona.",
        "payment_page.timed_out": (
            "Ta płatność wygasła, bo nie została dokończona na czas. Nie pobrano pieniędzy. "
            "Rozpocznij płatność ponownie w ICOK."
        ),
        "payment_page.back": "Wróć do ICOK",
        "payment_page.missing": "Nie ma takiej płatności.",
        "payment_page.expired": "Formularz wygasł. Otwórz stronę płatności ponownie.",
    },
    Language.EN: {
        "payment_page.title": "Test payment",
        "payment_page.badge": "SANDBOX: no money is taken",
        "payment_page.merchant": "Payee",
        "payment_page.for": "For",
        "payment_page.invoices": "Invoices {numbers}",
        "payment_page.top_up": "ICOK wallet top-up",
        "payment_page.method": "Payment method",
        "payment_page.card": "Payment card",
        "payment_page.blik": "BLIK",
        "payment_page.transfer": "Bank transfer",
        "payment_page.blik_code": "BLIK code (6 digits, BLIK only)",
        "payment_page.blik_hint": "The test bank refuses the code 000000.",
        "payment_page.approve": "Pay",
        "payment_page.decline": "Decline",
        "payment_page.cancel": "Cancel and return",
        "payment_page.bad_blik": "Enter the 6-digit BLIK code.",
        "payment_page.done": "This payment is already finished.",
        "payment_page.timed_out": (
            "This payment has expired because it was not completed in time. No money was taken. "
            "Start the payment again in ICOK."
        ),
        "payment_page.back": "Back to ICOK",
        "payment_page.missing": "There is no such payment.",
        "payment_page.expired": "The form has expired. Open the payment page again.",
    },
}
