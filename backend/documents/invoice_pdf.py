"""The invoice as a PDF: a Polish "Faktura VAT" with seller, buyer, dates, lines in gross prices
(unit price, VAT rate, value), a summary per VAT rate (``services.billing.vat_summary``: the tax
of a rate from its gross total), the amount due in figures and in words, and the bank account to
pay to.

Rendered with fpdf2 and the DejaVu Sans font shipped in ``backend/assets/fonts`` (Polish
letters on any machine). Reading the invoice goes through ``services.ownership``: another
customer's invoice is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from fpdf import FPDF, FontFace

from backend.clock import day_of
from backend.documents.polish_words import amount_in_words
from backend.models import Customer, Invoice, InvoiceLine
from backend.models.enums import InvoiceStatus, Language
from backend.services.billing import vat_summary
from backend.services.money import format_money
from backend.services.ownership import visible
from backend.services.text import displayable

FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"

# The operator (demo data: a real deployment would read these from its configuration).
SELLER_LINES = (
    "ICOK Telewizja i Internet Sp. z o.o.",
    "ul. Satelitarna 12",
    "00-950 Warszawa",
    "NIP: 525-000-12-34",
)
BANK_NAME = "Bank Przykładowy S.A."
BANK_ROUTING = "10901014"  # the bank's sort code inside the Polish IBAN
ISSUE_PLACE = "Warszawa"


@dataclass(frozen=True)
class InvoiceDocument:
    invoice: Invoice
    lines: list[InvoiceLine]
    customer: Customer


async def load(customer_id: int, invoice_id: int) -> InvoiceDocument | None:
    """The invoice with its lines and buyer, or None if it is not this customer's."""
    invoice = await visible(Invoice, customer_id).get_or_none(id=invoice_id)
    if invoice is None:
        return None
    lines = list(await InvoiceLine.filter(invoice_id=invoice.id).order_by("position"))
    customer = await Customer.get(id=customer_id)
    return InvoiceDocument(invoice, lines, customer)


def payment_account(customer: Customer) -> str:
    """The customer's individual (virtual) account for transfers: a valid Polish IBAN whose
    account part carries the customer ID, so the operator can match incoming transfers."""
    bban = f"{BANK_ROUTING}{customer.id:016d}"
    check = 98 - int(bban + "252100") % 97  # "PL" -> 25 21, then "00"
    digits = f"{check:02d}{bban}"
    return "PL" + " ".join([digits[:2], *(digits[i : i + 4] for i in range(2, 26, 4))])


def filename(invoice: Invoice) -> str:
    return "Faktura-" + "".join(c if c.isalnum() else "-" for c in invoice.number) + ".pdf"


def _pln(minor: int) -> str:
    return format_money(minor, "PLN", Language.PL)


def _date(value: date | datetime) -> str:
    """DD.MM.YYYY; an instant (e.g. ``paid_at``) by its Warsaw calendar day."""
    day = day_of(value) if isinstance(value, datetime) else value
    return day.strftime("%d.%m.%Y")


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(110)
        self.cell(
            0,
            5,
            "Faktura wystawiona elektronicznie, nie wymaga podpisu. "
            f"Strona {self.page_no()}/{{nb}}",
            align="C",
        )


def render(doc: InvoiceDocument) -> bytes:
    invoice, customer = doc.invoice, doc.customer
    pdf = _Pdf(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Faktura VAT {invoice.number}")
    pdf.set_author(SELLER_LINES[0])
    pdf.set_creation_date(invoice.created_at)
    pdf.add_page()

    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 9, f"Faktura VAT nr {invoice.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(0, 5, "ORYGINAŁ", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in (
        ("Data wystawienia", f"{_date(invoice.issued_on)}, {ISSUE_PLACE}"),
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
    buyer = [
        displayable(customer.full_name),
        displayable(customer.street),
        displayable(f"{customer.postal_code} {customer.city}".strip()),
        f"Nr klienta: {customer.number}",
    ]
    top = pdf.get_y()
    for x, title, lines in ((15, "Sprzedawca", SELLER_LINES), (110, "Nabywca", buyer)):
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
    pdf.cell(0, 5, f"Bank: {BANK_NAME}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Numer rachunku: {payment_account(customer)}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Tytuł przelewu: {invoice.number}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
