"""Confirmations in the customer's ICOK inbox (the same text also goes out by e-mail).

Keys are ``notice.<kind>.subject`` / ``notice.<kind>.body`` (and ``wallet.refund``, the
ledger line of a refund); placeholders are filled by the
service that sends the notice (amounts already formatted, dates as ISO ``YYYY-MM-DD``).
"""

from __future__ import annotations

from backend.models.enums import Language

TEXTS: dict[Language, dict[str, str]] = {
    Language.PL: {
        "notice.contact_request.subject": "Otrzymaliśmy Twoje zgłoszenie nr {number}",
        "notice.contact_request.body": (
            "Dziękujemy za wiadomość „{subject}”. Zgłoszenie ma numer {number}; "
            "odpowiemy tutaj i e-mailem."
        ),
        # complaints (reklamacje)
        "notice.complaint.subject": "Otrzymaliśmy Twoją reklamację nr {number}",
        "notice.complaint.mail": (
            "Potwierdzenie z pełną treścią reklamacji wyślemy e-mailem na adres {email}; czy "
            "już wyszło, zobaczysz przy reklamacji w Kontakt."
        ),
        "notice.complaint.body": (
            "Odpowiemy do {deadline}; jeśli nie odpowiemy w tym terminie, reklamacja jest uznana."
        ),
        "notice.package_added.subject": "Dodano pakiet {package}",
        "notice.package_added.body": (
            "Pakiet {package} jest aktywny na usłudze {service} od {effective_on}.\n"
            "Za okres do {period_end} doliczymy {prorated}. Nowa opłata miesięczna za tę usługę: {monthly}.\n"
            "Najbliższa faktura ({next_invoice_on}) za wszystkie usługi: {next_total}."
        ),
        "notice.package_cancelled.subject": "Rezygnacja z pakietu {package}",
        "notice.package_cancelled.body": (
            "Pakiet {package} na usłudze {service} będzie aktywny do {ends_on} włącznie."
        ),
        "notice.package_withdrawn.subject": "Pakiet {package} nie został włączony",
        "notice.package_withdrawn.body": (
            "Nie udało się włączyć pakietu {package} na karcie usługi {service}, więc "
            "wycofaliśmy zamówienie: nie zapłacisz za ten pakiet. Możesz zamówić go ponownie."
        ),
        "notice.title_refunded.subject": "Zwrot za {title}",
        "notice.title_refunded.body": (
            "Nie udało się przekazać „{title}” na Twoją kartę. {amount} wróciło do "
            "portmonetki; możesz kupić ten tytuł ponownie."
        ),
        "wallet.refund": "Zwrot: {purchase}",
    },
    Language.EN: {
        "notice.contact_request.subject": "We received your request no. {number}",
        "notice.contact_request.body": (
            'Thank you for your message "{subject}". Your request number is {number}; '
            "we will answer here and by e-mail."
        ),
        # complaints (reklamacje)
        "notice.complaint.subject": "We received your complaint no. {number}",
        "notice.complaint.mail": (
            "We will e-mail an acknowledgement with the complaint's full content to {email}; "
            "whether it has gone out is shown with the complaint on Contact."
        ),
        "notice.complaint.body": (
            "We will answer by {deadline}; if we do not answer by then, the complaint is accepted."
        ),
        "notice.package_added.subject": "Package {package} added",
        "notice.package_added.body": (
            "Package {package} is active on service {service} from {effective_on}.\n"
            "For the period until {period_end} we add {prorated}. New monthly fee of this service: {monthly}.\n"
            "Next invoice ({next_invoice_on}) for all services: {next_total}."
        ),
        "notice.package_cancelled.subject": "Package {package} cancelled",
        "notice.package_cancelled.body": (
            "Package {package} on service {service} stays active until {ends_on} inclusive."
        ),
        "notice.package_withdrawn.subject": "Package {package} was not switched on",
        "notice.package_withdrawn.body": (
            "Package {package} could not be switched on on the card of service {service}, so "
            "we withdrew the order: you will not pay for it. You can order it again."
        ),
        "notice.title_refunded.subject": "Refund for {title}",
        "notice.title_refunded.body": (
            '"{title}" could not be sent to your card. {amount} is back in your wallet; '
            "you can buy the title again."
        ),
        "wallet.refund": "Refund: {purchase}",
    },
}
