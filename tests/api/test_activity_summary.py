"""The activity history says an event's details in words of the reader's language, never as
internal codes ("reason: second_factor:code")."""

from __future__ import annotations

from backend.models.enums import AuditKind
from backend.services import audit
from backend.services.refresh_tokens import REUSE_REASON
from tests.api.account_helpers import login
from tests.factories import STRONG_PASSWORD, make_meta, make_user

ACTIVITY = "{ viewer { activity(first: 10) { nodes { kind summary } } } }"


async def test_details_are_said_in_words_in_the_readers_language(gql, settings) -> None:
    person = await make_user(settings)
    customer_id = person.customer.id
    meta = make_meta()
    await audit.record(AuditKind.LOGIN_FAILED, customer_id, meta, reason="second_factor:code")
    await audit.record(
        AuditKind.LOGIN,
        customer_id,
        meta,
        session_kind="bearer",
        device="Trusted Pixel",
        second_factor="recovery",
    )
    await audit.record(
        AuditKind.SESSION_REVOKED, customer_id, meta, reason=REUSE_REASON, device="Pixel 8"
    )
    await audit.record(AuditKind.COMPLAINT_FILED, customer_id, meta, number="R/1", amount=12345)
    assert (await login(gql, person.email, STRONG_PASSWORD))["errors"] == []

    async def summaries(language: str) -> list[str]:
        data = await gql(ACTIVITY, headers={"X-Icok-Language": language})
        nodes = data["viewer"]["activity"]["nodes"]
        return [e["summary"].replace("\xa0", " ") for e in nodes if e["summary"]]

    polish = await summaries("pl")
    assert polish == [
        "kwota: 123,45 zł",
        "urządzenie: Pixel 8, powód: ponownie użyty token odświeżania, urządzenie zostało wylogowane",
        "urządzenie: Trusted Pixel, drugi etap: kod zapasowy",
        "powód: błędny kod weryfikacji dwuetapowej",
    ]
    assert await summaries("en") == [
        "amount: PLN 123.45",
        "device: Pixel 8, reason: a refresh token was used again, the device was logged out",
        "device: Trusted Pixel, second step: recovery code",
        "reason: wrong two-step verification code",
    ]
    for text in polish:
        assert "_" not in text and "second_factor" not in text
