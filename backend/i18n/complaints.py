"""Complaint (reklamacja) texts: the request's subject line (``complaint.title.<subject>``,
``{number}``), the subjects' names (``complaint.subject.<subject>``), the refund methods
(``complaint.refund.<method>``), the labels of the acknowledgement's content
(``complaint.field.*``), the wallet entry of a credit (``complaint.credit``, ``{number}``) and
the parts of the answer (``complaint.answer.*``: the decision with ``{number}`` and
``{received}``, how the amount is paid (``{amount}``, ``{account}``), the reasons
(``{reason}``), the further path (REFERENCE §3: Prezes UKE, court) and the signature
(``{name}``))."""

from __future__ import annotations

from backend.models.enums import Language

TEXTS: dict[Language, dict[str, str]] = {
    Language.PL: {
        "complaint.title.invoice": "Reklamacja {number}: faktura",
        "complaint.title.service": "Reklamacja {number}: usługa",
        "complaint.title.equipment": "Reklamacja {number}: sprzęt",
        "complaint.title.other": "Reklamacja {number}",
        "complaint.subject.invoice": "faktura",
        "complaint.subject.service": "usługa",
        "complaint.subject.equipment": "sprzęt",
        "complaint.subject.other": "inna sprawa",
        "complaint.refund.wallet": "do portmonetki ICOK",
        "complaint.refund.bank_account": "na rachunek bankowy",
        "complaint.field.number": "Numer reklamacji",
        "complaint.field.received": "Data otrzymania",
        "complaint.field.deadline": "Termin odpowiedzi",
        "complaint.field.subject": "Przedmiot",
        "complaint.field.invoice": "Faktura",
        "complaint.field.service": "Usługa",
        "complaint.field.device": "Urządzenie",
        "complaint.field.period": "Okres",
        "complaint.field.amount": "Żądana kwota",
        "complaint.field.refund": "Zwrot",
        "complaint.credit": "Reklamacja {number}",
        "complaint.answer.accepted": (
            "Reklamację nr {number} otrzymaną {received} uwzględniliśmy w całości."
        ),
        "complaint.answer.partly": (
            "Reklamację nr {number} otrzymaną {received} uwzględniliśmy w części."
        ),
        "complaint.answer.rejected": "Reklamacji nr {number} otrzymanej {received} nie uwzględniliśmy.",
        "complaint.answer.paid.wallet": (
            "Kwotę {amount} dopisaliśmy dziś do Twojej portmonetki ICOK."
        ),
        "complaint.answer.paid.bank": (
            "Kwotę {amount} przelejemy na rachunek {account} najpóźniej {by}."
        ),
        "complaint.answer.reason": "Uzasadnienie:\n{reason}",
        "complaint.answer.further": (
            "Jeśli nie zgadzasz się z tym rozstrzygnięciem, możesz skorzystać z bezpłatnego "
            "pozasądowego rozwiązywania sporów konsumenckich przed Prezesem UKE albo dochodzić "
            "roszczeń przed sądem powszechnym."
        ),
        "complaint.answer.signed": "Odpowiedzi udzielił(a): {name}, Biuro Obsługi Klienta ICOK",
        "complaint.earliest.contract": "początek Twojej pierwszej umowy",
        "complaint.earliest.months": "12 miesięcy przed złożeniem reklamacji",
        "complaint.answer.deemed": (
            "Termin odpowiedzi upłynął {deadline}, dlatego reklamacja została uznana za "
            "uwzględnioną {day}."
        ),
        "complaint.deemed.wallet": (
            "Nie odpowiedzieliśmy w terminie, więc {day} reklamacja została uznana za "
            "uwzględnioną z mocy prawa. Żądana kwota {amount} zostanie dopisana do Twojej "
            "portmonetki ICOK; Biuro Obsługi Klienta potwierdzi to w odpowiedzi."
        ),
        "complaint.deemed.bank": (
            "Nie odpowiedzieliśmy w terminie, więc {day} reklamacja została uznana za "
            "uwzględnioną z mocy prawa. Żądaną kwotę {amount} przelejemy na rachunek {account}; "
            "Biuro Obsługi Klienta potwierdzi to w odpowiedzi."
        ),
        "complaint.deemed.none": (
            "Nie odpowiedzieliśmy w terminie, więc {day} reklamacja została uznana za "
            "uwzględnioną z mocy prawa; Biuro Obsługi Klienta potwierdzi to w odpowiedzi."
        ),
        "complaint.field.customer": "Składający",
        "complaint.field.address": "Adres",
        "complaint.field.customer_number": "Numer klienta",
        "complaint.field.answer_channel": "Sposób odpowiedzi",
        "complaint.answer_channel": "w ICOK (Kontakt) oraz e-mailem na adres {email}",
        "complaint.period.from": "od {day}",
        "complaint.period.until": "do {day}",
    },
    Language.EN: {
        "complaint.title.invoice": "Complaint {number}: invoice",
        "complaint.title.service": "Complaint {number}: service",
        "complaint.title.equipment": "Complaint {number}: equipment",
        "complaint.title.other": "Complaint {number}",
        "complaint.subject.invoice": "invoice",
        "complaint.subject.service": "service",
        "complaint.subject.equipment": "equipment",
        "complaint.subject.other": "other matter",
        "complaint.refund.wallet": "to the ICOK wallet",
        "complaint.refund.bank_account": "to a bank account",
        "complaint.field.number": "Complaint number",
        "complaint.field.received": "Received",
        "complaint.field.deadline": "Answer due by",
        "complaint.field.subject": "Subject",
        "complaint.field.invoice": "Invoice",
        "complaint.field.service": "Service",
        "complaint.field.device": "Device",
        "complaint.field.period": "Period",
        "complaint.field.amount": "Amount claimed",
        "complaint.field.refund": "Refund",
        "complaint.credit": "Complaint {number}",
        "complaint.answer.accepted": "We have accepted complaint no. {number} received on {received} in full.",
        "complaint.answer.partly": "We have accepted complaint no. {number} received on {received} in part.",
        "complaint.answer.rejected": "We have rejected complaint no. {number} received on {received}.",
        "complaint.answer.paid.wallet": "We have credited {amount} to your ICOK wallet today.",
        "complaint.answer.paid.bank": (
            "We will transfer {amount} to the account {account} by {by}."
        ),
        "complaint.answer.reason": "Reasons:\n{reason}",
        "complaint.answer.further": (
            "If you disagree with this decision, you may use the free out-of-court resolution "
            "of consumer disputes before the President of UKE (the Office of Electronic "
            "Communications) or bring your claim before a common court."
        ),
        "complaint.answer.signed": "Answered by: {name}, ICOK Customer Service",
        "complaint.earliest.contract": "the start of your first contract",
        "complaint.earliest.months": "12 months before the complaint",
        "complaint.answer.deemed": (
            "The deadline for the answer passed on {deadline}, so the complaint was deemed "
            "accepted on {day}."
        ),
        "complaint.deemed.wallet": (
            "We did not answer in time, so on {day} the complaint was deemed accepted by law. "
            "The amount claimed, {amount}, will be credited to your ICOK wallet; customer "
            "service will confirm it in an answer."
        ),
        "complaint.deemed.bank": (
            "We did not answer in time, so on {day} the complaint was deemed accepted by law. "
            "The amount claimed, {amount}, will be transferred to the account {account}; "
            "customer service will confirm it in an answer."
        ),
        "complaint.deemed.none": (
            "We did not answer in time, so on {day} the complaint was deemed accepted by law; "
            "customer service will confirm it in an answer."
        ),
        "complaint.field.customer": "Filed by",
        "complaint.field.address": "Address",
        "complaint.field.customer_number": "Customer number",
        "complaint.field.answer_channel": "Answer sent",
        "complaint.answer_channel": "in ICOK (Contact) and by e-mail to {email}",
        "complaint.period.from": "from {day}",
        "complaint.period.until": "until {day}",
    },
}
