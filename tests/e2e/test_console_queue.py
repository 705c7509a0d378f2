"""The console's queue and request screens in real Chromium against ``icok serve --demo``: an
agent (``icok staff create``, password and TOTP) finds the demo's new request in the queue,
filters it, opens it, takes it, writes an internal note and a reply that waits for the
customer (on a server running only registered GraphQL documents, ``ICOK_TRUSTED_DOCUMENTS=on``);
a supervisor sees the team's workload. axe-core finds nothing at 1280 and 768 px, in
Polish and English, and nothing sticks out sideways on the tablet."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer
from tests.e2e.console import (
    create_staff,
    read_secret,
    submit_code,
    submit_password,
    switch_language,
    totp_now,
    wait_console,
)
from tests.e2e.spa import check_accessibility, check_no_horizontal_overflow, log_in, wait_loaded

NEW_REQUEST = "Przedłużenie umowy"  # the demo's one NEW contact request
ANSWERED_REQUEST = "Brak sygnału na części kanałów po burzy"


def _log_in(page: Any, server: LiveServer, email: str, name: str, role: str = "agent") -> None:
    """A new member's first login: password, enrolment, recovery codes confirmed."""
    password = create_staff(server, email, name, role)
    submit_password(page, server.url, email, password)
    submit_code(page, totp_now(read_secret(page)))
    page.locator("[data-testid=recovery-codes]").wait_for()
    page.locator("input[type=checkbox]").check()
    page.locator("form button[type=submit]").click()
    page.locator("main h1").wait_for()


def _open_queue(page: Any, server: LiveServer, query: str = "") -> None:
    page.goto(f"{server.url}/console/queue{query}")
    wait_console(page)
    page.locator("#queue-list").wait_for()


def _check_everywhere(page: Any) -> None:
    """axe in Polish and English, at 1280 px and on a 768 px tablet (nothing sideways there);
    ends in Polish at 1280 px (the language switch is in the menu on the tablet)."""
    for language in ("pl", "en"):
        page.set_viewport_size({"width": 1280, "height": 860})
        switch_language(page, language)
        wait_console(page)
        check_accessibility(page)
        page.set_viewport_size({"width": 768, "height": 1024})
        wait_console(page)
        check_accessibility(page)
        check_no_horizontal_overflow(page)
    page.set_viewport_size({"width": 1280, "height": 860})
    switch_language(page, "pl")
    wait_console(page)


def test_an_agent_works_a_request_from_the_queue(live_server: Any, new_page: Any) -> None:
    server = live_server(ICOK_TRUSTED_DOCUMENTS="on")
    page = new_page()
    _log_in(page, server, "agentka@operator.example", "Ewa Agentka")
    switch_language(page, "pl")
    _open_queue(page, server)
    rows = page.locator("[data-testid=queue-row]")
    assert rows.count() == 1 and NEW_REQUEST in rows.first.inner_text()
    _check_everywhere(page)

    # The filters are a form in the address: answered ones, then back to what is open.
    page.select_option("#queue-status", "answered")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**/console/queue?status=answered")
    page.get_by_text(ANSWERED_REQUEST).wait_for()
    assert page.locator("[data-testid=queue-row]").count() == 1
    page.get_by_role("link", name="Wyczyść filtry").click()
    page.get_by_role("link", name=NEW_REQUEST).click()
    page.locator("#conversation").wait_for()
    wait_console(page)
    assert "Nikt jeszcze nie prowadzi" in page.locator("[data-testid=assignee]").inner_text()
    _check_everywhere(page)

    page.get_by_role("button", name="Biorę to zgłoszenie").click()
    page.locator("[data-testid=assignee]", has_text="Prowadzi: Ewa Agentka").wait_for()
    page.get_by_label("Nowa notatka").fill("Klientka chce zostać przy TV Mobilnej.")
    page.get_by_role("button", name="Dodaj notatkę").click()
    page.locator("#notes", has_text="Klientka chce zostać przy TV Mobilnej.").wait_for()
    page.get_by_label("Treść odpowiedzi").fill(
        "Tak, pakiet można zmienić przy przedłużeniu. Który pakiet Panią interesuje?"
    )
    page.get_by_label("Po wysłaniu").select_option("WAITING")
    page.get_by_role("button", name="Wyślij", exact=True).click()
    page.locator("#conversation", has_text="Który pakiet Panią interesuje?").wait_for()
    assert "Ewa Agentka" in page.locator("#conversation").inner_text()
    assert "Czeka na klienta" in page.locator("#summary").inner_text()

    _check_everywhere(page)
    _open_queue(page, server, "?status=all")
    assert page.locator("[data-testid=queue-row]").count() == 2
    _check_everywhere(page)

    # Another agent sees who handles it instead of the reply and status forms; notes stay open.
    other = new_page()
    _log_in(other, server, "drugi@operator.example", "Jan Drugi")
    switch_language(other, "pl")
    _open_queue(other, server, "?status=all")
    other.get_by_role("link", name=NEW_REQUEST).click()
    other.locator("#conversation").wait_for()
    wait_console(other)
    assert "Ewa Agentka" in other.locator("[data-testid=others-request]").inner_text()
    assert other.locator("#reply").count() == 0
    assert other.get_by_label("Treść odpowiedzi").count() == 0
    other.get_by_label("Nowa notatka").wait_for()
    _check_everywhere(other)


def test_a_supervisor_sees_the_team(live_server: Any, new_page: Any) -> None:
    server = live_server()
    page = new_page()
    _log_in(page, server, "szefowa@operator.example", "Zofia Szefowa", "supervisor")
    switch_language(page, "pl")
    _open_queue(page, server)
    team = page.locator("#team")
    team.wait_for()
    assert "Zofia Szefowa" in team.inner_text()
    # What nobody holds is counted too (the demo's new request): open 1, overdue 0.
    unassigned = team.locator("[data-testid=team-unassigned] td")
    assert unassigned.all_inner_texts()[1:] == ["1", "0"]
    _check_everywhere(page)
    page.get_by_role("link", name="Pokaż reklamacje po terminie").click()
    page.wait_for_url("**overdue=1**")
    page.get_by_text("Nic tu nie czeka.").wait_for()
    check_accessibility(page)


def test_a_complaint_filed_in_the_portal_is_answered_in_the_console(
    live_server: Any, new_page: Any
) -> None:
    """The issue's journey: the customer files a complaint (wallet refund), an agent finds it in
    the queue (complaints first), a partial amount over the claim is refused on its field, the
    full acceptance credits the wallet, and the customer sees the answer and the credit."""
    server = live_server()
    customer = new_page()
    log_in(customer, server.url)
    customer.goto(server.url + "/contact")
    wait_loaded(customer)
    customer.get_by_role("button", name="Złóż reklamację").click()
    form = customer.locator("#contact-form form")
    form.get_by_label("Czego dotyczy reklamacja").select_option("OTHER")
    form.get_by_label("Żądana kwota (zł)").fill("12,50")
    form.get_by_label("Zwrot").select_option("WALLET")
    form.get_by_label("Opis reklamacji").fill("Dekoder restartuje się co godzinę.")
    form.get_by_role("button", name="Wyślij reklamację").click()
    success = form.locator(".notice-success")
    expect(success).to_contain_text("Przyjęliśmy reklamację nr R/")
    number = success.inner_text().split("nr ", 1)[1].split(".", 1)[0]

    page = new_page()
    _log_in(page, server, "agent@operator.example", "Adam Agent")
    switch_language(page, "pl")
    _open_queue(page, server)
    first = page.locator("[data-testid=queue-row]").first
    # The kind once: "Reklamacja" above the link "R/…: Inne" (not "Reklamacja Reklamacja R/…").
    expect(first.get_by_role("link")).to_have_text(f"{number}: Inne")
    assert first.inner_text().count("Reklamacja") == 1
    expect(first).to_contain_text("Dni do terminu: 30")
    first.get_by_role("link").click()
    complaint = page.locator("#complaint")
    complaint.wait_for()
    wait_console(page)
    expect(page.locator("main h1")).to_have_text(f"Reklamacja {number}: Inne")
    expect(complaint).to_contain_text("12,50")
    expect(complaint).to_contain_text("Zwrot do portmonetki")
    expect(page.locator("[data-testid=complaint-ack]")).to_contain_text("Wysłane")
    expect(page.locator("[data-testid=complaint-state]")).to_have_text("Czeka na rozpatrzenie")
    # What would be refused is not offered: an unanswered complaint is neither answered nor
    # closed by hand, the current status is selected and saving it unchanged is disabled; the
    # reply can only wait for the customer, and that is what the select shows.
    status = page.locator("#summary select")
    assert status.input_value() == "NEW"
    assert status.locator("option").evaluate_all("(os) => os.map((o) => o.value)") == [
        "NEW",
        "IN_PROGRESS",
        "WAITING",
    ]
    expect(page.locator("[data-testid=save-status]")).to_be_disabled()
    after = page.get_by_label("Po wysłaniu")
    assert after.input_value() == "WAITING"
    assert after.evaluate("(s) => s.selectedIndex") == 0
    # The reason's label says when it is required, and aria-required follows the decision.
    reason = complaint.locator("textarea[name=reason]")
    expect(reason).to_have_attribute("aria-required", "false")
    complaint.get_by_label("Decyzja").select_option("REJECTED")
    expect(reason).to_have_attribute("aria-required", "true")
    expect(complaint.get_by_label("Uzasadnienie (wymagane przy tej decyzji)")).to_be_visible()
    # The amount is asked only for a partial acceptance (the server grants the whole claim on
    # acceptance and nothing on rejection).
    amount = complaint.locator("input[name=amountGranted]")
    expect(amount).to_have_count(0)
    complaint.get_by_label("Decyzja").select_option("ACCEPTED")
    expect(amount).to_have_count(0)
    _check_everywhere(page)

    complaint.get_by_label("Decyzja").select_option("PARTLY_ACCEPTED")
    expect(complaint).to_contain_text("mniej niż żądana kwota (12,50")
    complaint.get_by_label("Przyznana kwota (zł)").fill("20")
    complaint.get_by_label("Uzasadnienie").fill("Częściowo.")
    complaint.get_by_role("button", name="Wyślij odpowiedź").click()
    expect(complaint.locator(".field-error")).to_contain_text("12,50")
    check_accessibility(page)
    complaint.get_by_label("Decyzja").select_option("ACCEPTED")
    expect(amount).to_have_count(0)
    complaint.get_by_label("Uzasadnienie").fill("Przepraszamy za kłopot.")
    complaint.get_by_role("button", name="Wyślij odpowiedź").click()
    expect(page.locator("[data-testid=complaint-state]")).to_have_text("Uwzględniona")
    # Answered: the deadline it had and when it was answered, not the decision again.
    expect(complaint).to_contain_text("Odpowiedź ")
    expect(page.locator("#conversation")).to_contain_text("Adam Agent")
    expect(page.locator("#summary")).to_contain_text("Z odpowiedzią")
    # Answered, the request is not offered back "in progress" (COMPLAINT_STATUS_LOCKED).
    options = page.locator("#summary select option")
    assert options.evaluate_all("(os) => os.map((o) => o.value)") == [
        "WAITING",
        "ANSWERED",
        "CLOSED",
    ]
    _check_everywhere(page)

    customer.goto(server.url + "/contact")
    wait_loaded(customer)
    item = customer.locator("#contact-history li", has_text=number)
    expect(item).to_contain_text("Uznana")
    expect(item).to_contain_text("Dopisano do portmonetki 12,50")
    # The customer writes back: the request reopens, and the list says the conversation
    # continues beside the decision instead of "w realizacji" contradicting it.
    item.get_by_label("Odpisz").fill("Dziękuję, a co z kolejnym miesiącem?")
    item.get_by_role("button", name="Wyślij odpowiedź").click()
    item = customer.locator("#contact-history li", has_text=number)
    expect(item).to_contain_text("rozmowa trwa")
    expect(item).to_contain_text("Uznana")
    expect(item).not_to_contain_text("w realizacji")
    check_accessibility(customer)
