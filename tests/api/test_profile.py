"""``viewer.profile``: the customer's record, and ``viewer`` being null when logged out."""

from __future__ import annotations

from tests.factories import login_as, make_customer

PROFILE = """{ viewer { customerNumber profile {
  customerNumber firstName lastName fullName peselMasked email phone phoneFormatted
  address { street postalCode city } consents { email sms phone } language } } }"""


async def test_logged_out_viewer_is_null(gql) -> None:
    assert (await gql(PROFILE))["viewer"] is None


async def test_profile_fields(gql, client, settings) -> None:
    customer = await make_customer(
        settings,
        first_name="Zofia",
        last_name="Łęcka",
        phone="601234567",
        street="ul. Źródlana 5",
        postal_code="00-950",
        city="Łódź",
        consent_sms=True,
        language="en",
    )
    await login_as(client, settings, customer)
    profile = (await gql(PROFILE))["viewer"]["profile"]
    assert profile == {
        "customerNumber": customer.number,
        "firstName": "Zofia",
        "lastName": "Łęcka",
        "fullName": "Zofia Łęcka",
        "peselMasked": customer.pesel_masked,
        "email": customer.email,
        "phone": "601234567",
        "phoneFormatted": "+48 601 234 567",
        "address": {"street": "ul. Źródlana 5", "postalCode": "00-950", "city": "Łódź"},
        "consents": {"email": False, "sms": True, "phone": False},
        "language": "EN",
    }
    masked = profile["peselMasked"]
    assert masked.startswith("*********") and len(masked) == 11 and masked[9:].isdigit()


async def test_profile_without_phone(gql, client, settings) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    profile = (await gql(PROFILE))["viewer"]["profile"]
    assert profile["phone"] is None and profile["phoneFormatted"] is None
    assert profile["language"] == "PL"
