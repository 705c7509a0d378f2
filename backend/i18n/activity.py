"""The details of an activity-history event in words (``activity.detail.<key>`` names a detail,
``activity.<key>.<value>`` says a coded value, e.g. why a login failed), as
``services.audit.summary`` writes them for the customer's history and the console."""

from __future__ import annotations

from backend.models.enums import Language

TEXTS: dict[Language, dict[str, str]] = {
    Language.PL: {
        "activity.detail.package": "pakiet",
        "activity.detail.service": "usługa",
        "activity.detail.amount": "kwota",
        "activity.detail.method": "sposób",
        "activity.detail.title": "tytuł",
        "activity.detail.device": "urządzenie",
        "activity.detail.email": "e-mail",
        "activity.detail.second_factor": "drugi etap",
        "activity.detail.reason": "powód",
        "activity.second_factor.totp": "kod z aplikacji",
        "activity.second_factor.recovery": "kod zapasowy",
        "activity.reason.second_factor:code": "błędny kod weryfikacji dwuetapowej",
        "activity.reason.second_factor:password": (
            "błędne hasło przy wyłączaniu weryfikacji dwuetapowej"
        ),
        "activity.reason.refresh_token_reuse": (
            "ponownie użyty token odświeżania, urządzenie zostało wylogowane"
        ),
        "activity.reason.initial_password_expired": "hasło początkowe wygasło",
    },
    Language.EN: {
        "activity.detail.package": "package",
        "activity.detail.service": "service",
        "activity.detail.amount": "amount",
        "activity.detail.method": "method",
        "activity.detail.title": "title",
        "activity.detail.device": "device",
        "activity.detail.email": "e-mail",
        "activity.detail.second_factor": "second step",
        "activity.detail.reason": "reason",
        "activity.second_factor.totp": "code from the app",
        "activity.second_factor.recovery": "recovery code",
        "activity.reason.second_factor:code": "wrong two-step verification code",
        "activity.reason.second_factor:password": (
            "wrong password when turning off two-step verification"
        ),
        "activity.reason.refresh_token_reuse": (
            "a refresh token was used again, the device was logged out"
        ),
        "activity.reason.initial_password_expired": "the initial password has expired",
    },
}
