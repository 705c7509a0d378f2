"""A complaint (reklamacja) filed in the SPA (issue 14 item 4): the demo customer chooses "File a
complaint" on Contact, the form shows the statutory note and the API's field errors (a bad IBAN),
the filed complaint gets its number and the note that the acknowledgement went to the customer's
address, the real SMTP server receives the acknowledgement with the complaint's content, and
"Your requests" marks it as a complaint, pending, with its deadline; 31 days later (a server on a
moved clock) it shows as accepted for want of an answer, on a tablet. axe-core on the form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from backend.demo import DEMO_EMAIL
from tests.e2e.console import log_in_enrolled, wait_console
from tests.e2e.spa import check_accessibility, check_no_horizontal_overflow, log_in, wait_loaded
from tests.smtp import Mailbox
from tests.waiting import wait_until_sync

DESCRIPTION = "Dekoder restartuje się co godzinę od tygodnia."


def _acknowledgement(mailbox: Mailbox, number: str, *, within: float = 20) -> str:
    def acknowledgement() -> str | None:
        for message in mailbox.messages(DEMO_EMAIL):
            if number in str(message["Subject"]):
                return mailbox.text(message)
        return None

    return wait_until_sync(acknowledgement, within=within, what=f"the acknowledgement of {number}")


def test_the_customer_files_a_complaint(live_server: Any, mailbox: Mailbox, new_page: Any) -> None:
    server = live_server()
    page = new_page()
    log_in(page, server.url)
    page.goto(server.url + "/contact")
    wait_loaded(page)
    page.get_by_role("button", name="Złóż reklamację").click()
    form = page.locator("#contact-form form")
    expect(form).to_contain_text("30 dni")
    form.get_by_label("Czego dotyczy reklamacja").select_option("OTHER")
    amount = form.get_by_label("Żądana kwota (zł)")
    for typo in ("abc", "1.234,56"):  # told on the field before anything is sent
        amount.fill(typo)
        form.get_by_role("button", name="Wyślij reklamację").click()
        expect(form.locator(".field-error")).to_have_text(
            "To nie jest kwota. Wpisz np. 1234,56 albo 1 234,56."
        )
    amount.fill("1 234,56")
    form.get_by_label("Zwrot").select_option("BANK_ACCOUNT")
    form.get_by_label("Numer rachunku (IBAN)").fill("PL00 1234")
    form.get_by_label("Opis reklamacji").fill(DESCRIPTION)
    check_accessibility(page)
    form.get_by_role("button", name="Wyślij reklamację").click()
    expect(form.locator(".field-error")).to_contain_text("IBAN")
    form.get_by_label("Numer rachunku (IBAN)").fill("PL61 1090 1014 0000 0712 1981 2874")
    form.get_by_role("button", name="Wyślij reklamację").click()
    success = form.locator(".notice-success")
    expect(success).to_contain_text("Przyjęliśmy reklamację nr R/")
    expect(success).to_contain_text(f"Potwierdzenie wysłaliśmy na adres {DEMO_EMAIL}")
    text = success.inner_text()
    number = text.split("nr ", 1)[1].split(".", 1)[0]
    check_accessibility(page)

    mail = _acknowledgement(mailbox, number)
    for part in (number, DESCRIPTION, "234,56", "PL61 1090 1014 0000 0712 1981 2874", "30 dni"):
        assert part in mail, part

    item = page.locator("#contact-history li", has_text=number)
    expect(item.locator("strong").first).to_have_text(f"{number}: Inna sprawa")
    assert item.inner_text().count("Reklamacja") == 1
    expect(item).to_contain_text("W rozpatrzeniu")
    expect(item).to_contain_text("Potwierdzenie wysłane e-mailem")
    expect(item).to_contain_text("termin odpowiedzi")

    # 31 days later, unanswered: accepted by law (a server on a moved clock, the same data).
    server.stop()
    later = live_server(data_dir=server.data_dir, clock_at=datetime.now(UTC) + timedelta(days=31))
    tablet = new_page(width=768, height=1024)
    log_in(tablet, later.url)
    tablet.goto(later.url + "/contact")
    wait_loaded(tablet)
    item = tablet.locator("#contact-history li", has_text=number)
    expect(item).to_contain_text("Uznana: brak odpowiedzi w ciągu 30 dni")
    expect(item).to_contain_text("Żądaną kwotę 1\u00a0234,56")
    expect(item).to_contain_text("przelejemy na rachunek PL… 2874")
    tablet.get_by_role("button", name="Złóż reklamację").click()
    check_no_horizontal_overflow(tablet)
    check_accessibility(tablet)

    # In the console (same moved clock) only acceptance in full is offered: no amount to type
    # (the server grants the claim) and the reason's hint says it is optional, nothing about
    # rejections.
    agent = new_page()
    log_in_enrolled(agent, later, "agent@operator.example", "Adam Agent", "agent")
    agent.goto(f"{later.url}/console/queue")
    wait_console(agent)
    agent.locator("#queue-list a", has_text=number).click()
    complaint = agent.locator("#complaint")
    complaint.wait_for()
    wait_console(agent)
    expect(agent.locator("#deemed-hint")).to_be_visible()
    decision = complaint.get_by_label("Decyzja")
    assert decision.locator("option").evaluate_all("(os) => os.map((o) => o.value)") == ["ACCEPTED"]
    expect(complaint.locator("input[name=amountGranted]")).to_have_count(0)
    expect(complaint).to_contain_text("Nieobowiązkowe. Klient zobaczy je w odpowiedzi.")
    expect(complaint).not_to_contain_text("odrzuceniu")
    check_accessibility(agent)
