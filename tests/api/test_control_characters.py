"""Control characters and bidirectional overrides in a customer's free text (issue 11 item 9,
the whole kind): every free-text input of the customer API refuses them with
``FORBIDDEN_CHARACTER`` naming the field and the character, and stores nothing.

Found by a tester: ``city: "War\\x07szawa"``, ``city: "Łódź\\x1b[31m"``,
``street: "ul. \\u202eabc 1"``, a contact subject ``"Test\\x1b[2J"`` were stored raw and reached
the invoice PDF's buyer block."""

from __future__ import annotations

import pytest

from backend.models import ContactRequest, Customer
from tests.factories import login_as, make_customer

UPDATE = """
mutation($input: UpdateContactDataInput!) {
  updateContactData(input: $input) { errors { field code message } }
}"""
SEND = """
mutation($input: SendContactRequestInput!) {
  sendContactRequest(input: $input) {
    contactRequest { id subject body }
    errors { field code message }
  }
}"""
EN = {"Accept-Language": "en"}

# (value, the character the error names); a single-line field refuses all of these
SINGLE_LINE = [
    ("War\x07szawa", "U+0007"),  # bell (C0)
    ("Łódź\x1b[31m", "U+001B"),  # ANSI escape sequence
    ("ul. \u202eabc 1", "U+202E"),  # right-to-left override
    ("ul. \u202aabc", "U+202A"),  # left-to-right embedding
    ("\u2066Kraków\u2069", "U+2066"),  # left-to-right isolate
    ("Gda\u2069ńsk", "U+2069"),  # pop directional isolate
    ("Po\x85znań", "U+0085"),  # next line (C1)
    ("Lub\x9blin", "U+009B"),  # control sequence introducer (C1)
    ("Opo\x7fle", "U+007F"),  # delete
    ("Ra\x00dom", "U+0000"),  # NUL
    ("Nowy\tSącz", "U+0009"),  # a tab inside one line
    ("ul. Długa 1\nm. 2", "U+000A"),  # a line break inside one line
    ("ul. Długa 1\rm. 2", "U+000D"),
]
PL = "Tekst zawiera niedozwolony znak sterujący albo zmieniający kierunek pisma ({}). Usuń go i spróbuj ponownie."
EN_TEXT = "The text contains a control or text-direction character that is not allowed ({}). Remove it and try again."


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


@pytest.mark.parametrize(("bad", "character"), SINGLE_LINE)
async def test_contact_data_refuses_control_and_bidi_characters(
    client, gql, settings, bad, character
) -> None:
    customer = await make_customer(settings, street="ul. Krótka 2", city="Warszawa")
    await login_as(client, settings, customer)
    for field in ("street", "city"):
        payload = (await gql(UPDATE, {"input": {field: bad}}))["updateContactData"]
        assert payload["errors"] == [
            {"field": field, "code": "FORBIDDEN_CHARACTER", "message": PL.format(character)}
        ]
    # the whole form is refused: a good street is not stored next to a bad city
    both = {"street": "ul. Nowa 5", "city": bad}
    english = (await gql(UPDATE, {"input": both}, headers=EN))["updateContactData"]
    assert english["errors"] == [
        {"field": "city", "code": "FORBIDDEN_CHARACTER", "message": EN_TEXT.format(character)}
    ]
    stored = await Customer.get(id=customer.id)
    assert (stored.street, stored.city) == ("ul. Krótka 2", "Warszawa")


async def test_contact_data_keeps_ordinary_text(client, gql, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    data = {"street": "  ul.  Żółwia 7/3 ", "city": "Łódź\n"}  # spaces and a trailing line end
    assert (await gql(UPDATE, {"input": data}))["updateContactData"]["errors"] == []
    stored = await Customer.get(id=customer.id)
    assert (stored.street, stored.city) == ("ul. Żółwia 7/3", "Łódź")


@pytest.mark.parametrize(("bad", "character"), SINGLE_LINE)
async def test_contact_subject_refuses_control_and_bidi_characters(
    client, gql, settings, bad, character
) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    data = {"topic": "BILLING", "subject": bad, "body": "Pytanie o fakturę."}
    payload = (await gql(SEND, {"input": data}))["sendContactRequest"]
    assert payload["contactRequest"] is None
    assert payload["errors"] == [
        {"field": "subject", "code": "FORBIDDEN_CHARACTER", "message": PL.format(character)}
    ]
    assert await ContactRequest.all().count() == 0


# a multi-line text may hold a tab and line breaks
MULTI_LINE = [c for c in SINGLE_LINE if c[1] not in ("U+0009", "U+000A", "U+000D")]


@pytest.mark.parametrize(("bad", "character"), MULTI_LINE)
async def test_contact_body_refuses_control_and_bidi_characters(
    client, gql, settings, bad, character
) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    body = f"Dzień dobry,\n\tproszę o pomoc: {bad}\n"
    data = {"topic": "TECHNICAL", "subject": "Test\x1b[2J", "body": body}
    payload = (await gql(SEND, {"input": data}, headers=EN))["sendContactRequest"]
    assert payload["contactRequest"] is None
    assert payload["errors"] == [
        {"field": "subject", "code": "FORBIDDEN_CHARACTER", "message": EN_TEXT.format("U+001B")},
        {"field": "body", "code": "FORBIDDEN_CHARACTER", "message": EN_TEXT.format(character)},
    ]
    assert await ContactRequest.all().count() == 0


async def test_contact_body_keeps_lines_and_tabs(client, gql, settings, mailbox) -> None:
    """A multi-line body keeps line feeds and tabs; Windows (CR LF) and old Mac (CR) line ends
    become LF."""
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    body = "\r\nDzień dobry,\r\n\tpunkt 1\rpunkt 2\n\nPozdrawiam\r\n"
    data = {"topic": "OTHER", "subject": " Brak  sygnału ", "body": body}
    payload = (await gql(SEND, {"input": data}))["sendContactRequest"]
    assert payload["errors"] == []
    stored = await ContactRequest.get(customer_id=customer.id)
    assert stored.subject == "Brak sygnału"
    assert stored.body == "Dzień dobry,\n\tpunkt 1\npunkt 2\n\nPozdrawiam"
    assert payload["contactRequest"]["body"] == stored.body
    await mailbox.receive(customer.email)
