"""The invoice as a PDF: a Polish "Faktura VAT" with seller, buyer, dates, lines in gross prices
(unit price, VAT rate, value), a summary per VAT rate (``services.billing.vat_summary``: the tax
of a rate from its gross total), the amount due in figures and in words, the bank account to
pay to and the footer. The seller, buyer, account and footer are the invoice's snapshots (as they
were when it was made, ``Invoice.seller``/``buyer``/``bank_account``/``footer``); an invoice made
before snapshots existed prints the settings (``ICOK_OPERATOR_*``, ``ICOK_SELLER_NIP``,
``ICOK_BANK_*``, ``ICOK_INVOICE_*``) and the customer's current data.

Rendered with fpdf2 and the DejaVu Sans font shipped in ``backend/assets/fonts`` (Polish
letters on any machine). Reading the invoice goes through ``services.ownership``: another
customer's invoice is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from fpdf import FPDF, FontFace
from stdnum import iban
from stdnum.pl import nip

from backend.clock import day_of
from backend.config import Settings
from backend.documents.polish_words import amount_in_words
from backend.models import Customer, Invoice, InvoiceLine
from backend.models.enums import InvoiceStatus, Language
from backend.services.billing import (
    buyer_snapshot,
    payment_account,
    seller_snapshot,
    vat_summary,
)
from backend.services.money import format_money
from backend.services.ownership import visible
from backend.services.text import displayable

FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"


@dataclass(frozen=True)
class InvoiceDocument:
    """An invoice with what it prints: the seller, buyer, account (compact IBAN) and footer as
    they were when it was made (its snapshots), or, for invoices made before snapshots
    existed, the settings and the customer's current data."""

    invoice: Invoice
    lines: list[InvoiceLine]
    customer: Customer
    seller: dict[str, str]
    buyer: dict[str, str]
    account: str
    footer: str


async def load(settings: Settings, customer_id: int, invoice_id: int) -> InvoiceDocument | None:
    """The invoice with its lines and parties, or None if it is not this customer's."""
    invoice = await visible(Invoice, customer_id).get_or_none(id=invoice_id)
    if invoice is None:
        return None
    lines = list(await InvoiceLine.filter(invoice_id=invoice.id).order_by("position"))
    customer = await Customer.get(id=customer_id)
    return InvoiceDocument(
        invoice,
        lines,
        customer,
        seller={**seller_snapshot(settings), **(invoice.seller or {})},
        buyer=invoice.buyer or buyer_snapshot(customer),
        account=invoice.bank_account or payment_account(settings, customer.id),
        footer=settings.invoice_footer if invoice.footer is None else invoice.footer,
    )


def filename(invoice: Invoice) -> str:
    return "Faktura-" + "".join(c if c.isalnum() else "-" for c in invoice.number) + ".pdf"


def _pln(minor: int) -> str:
    return format_money(minor, "PLN", Language.PL)


def _date(value: date | datetime) -> str:
    """DD.MM.YYYY; an instant (e.g. ``paid_at``) by its Warsaw calendar day."""
    day = day_of(value) if isinstance(value, datetime) else value
    return day.strftime("%d.%m.%Y")


class _Pdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-17)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(110)
        if self.footer_text:
            self.multi_cell(0, 3.5, self.footer_text, align="C", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, f"Strona {self.page_no()}/{{nb}}", align="C")


def seller_lines(seller: dict[str, str]) -> list[str]:
    """The seller block: name, the address in lines (split at commas), the NIP."""
    address = [part.strip() for part in seller.get("address", "").split(",")]
    number = seller.get("nip", "")
    return [
        displayable(text)
        for text in (
            seller.get("name", ""),
            *address,
            f"NIP: {nip.format(number)}" if number else "",
        )
        if text
    ]


def render(doc: InvoiceDocument) -> bytes:
    invoice, customer, seller = doc.invoice, doc.customer, doc.seller
    pdf = _Pdf(displayable(doc.footer))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Faktura VAT {invoice.number}")
    pdf.set_author(displayable(seller.get("name", "")))
    pdf.set_creation_date(invoice.created_at)
    pdf.add_page()

    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 9, f"Faktura VAT nr {invoice.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(0, 5, "ORYGINAŁ", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in (
        (
            "Data wystawienia",
            ", ".join(
                text for text in (_date(invoice.issued_on), seller.get("issue_place", "")) if text
            ),
        ),
        (
            "Okres rozliczeniowy (data sprzedaży)",
            f"{_date(invoice.period_start)} – {_date(invoice.period_end)}",
        ),
        ("Termin płatności", _date(invoice.due_on)),
        ("Sposób płatności", "przelew"),
    ):
        pdf.cell(70, 5, label + ":")
        pdf.cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    # Rows stored before the input check (or by the operator) may hold control or bidi
    # characters: an escape sequence or a right-to-left override must not reach the document.
    party = doc.buyer
    buyer = [
        displayable(party.get("name", "")),
        displayable(party.get("street", "")),
        displayable(f"{party.get('postal_code', '')} {party.get('city', '')}".strip()),
        f"Nr klienta: {customer.number}",
    ]
    top = pdf.get_y()
    for x, title, lines in ((15, "Sprzedawca", seller_lines(seller)), (110, "Nabywca", buyer)):
        pdf.set_xy(x, top)
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(85, 6, title, new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        for text in lines:
            if text:
                pdf.cell(85, 5, text, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(15, top + 30)

    # Lines in gross prices (art. 106e ust. 7-8: the gross unit price and gross value replace the
    # net ones): the VAT is computed per rate in the summary below, not per line.
    headers = ("Lp.", "Nazwa", "Ilość", "Cena brutto", "VAT", "Wartość brutto")
    pdf.set_font("DejaVu", "", 7.5)
    with pdf.table(
        col_widths=(8, 86, 14, 24, 12, 27),
        text_align=("CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=4.5,
        padding=1,
        headings_style=FontFace(emphasis="BOLD", fill_color=235),
    ) as table:
        heading = table.row()
        for h in headers:
            heading.cell(h, align="CENTER")
        for line in doc.lines:
            row = table.row()
            for text in (
                str(line.position),
                line.description,  # wraps: an invoice line is never cut short
                f"{line.quantity} szt.",
                _pln(line.gross // max(line.quantity, 1)),
                f"{line.vat_rate}%",
                _pln(line.gross),
            ):
                row.cell(text)
    pdf.ln(4)

    pdf.set_font("DejaVu", "B", 8)
    pdf.set_fill_color(235)
    pdf.set_x(95)
    for w, h in ((25, "Stawka VAT"), (25, "Netto"), (25, "VAT"), (25, "Brutto")):
        pdf.cell(w, 6, h, border=1, align="C", fill=True)
    pdf.ln()
    pdf.set_font("DejaVu", "", 8)
    for total in vat_summary(doc.lines):
        pdf.set_x(95)
        for text in (f"{total.rate}%", _pln(total.net), _pln(total.vat), _pln(total.gross)):
            pdf.cell(25, 6, text, border=1, align="R")
        pdf.ln()
    pdf.set_font("DejaVu", "B", 8)
    pdf.set_x(95)
    for text in ("Razem", _pln(invoice.net), _pln(invoice.vat), _pln(invoice.gross)):
        pdf.cell(25, 6, text, border=1, align="R")
    pdf.ln(10)

    paid = invoice.status is InvoiceStatus.PAID
    due = 0 if paid else invoice.gross
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 7, f"Do zapłaty: {_pln(due)}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(0, 5, f"Słownie: {amount_in_words(due)}", new_x="LMARGIN", new_y="NEXT")
    if paid:
        when = f" dnia {_date(invoice.paid_at)}" if invoice.paid_at else ""
        pdf.cell(0, 5, f"Zapłacono{when}: {_pln(invoice.gross)}", new_x="LMARGIN", new_y="NEXT")
    elif invoice.status is InvoiceStatus.CANCELLED:
        pdf.cell(0, 5, "Faktura anulowana.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if seller.get("bank_name"):
        bank = displayable(seller["bank_name"])
        pdf.cell(0, 5, f"Bank: {bank}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Numer rachunku: {iban.format(doc.account)}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Tytuł przelewu: {invoice.number}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
