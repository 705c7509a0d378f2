"""Why a device command failed, as the customer reads it (``provisioning.reason.<CODE>``, one
per ``services.provisioning.ReasonCode``)."""

from __future__ import annotations

from backend.models.enums import Language

TEXTS: dict[Language, dict[str, str]] = {
    Language.PL: {
        "provisioning.reason.CARD_NOT_RESPONDING": (
            "karta nie odpowiada: sprawdź, czy jest włożona do dekodera, i spróbuj ponownie"
        ),
        "provisioning.reason.DEVICE_OFFLINE": (
            "urządzenie jest wyłączone lub nie ma sygnału: włącz je i spróbuj ponownie"
        ),
        "provisioning.reason.SERVICE_UNAVAILABLE": (
            "system operatora jest chwilowo niedostępny: spróbuj ponownie później"
        ),
        "provisioning.reason.OTHER": "operator nie mógł wykonać polecenia",
        "provisioning.reason.TIMEOUT": (
            "operator nie odpowiedział w oczekiwanym czasie: spróbuj ponownie lub skontaktuj się "
            "z nami"
        ),
    },
    Language.EN: {
        "provisioning.reason.CARD_NOT_RESPONDING": (
            "the card does not respond: check that it is in the decoder and try again"
        ),
        "provisioning.reason.DEVICE_OFFLINE": (
            "the device is off or has no signal: switch it on and try again"
        ),
        "provisioning.reason.SERVICE_UNAVAILABLE": (
            "the operator's system is unavailable for now: try again later"
        ),
        "provisioning.reason.OTHER": "the operator could not carry out the command",
        "provisioning.reason.TIMEOUT": (
            "the operator did not answer in the expected time: try again or contact us"
        ),
    },
}
