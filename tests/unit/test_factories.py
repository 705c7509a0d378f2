"""The factories: rows made in one test never collide on a unique column, and each default makes
a valid object."""

from __future__ import annotations

from backend.models import (
    Channel,
    Contract,
    Customer,
    Device,
    Invoice,
    InvoiceLine,
    Package,
    Service,
)
from backend.services.billing import invoice_totals, vat_summary
from tests.factories import (
    make_catalogue,
    make_channel,
    make_contract,
    make_customer,
    make_device,
    make_graph,
    make_invoice,
    make_package,
    make_person,
    make_service,
    make_user,
)


async def test_keyed_rows_made_in_one_test_never_collide(db, settings) -> None:
    customer = await make_customer(settings)
    # Invoices both alone and inside whole graphs (the two used to share numbers).
    invoices = [await make_invoice(customer) for _ in range(3)]
    cat = await make_catalogue()
    graphs = [await make_graph(await make_customer(settings), cat, services=2, invoices=3)]
    invoices += [i for g in graphs for i in g.invoices]
    invoices.append(await make_invoice(await make_customer(settings)))
    assert len({i.number for i in invoices}) == len(invoices) == 7
    assert await Invoice.all().count() == 7

    service = await make_service(customer)
    devices = [await make_device(service) for _ in range(3)] + graphs[0].devices
    assert len({d.serial_number for d in devices}) == len(devices)
    await make_package()
    await make_channel()
    people = [await make_person(settings), await make_user(settings)]
    for model, column in (
        (Customer, "number"),
        (Customer, "pesel_hash"),
        (Customer, "email"),
        (Contract, "number"),
        (Service, "identifier"),
        (Device, "serial_number"),
        (Package, "code"),
        (Channel, "name"),
    ):
        values = await model.all().values_list(column, flat=True)
        assert len(values) == len(set(values)), f"{model.__name__}.{column} repeats"
    assert len({p.email for p in people}) == 2
    assert (await make_contract(customer)).number != (await make_contract(customer)).number


async def test_invoice_totals_come_from_the_summary_per_rate(db, settings) -> None:
    customer = await make_customer(settings)
    for invoice in (
        await make_invoice(customer),
        await make_invoice(customer, gross=2345, lines=3),
        await make_invoice(customer, gross=9900, lines=1),
    ):
        lines = await InvoiceLine.filter(invoice=invoice)
        assert sum(line.gross for line in lines) == invoice.gross
        assert (invoice.net, invoice.vat, invoice.gross) == invoice_totals(vat_summary(lines))
        assert invoice.net + invoice.vat == invoice.gross
