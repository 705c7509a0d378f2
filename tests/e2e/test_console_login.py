"""The console's front door in Chromium: an account made with ``icok staff create``, the first
login with the enrolment (QR code and the secret as text, the code from pyotp), the recovery
codes shown once, the console with the member's name and role; axe-core finds nothing on any
of these screens, in Polish at 1280 px and in English at 768 px; the Staff and Your account
screens; then logout and a login with a TOTP code, and one with a recovery code. The English run's
server runs only registered GraphQL documents (``ICOK_TRUSTED_DOCUMENTS=on``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.console import (
    create_staff,
    own_password,
    read_secret,
    submit_code,
    submit_password,
    switch_language,
    totp_now,
    wait_console,
)
from tests.e2e.spa import check_accessibility, check_no_horizontal_overflow

TEXTS = {
    "pl": {
        "enrol": "Włącz weryfikację dwuetapową",
        "codes": "Kody zapasowe",
        "search": "Wyszukiwanie",
        "role": "Administrator",
        "staff": "Pracownicy",
        "pending": "Czeka na zmianę hasła startowego",
        "logout": "Wyloguj",
        "code": "Kod weryfikacyjny",
        "account": "Twoje konto",
        "useRecovery": "kodu zapasowego",
    },
    "en": {
        "enrol": "Turn on two-step verification",
        "codes": "Recovery codes",
        "search": "Search",
        "role": "Administrator",
        "staff": "Staff",
        "pending": "Initial password pending",
        "logout": "Log out",
        "code": "Verification code",
        "account": "Your account",
        "useRecovery": "recovery code",
    },
}


@pytest.mark.parametrize(("language", "width"), [("pl", 1280), ("en", 768)])
def test_enrol_log_in_log_out_and_log_in_with_totp(
    live_server: Callable[..., Any], new_page: Callable[..., Any], language: str, width: int
) -> None:
    server = live_server(ICOK_TRUSTED_DOCUMENTS="on" if language == "en" else "off")
    base = server.url
    email = f"ala.{language}@operator.example"
    password = create_staff(server, email, "Ala Nowak", "admin")
    texts = TEXTS[language]
    page = new_page(width=width)

    page.goto(base + "/console/")
    page.wait_for_url(re.compile(r"/console/login"))
    wait_console(page)
    switch_language(page, language)
    check_accessibility(page)
    check_no_horizontal_overflow(page)

    # Wrong password: a message, no way on.
    page.fill("#console-login-email", email)
    page.fill("#console-login-password", password + "x")
    page.locator("form button[type=submit]").click()
    page.locator(".form-error").wait_for()
    check_accessibility(page)

    # The initial password is replaced first (the same one again is refused on its field).
    page.fill("#console-login-password", password)
    page.locator("form button[type=submit]").click()
    page.locator("#console-newpw-newPassword").wait_for()
    check_accessibility(page)
    check_no_horizontal_overflow(page)
    page.fill("#console-newpw-newPassword", password)
    page.locator("form button[type=submit]").click()
    page.locator(".field-error").wait_for()
    check_accessibility(page)
    password = own_password(password)
    page.fill("#console-newpw-newPassword", password)
    page.locator("form button[type=submit]").click()
    page.locator("#console-code-code").wait_for()
    assert page.locator("main h1").inner_text() == texts["enrol"]
    assert (
        page.locator(".enrol-qr img").get_attribute("src").startswith("data:image/svg+xml;base64,")
    )
    secret = read_secret(page)
    check_accessibility(page)
    check_no_horizontal_overflow(page)

    submit_code(page, totp_now(secret))
    page.locator("[data-testid=recovery-codes]").wait_for()
    assert page.locator("main h1").inner_text() == texts["codes"]
    codes = page.locator("[data-testid=recovery-codes] li").all_inner_texts()
    assert len(codes) == 10
    check_accessibility(page)
    # Continuing needs the confirmation.
    page.locator("form button[type=submit]").click()
    page.locator(".field-error").wait_for()
    check_accessibility(page)
    page.locator("input[type=checkbox]").check()
    page.locator("form button[type=submit]").click()

    page.wait_for_url(base + "/console/search")
    wait_console(page)
    assert page.locator("#main-nav [aria-current=page]").inner_text() == texts["search"]
    if width > 800:
        who = page.locator("[data-testid=staff-who]").inner_text()
        assert "Ala Nowak" in who and texts["role"] in who
    page.locator("[data-testid=session-countdown]").wait_for()
    check_accessibility(page)
    check_no_horizontal_overflow(page)

    # The Staff screen (admins): the member is listed.
    if width <= 800:
        page.locator(".menu-toggle").click()
    page.locator("#main-nav").get_by_role("link", name=texts["staff"]).click()
    page.wait_for_url(base + "/console/staff")
    wait_console(page)
    assert email in page.locator("#staff-list").inner_text()
    check_accessibility(page)
    check_no_horizontal_overflow(page)
    # A new member: a coded error first (taken address), then the initial password once.
    page.fill("#console-new-staff-email", email)
    page.fill("#console-new-staff-name", "Jan Kowalski")
    page.locator("#new-staff form button[type=submit]").click()
    page.locator("#console-new-staff-email-error").wait_for()
    check_accessibility(page)
    page.fill("#console-new-staff-email", f"jan.{language}@operator.example")
    page.select_option("#console-new-staff-role", "SUPERVISOR")
    page.locator("#new-staff form button[type=submit]").click()
    initial = page.locator("[data-testid=initial-password] code")
    initial.wait_for()
    assert len(initial.inner_text().strip()) >= 20
    row = page.locator("#staff-list tr", has_text="Jan Kowalski")
    row.wait_for()
    check_accessibility(page)
    # The initial password waits to be replaced (until when, in Warsaw time), like `staff list`.
    expect(row.locator(".badge-info")).to_have_text(texts["pending"])
    expect(row.locator(".muted.small").last).to_have_text(re.compile(r"^\((do|until) \d"))
    # A forgotten password: asked first, then a new initial password shown once in the row.
    row.get_by_role("button", name=re.compile(r"(New password|Nowe hasło).*Jan Kowalski")).click()
    row.locator("[data-testid=staff-confirm]").get_by_role("button").first.click()
    reset = row.locator("[data-testid=reset-password] code")
    reset.wait_for()
    assert len(reset.inner_text().strip()) >= 20 and reset.inner_text() != initial.inner_text()
    check_accessibility(page)
    # Disabling asks first, naming the member and that their sessions end; cancel keeps it.
    row.get_by_role("button", name=re.compile("Jan Kowalski")).first.click()
    confirm = row.locator("[data-testid=staff-confirm]")
    expect(confirm).to_contain_text("Jan Kowalski")
    check_accessibility(page)
    confirm.get_by_role("button").last.click()
    expect(confirm).to_have_count(0)
    row.get_by_role("button", name=re.compile("Jan Kowalski")).first.click()
    confirm.get_by_role("button").first.click()
    page.locator("#staff-list tr", has_text="Jan Kowalski").locator(".badge-danger").wait_for()

    # Your account: new recovery codes need a right code (the API tests cover the rest).
    if width <= 800:
        page.locator(".menu-toggle").click()
    page.locator("#main-nav").get_by_role("link", name=texts["account"]).click()
    page.wait_for_url(base + "/console/account")
    wait_console(page)
    assert email in page.locator("#account-who").inner_text()
    check_accessibility(page)
    page.fill("#console-new-codes-code", "12345")
    page.locator("#account-codes form button[type=submit]").click()
    page.locator("#console-new-codes-code-error").wait_for()
    check_accessibility(page)
    check_no_horizontal_overflow(page)

    # Log out, and in again with a TOTP code (the next time step's: each is accepted once),
    # then once more with a recovery code.
    for second_factor in ("totp", "recovery"):
        if width <= 800:
            page.locator(".menu-toggle").click()
            page.locator("#main-nav").get_by_role("button", name=texts["logout"]).click()
        else:
            page.locator(".topbar").get_by_role("button", name=texts["logout"]).click()
        page.wait_for_url(re.compile(r"/console/login\?reason=logout"))
        wait_console(page)
        submit_password(page, base, email, password, open_form=False)
        assert page.locator("main h1").inner_text() == texts["code"]
        if second_factor == "totp":
            check_accessibility(page)
            submit_code(page, totp_now(secret, ahead=1))
        else:
            page.locator("main .btn-ghost", has_text=texts["useRecovery"]).click()
            page.fill("#console-recovery-code", codes[0])
            check_accessibility(page)
            page.locator("form button[type=submit]").click()
        page.wait_for_url(base + "/console/search")
        wait_console(page)
    assert page.js_errors == []
