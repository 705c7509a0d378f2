"""The test factories: one function per thing made, written through the real models.

Import everything from here (``from tests.factories import make_customer, make_invoice``); the
modules below are split by domain only to keep them short. Conventions:

- every factory makes a valid object with no arguments beyond its owner (customer, service...),
  and takes keyword overrides for any column (``make_invoice(customer, gross=9900)``);
- unique values (customer numbers, invoice numbers, package codes, serial numbers, PESELs...)
  come from one sequence per kind in ``tests.factories.sequences``, so rows made in one test
  session never collide;
- amounts are in grosze, dates relative to the (test) clock's today.
"""

from tests.factories.billing import make_invoice, make_payment
from tests.factories.catalogue import (
    Catalogue,
    make_catalogue,
    make_channel,
    make_offer,
    make_package,
    make_title,
    subscribe,
)
from tests.factories.contact import (
    make_audit_event,
    make_complaint,
    make_contact_request,
    make_message,
    make_message_read,
    make_note,
    make_reply,
)
from tests.factories.customers import (
    OTHER_STRONG_PASSWORD,
    STRONG_PASSWORD,
    Person,
    cached_password_hash,
    captcha_proof,
    login_as,
    make_account,
    make_captcha,
    make_contract,
    make_customer,
    make_person,
    make_rate_limit,
    make_service,
    make_token,
    make_usage,
    make_user,
    next_card_number,
    next_pesel,
    next_phone,
    solve_proof,
)
from tests.factories.devices import make_command, make_device
from tests.factories.graph import Graph, make_graph
from tests.factories.operator import OperatorKeyMade, make_api_key
from tests.factories.request import make_meta
from tests.factories.staff import (
    STAFF_PASSWORD,
    TOTP_SECRET,
    login_staff,
    make_staff,
    make_staff_session,
    totp_code,
)
from tests.factories.wallet import make_wallet

__all__ = [
    "OTHER_STRONG_PASSWORD",
    "STAFF_PASSWORD",
    "STRONG_PASSWORD",
    "TOTP_SECRET",
    "Catalogue",
    "Graph",
    "OperatorKeyMade",
    "Person",
    "cached_password_hash",
    "captcha_proof",
    "login_as",
    "login_staff",
    "make_account",
    "make_api_key",
    "make_audit_event",
    "make_captcha",
    "make_catalogue",
    "make_channel",
    "make_command",
    "make_complaint",
    "make_contact_request",
    "make_contract",
    "make_customer",
    "make_device",
    "make_graph",
    "make_invoice",
    "make_message",
    "make_message_read",
    "make_meta",
    "make_note",
    "make_offer",
    "make_package",
    "make_payment",
    "make_person",
    "make_rate_limit",
    "make_reply",
    "make_service",
    "make_staff",
    "make_staff_session",
    "make_title",
    "make_token",
    "make_usage",
    "make_user",
    "make_wallet",
    "next_card_number",
    "next_pesel",
    "next_phone",
    "solve_proof",
    "subscribe",
    "totp_code",
]
