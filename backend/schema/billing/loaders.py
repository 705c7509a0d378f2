"""The billing domain's DataLoaders (mixed into ``backend.schema.loaders.Loaders``)."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from backend.models import Invoice, InvoiceLine, Payment
from backend.schema.dataloader import BaseLoaders, by_key
from backend.services import billing, payments


class BillingLoaders(BaseLoaders):
    """Invoice lines, and invoices and payments of each other."""

    @cached_property
    def lines_by_invoice(self) -> DataLoader[int, list[InvoiceLine]]:
        return by_key(lambda ids: billing.lines_by_invoice(self._cid, ids), list)

    @cached_property
    def invoices_by_payment(self) -> DataLoader[int, list[Invoice]]:
        return by_key(lambda ids: payments.invoices_by_payment(self._cid, ids), list)

    @cached_property
    def payments_by_invoice(self) -> DataLoader[int, list[Payment]]:
        return by_key(lambda ids: payments.payments_by_invoice(self._cid, ids), list)
