"""addPackage / cancelPackage / packageQuote through the real app."""

from __future__ import annotations

import httpx

from backend.clock import today
from backend.config import Settings
from backend.models import Customer, Package, Service, Subscription
from backend.models.enums import PackageKind
from backend.schema.relay import to_global_id
from backend.services import subscriptions
from tests.factories import login_as, make_customer, make_package, make_service, subscribe

QUOTE = """
query($s: ID!, $p: ID!) {
  packageQuote(serviceId: $s, packageId: $p) {
    quote { effectiveOn billingPeriodEnd nextInvoiceOn
            proratedAmount { amount } newMonthlyTotal { amount } nextInvoiceTotal { amount formatted } }
    errors { field code message }
  }
}"""
ADD = """
mutation($input: AddPackageInput!) {
  addPackage(input: $input) {
    subscription { id startsOn endsOn package { name } }
    quote { effectiveOn proratedAmount { amount } newMonthlyTotal { amount } }
    message { subject body }
    errors { field code message }
  }
}"""
CANCEL = """
mutation($input: CancelPackageInput!) {
  cancelPackage(input: $input) { subscription { id endsOn } errors { field code message } }
}"""


async def _setup(
    settings: Settings, client: httpx.AsyncClient
) -> tuple[Customer, Service, Package]:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    service = await make_service(customer)
    await subscribe(service, await make_package(monthly_price=5000))
    addon = await make_package(kind=PackageKind.ADDON, monthly_price=1990, name="HBO")
    return customer, service, addon


async def test_quote_before_and_after(gql, client, settings) -> None:
    _, service, addon = await _setup(settings, client)
    ids = {"s": to_global_id("Service", service.id), "p": to_global_id("Package", addon.id)}
    before = (await gql(QUOTE, ids))["packageQuote"]
    assert before["errors"] == []
    prorated = subscriptions.prorate(1990, today())
    quote = before["quote"]
    assert quote["effectiveOn"] == today().isoformat()
    assert quote["proratedAmount"]["amount"] == f"{prorated // 100}.{prorated % 100:02d}"
    assert quote["newMonthlyTotal"]["amount"] == "69.90"
    added = (await gql(ADD, {"input": {"serviceId": ids["s"], "packageId": ids["p"]}}))[
        "addPackage"
    ]
    assert added["errors"] == []
    assert added["subscription"]["package"]["name"] == "HBO"
    assert added["subscription"]["startsOn"] == today().isoformat()
    assert added["quote"]["proratedAmount"] == quote["proratedAmount"]
    assert "HBO" in added["message"]["subject"]
    after = (await gql(QUOTE, ids))["packageQuote"]
    assert after["quote"] is None
    assert after["errors"][0]["code"] == "PACKAGE_ALREADY_ACTIVE"
    assert after["errors"][0]["message"] == "Ten pakiet jest już aktywny na tej usłudze."


async def test_bad_and_foreign_ids(gql, client, settings) -> None:
    _, service, addon = await _setup(settings, client)
    stranger = await make_customer(settings)
    their_service = await make_service(stranger)
    cases = [
        ({"serviceId": "", "packageId": to_global_id("Package", addon.id)}, "serviceId"),
        ({"serviceId": "!!!", "packageId": to_global_id("Package", addon.id)}, "serviceId"),
        (
            {
                "serviceId": to_global_id("Package", service.id),
                "packageId": to_global_id("Package", addon.id),
            },
            "serviceId",
        ),
        (
            {
                "serviceId": to_global_id("Service", their_service.id),
                "packageId": to_global_id("Package", addon.id),
            },
            "serviceId",
        ),
        (
            {
                "serviceId": to_global_id("Service", service.id),
                "packageId": to_global_id("Package", 99999),
            },
            "packageId",
        ),
    ]
    for variables, field in cases:
        payload = (await gql(ADD, {"input": variables}))["addPackage"]
        assert payload["subscription"] is None
        assert payload["errors"] == [
            {"field": field, "code": "NOT_FOUND", "message": "Nie znaleziono."}
        ], variables
    assert await Subscription.filter(service=their_service).count() == 0


async def test_cancel_addon(gql, client, settings) -> None:
    _, service, addon = await _setup(settings, client)
    sub = await subscribe(service, addon)
    base_sub = await Subscription.filter(service=service).exclude(id=sub.id).first()
    assert base_sub is not None
    refused = await gql(
        CANCEL, {"input": {"subscriptionId": to_global_id("PackageSubscription", base_sub.id)}}
    )
    assert refused["cancelPackage"]["errors"][0]["code"] == "CANNOT_CANCEL_BASE"
    done = await gql(
        CANCEL, {"input": {"subscriptionId": to_global_id("PackageSubscription", sub.id)}}
    )
    assert (
        done["cancelPackage"]["subscription"]["endsOn"]
        == subscriptions.period_end(today()).isoformat()
    )
    stranger = await make_customer(settings)
    await login_as(client, settings, stranger)
    foreign = await gql(
        CANCEL, {"input": {"subscriptionId": to_global_id("PackageSubscription", sub.id)}}
    )
    assert foreign["cancelPackage"]["errors"][0]["code"] == "NOT_FOUND"


async def test_logged_out_is_refused(gql, settings) -> None:
    body = await gql(ADD, {"input": {"serviceId": "x", "packageId": "y"}}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert body["data"] is None
