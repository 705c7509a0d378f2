"""The operator answers a contact request and the customer writes back (issue 13 item 5): the
demo customer writes through the contact form, the operator's system replies through the
operator API with a key from ``icok operator-key create``, the e-mail from the real SMTP server
links to the request, the SPA shows the reply there, and the customer's reply back puts the
request in progress again."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.operator_api import operator_call, operator_key
from tests.e2e.spa import log_in, wait_loaded
from tests.smtp import Mailbox
from tests.waiting import wait_until_sync

SUBJECT = "Brak sygnału na dekoderze w sypialni"
ANSWER = "Odświeżyliśmy kartę. Prosimy sprawdzić sygnał."
REPLY = """mutation ($i: ReplyToContactRequestInput!) {
  replyToContactRequest(input: $i) { created requestStatus errors { field code } } }"""


def _reply_link(mailbox: Mailbox, number: str, *, within: float = 20) -> str:
    def link() -> str | None:
        for message in mailbox.messages():
            found = re.search(r"(http\S+/contact#request-" + number + r")\b", mailbox.text(message))
            if found:
                return found.group(1)
        return None

    return wait_until_sync(link, within=within, what=f"an e-mail about request {number}")


def test_the_customer_reads_the_reply_and_writes_back(
    live_server: Any, mailbox: Mailbox, new_page: Any
) -> None:
    server = live_server()
    key = operator_key(server.env, "crm", "contact:write")
    page = new_page()
    log_in(page, server.url)
    page.goto(server.url + "/contact")
    wait_loaded(page)
    form = page.locator("#contact-form form")
    form.get_by_label("Tytuł").fill(SUBJECT)
    form.get_by_label("Treść").fill("Od rana nie ma sygnału.")
    form.locator("button[type=submit]").click()
    item = page.locator("#contact-history li", has_text=SUBJECT)
    item.wait_for()
    number = (item.get_attribute("id") or "").removeprefix("request-")
    assert number.isdigit(), number

    variables = {"i": {"reference": "CRM-1", "requestId": number, "body": ANSWER}}
    body = operator_call(server.url, key, REPLY, variables)
    assert body["data"]["replyToContactRequest"] == {
        "created": True,
        "requestStatus": "ANSWERED",
        "errors": [],
    }, body

    link = _reply_link(mailbox, number)
    page.goto(server.url + "/")  # opening the e-mail's link loads the page anew
    wait_loaded(page)
    page.goto(link)
    wait_loaded(page)
    item = page.locator(f"#request-{number}")
    expect(item).to_contain_text(ANSWER)
    expect(item).to_contain_text("odpowiedziane")
    item.get_by_label("Odpisz").fill("Nadal nic, sprawdzałem dwa razy.")
    item.locator("button[type=submit]").click()
    expect(item.locator(".notice-success")).to_contain_text("Twoja odpowiedź została wysłana")
    expect(page.locator(f"#request-{number}")).to_contain_text("w realizacji")
    expect(page.locator(f"#request-{number}")).to_contain_text(
        "Ty: Nadal nic, sprawdzałem dwa razy."
    )
