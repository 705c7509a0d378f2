"""The console's queue and request screens in real Chromium against ``icok serve --demo``: an
agent (``icok staff create``, password and TOTP) finds the demo's new request in the queue,
filters it, opens it, takes it, writes an internal note and a reply that waits for the
customer; a supervisor sees the team's workload. axe-core finds nothing at 1280 and 768 px, in
Polish and English, and nothing sticks out sideways on the tablet."""

from __future__ import annotations

from typing import Any

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
from tests.e2e.spa import check_accessibility, check_no_horizontal_overflow

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
    server = live_server()
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


def test_a_supervisor_sees_the_team(live_server: Any, new_page: Any) -> None:
    server = live_server()
    page = new_page()
    _log_in(page, server, "szefowa@operator.example", "Zofia Szefowa", "supervisor")
    switch_language(page, "pl")
    _open_queue(page, server)
    team = page.locator("#team")
    team.wait_for()
    assert "Zofia Szefowa" in team.inner_text()
    _check_everywhere(page)
    page.get_by_role("link", name="Pokaż reklamacje po terminie").click()
    page.wait_for_url("**overdue=1**")
    page.get_by_text("Nic tu nie czeka.").wait_for()
    check_accessibility(page)
