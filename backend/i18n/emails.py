"""The e-mails: the account e-mails (confirm the address, already registered, reset and changed
password; the login e-mail change: ``login`` the link to the new address, ``login_requested`` and
``login_changed`` to the current one with the new one masked in ``{new}``, ``login_taken`` to
the owner of a taken address), the one that confirms a new contact address, the receipt of a
settled payment, and ``reply``: the operator's reply to a contact request (the account e-mail
parts; ``{number}``, ``{subject}`` of the request, ``{body}`` of the reply).

Keys are ``email.<kind>.<part>``. The account e-mails have the parts ``subject``, ``intro``
(paragraphs split by a blank line), ``action`` (the sentence before the link), ``button`` (the
link text in HTML) and ``outro``; ``email.contact`` has ``subject`` and ``body`` (``{link}``).
``email.receipt`` has ``subject`` (``{amount}``), ``intro``, the labels ``what``, ``amount``,
``date``, ``method``, ``reference``, ``outro`` (``{link}``) and ``method.<payment method>``.
"""

from __future__ import annotations

from backend.models.enums import Language

TEXTS: dict[Language, dict[str, str]] = {
    Language.PL: {
        "email.confirm.subject": "ICOK: potwierdź adres e-mail",
        "email.confirm.intro": (
            "Dzień dobry,\n\ndziękujemy za założenie Internetowego Konta Klienta."
        ),
        "email.confirm.action": (
            "Aby potwierdzić adres e-mail, otwórz link (ważny przez 24 godziny):"
        ),
        "email.confirm.button": "Potwierdź adres e-mail",
        "email.confirm.outro": "Jeśli to nie Ty zakładałeś konto, zignoruj tę wiadomość.",
        "email.already.subject": "ICOK: próba ponownej rejestracji",
        "email.already.intro": (
            "Dzień dobry,\n\nktoś (być może Ty) próbował założyć konto ICOK dla klienta, który "
            "już ma konto, albo podał ten adres e-mail."
        ),
        "email.already.action": "Możesz się zalogować albo ustawić nowe hasło tutaj:",
        "email.already.button": "Nie pamiętam hasła",
        "email.already.outro": "Jeśli to nie Ty, zignoruj tę wiadomość: nic się nie zmieniło.",
        "email.reset.subject": "ICOK: ustaw nowe hasło",
        "email.reset.intro": (
            "Dzień dobry,\n\notrzymaliśmy prośbę o ustawienie nowego hasła do konta ICOK."
        ),
        "email.reset.action": "Aby ustawić nowe hasło, otwórz link (ważny przez 1 godzinę):",
        "email.reset.button": "Ustaw nowe hasło",
        "email.reset.outro": "Jeśli to nie Ty, zignoruj tę wiadomość: hasło się nie zmieni.",
        "email.changed.subject": "ICOK: hasło zostało zmienione",
        "email.changed.intro": (
            "Dzień dobry,\n\nhasło do Twojego konta ICOK zostało zmienione, a inne sesje "
            "zakończone."
        ),
        "email.changed.action": "Jeśli to nie Ty, natychmiast ustaw nowe hasło:",
        "email.changed.button": "Ustaw nowe hasło",
        "email.changed.outro": "Jeśli to Ty, nic nie musisz robić.",
        "email.factor_on.subject": "ICOK: włączono weryfikację dwuetapową",
        "email.factor_on.intro": (
            "Dzień dobry,\n\nna Twoim koncie ICOK włączono weryfikację dwuetapową: logowanie "
            "wymaga teraz także kodu z aplikacji uwierzytelniającej. Na pozostałych urządzeniach i w "
            "innych przeglądarkach wylogowaliśmy Cię: zaloguj się tam ponownie, z kodem."
        ),
        "email.factor_on.action": "Jeśli to nie Ty, natychmiast ustaw nowe hasło:",
        "email.factor_on.button": "Ustaw nowe hasło",
        "email.factor_on.outro": "Jeśli to Ty, nic nie musisz robić. Zachowaj kody odzyskiwania.",
        "email.factor_off.subject": "ICOK: wyłączono weryfikację dwuetapową",
        "email.factor_off.intro": (
            "Dzień dobry,\n\nna Twoim koncie ICOK wyłączono weryfikację dwuetapową: logowanie "
            "wymaga teraz tylko hasła."
        ),
        "email.factor_off.action": "Jeśli to nie Ty, natychmiast ustaw nowe hasło:",
        "email.factor_off.button": "Ustaw nowe hasło",
        "email.factor_off.outro": "Jeśli to Ty, nic nie musisz robić.",
        "email.reply.subject": "ICOK: odpowiedź na zgłoszenie nr {number}",
        "email.reply.intro": (
            "Dzień dobry,\n\nodpowiedzieliśmy na Twoje zgłoszenie nr {number} „{subject}”:"
            "\n\n{body}"
        ),
        "email.reply.action": "Całą rozmowę zobaczysz w ICOK i tam możesz nam odpisać:",
        "email.reply.button": "Otwórz zgłoszenie",
        "email.reply.outro": "Na tę wiadomość e-mail prosimy nie odpowiadać.",
        "email.complaint_reply.subject": "ICOK: odpowiedź na reklamację nr {number}",
        "email.complaint_reply.intro": (
            "Dzień dobry,\n\nodpowiedzieliśmy na Twoją reklamację nr {number}:\n\n{body}"
        ),
        "email.complaint_reply.action": "Całą rozmowę zobaczysz w ICOK i tam możesz nam odpisać:",
        "email.complaint_reply.button": "Otwórz reklamację",
        "email.complaint_reply.outro": "Na tę wiadomość e-mail prosimy nie odpowiadać.",
        # complaints (reklamacje): the acknowledgement (the durable medium)
        "email.complaint.subject": "ICOK: potwierdzenie przyjęcia reklamacji nr {number}",
        "email.complaint.intro": (
            "Dzień dobry,\n\npotwierdzamy przyjęcie Twojej reklamacji. Oto jej treść:"
        ),
        "email.complaint.description": "Opis",
        "email.complaint.deadline": (
            "Odpowiemy do {deadline} (30 dni od otrzymania). Jeśli nie odpowiemy w tym terminie, "
            "reklamacja jest uznana."
        ),
        "email.complaint.action": "Reklamację i odpowiedź zobaczysz w ICOK:",
        "email.complaint.outro": "Zachowaj tę wiadomość: to potwierdzenie złożenia reklamacji.",
        "email.contact.subject": "ICOK: potwierdź nowy adres e-mail",
        "email.contact.body": (
            "Dzień dobry,\n\npoproszono o zmianę adresu kontaktowego w ICOK na ten adres. Aby "
            "go potwierdzić, otwórz link (ważny przez 24 godziny):\n{link}\n\nDo tego czasu "
            "używamy poprzedniego adresu. Jeśli to nie Ty, zignoruj tę wiadomość."
        ),
        "email.receipt.subject": "ICOK: potwierdzenie płatności {amount}",
        "email.receipt.intro": "Dzień dobry,\n\notrzymaliśmy Twoją płatność. Dziękujemy!",
        "email.receipt.what": "Tytuł",
        "email.receipt.amount": "Kwota",
        "email.receipt.date": "Data",
        "email.receipt.method": "Metoda",
        "email.receipt.reference": "Numer płatności",
        "email.receipt.outro": "Wszystkie płatności i faktury znajdziesz w ICOK: {link}",
        "email.receipt.method.card": "karta płatnicza",
        "email.receipt.method.blik": "BLIK",
        "email.receipt.method.transfer": "przelew",
        "email.login.subject": "ICOK: potwierdź nowy adres logowania",
        "email.login.intro": (
            "Dzień dobry,\n\npoproszono o zmianę adresu e-mail, którym logujesz się do "
            "Internetowego Konta Klienta, na ten adres."
        ),
        "email.login.action": "Aby potwierdzić zmianę, otwórz link (ważny przez 24 godziny):",
        "email.login.button": "Potwierdź nowy adres logowania",
        "email.login.outro": (
            "Do tego czasu logujesz się poprzednim adresem. Jeśli to nie Ty, zignoruj tę wiadomość."
        ),
        "email.login_requested.subject": "ICOK: prośba o zmianę adresu logowania",
        "email.login_requested.intro": (
            "Dzień dobry,\n\npoproszono o zmianę adresu e-mail, którym logujesz się do konta "
            "ICOK, na {new}. Adres zmieni się dopiero po otwarciu linku wysłanego na nowy adres."
        ),
        "email.login_requested.action": "Jeśli to nie Ty, zmień hasło i zakończ inne sesje:",
        "email.login_requested.button": "Bezpieczeństwo konta",
        "email.login_requested.outro": "Jeśli to Ty, nic nie musisz robić.",
        "email.login_taken.subject": "ICOK: próba użycia Twojego adresu e-mail",
        "email.login_taken.intro": (
            "Dzień dobry,\n\nktoś (być może Ty) chciał, by ten adres e-mail służył do logowania "
            "do innego konta ICOK. Ten adres służy już do logowania do Twojego konta, więc nic "
            "się nie zmieniło."
        ),
        "email.login_taken.action": "Możesz się zalogować albo ustawić nowe hasło tutaj:",
        "email.login_taken.button": "Nie pamiętam hasła",
        "email.login_taken.outro": "Jeśli to nie Ty, zignoruj tę wiadomość.",
        "email.login_changed.subject": "ICOK: adres logowania został zmieniony",
        "email.login_changed.intro": (
            "Dzień dobry,\n\nadres e-mail, którym logujesz się do konta ICOK, został zmieniony "
            "na {new}. Tego adresu nie używamy już do logowania."
        ),
        "email.login_changed.action": (
            "Jeśli to nie Ty, niezwłocznie skontaktuj się z Biurem Obsługi Klienta. Portal:"
        ),
        "email.login_changed.button": "Przejdź do ICOK",
        "email.login_changed.outro": "Jeśli to Ty, nic nie musisz robić.",
    },
    Language.EN: {
        "email.confirm.subject": "ICOK: confirm your e-mail address",
        "email.confirm.intro": "Hello,\n\nthank you for creating an Internet Customer Account.",
        "email.confirm.action": (
            "To confirm your e-mail address, open this link (valid for 24 hours):"
        ),
        "email.confirm.button": "Confirm e-mail address",
        "email.confirm.outro": "If you did not create an account, ignore this message.",
        "email.already.subject": "ICOK: repeated registration",
        "email.already.intro": (
            "Hello,\n\nsomeone (perhaps you) tried to create an ICOK account for a customer who "
            "already has one, or entered this e-mail address."
        ),
        "email.already.action": "You can log in, or set a new password here:",
        "email.already.button": "Forgot password",
        "email.already.outro": "If it was not you, ignore this message: nothing has changed.",
        "email.reset.subject": "ICOK: set a new password",
        "email.reset.intro": (
            "Hello,\n\nwe received a request to set a new password for your ICOK account."
        ),
        "email.reset.action": "To set a new password, open this link (valid for 1 hour):",
        "email.reset.button": "Set a new password",
        "email.reset.outro": (
            "If it was not you, ignore this message: your password stays the same."
        ),
        "email.changed.subject": "ICOK: your password was changed",
        "email.changed.intro": (
            "Hello,\n\nthe password of your ICOK account was changed and your other sessions "
            "were ended."
        ),
        "email.changed.action": "If it was not you, set a new password at once:",
        "email.changed.button": "Set a new password",
        "email.changed.outro": "If it was you, there is nothing to do.",
        "email.factor_on.subject": "ICOK: two-step verification turned on",
        "email.factor_on.intro": (
            "Hello,\n\ntwo-step verification was turned on for your ICOK account: logging in "
            "now also needs a code from your authenticator app. You were logged out on your other "
            "devices and browsers: log in there again, with a code."
        ),
        "email.factor_on.action": "If it was not you, set a new password at once:",
        "email.factor_on.button": "Set a new password",
        "email.factor_on.outro": "If it was you, there is nothing to do. Keep your recovery codes.",
        "email.factor_off.subject": "ICOK: two-step verification turned off",
        "email.factor_off.intro": (
            "Hello,\n\ntwo-step verification was turned off for your ICOK account: logging in "
            "now needs the password only."
        ),
        "email.factor_off.action": "If it was not you, set a new password at once:",
        "email.factor_off.button": "Set a new password",
        "email.factor_off.outro": "If it was you, there is nothing to do.",
        "email.reply.subject": "ICOK: a reply to your request no. {number}",
        "email.reply.intro": (
            "Hello,\n\nwe have replied to your request no. {number} \u201c{subject}\u201d:"
            "\n\n{body}"
        ),
        "email.reply.action": "See the whole conversation in ICOK, where you can also write back:",
        "email.reply.button": "Open the request",
        "email.reply.outro": "Please do not reply to this e-mail.",
        "email.complaint_reply.subject": "ICOK: a reply to your complaint no. {number}",
        "email.complaint_reply.intro": (
            "Hello,\n\nwe have replied to your complaint no. {number}:\n\n{body}"
        ),
        "email.complaint_reply.action": (
            "See the whole conversation in ICOK, where you can also write back:"
        ),
        "email.complaint_reply.button": "Open the complaint",
        "email.complaint_reply.outro": "Please do not reply to this e-mail.",
        # complaints (reklamacje): the acknowledgement (the durable medium)
        "email.complaint.subject": "ICOK: acknowledgement of your complaint no. {number}",
        "email.complaint.intro": (
            "Hello,\n\nwe confirm that we have received your complaint. Its content:"
        ),
        "email.complaint.description": "Description",
        "email.complaint.deadline": (
            "We will answer by {deadline} (30 days from receipt). If we do not answer by then, "
            "the complaint is accepted."
        ),
        "email.complaint.action": "See the complaint and its answer in ICOK:",
        "email.complaint.outro": "Keep this message: it acknowledges your complaint.",
        "email.contact.subject": "ICOK: confirm your new e-mail address",
        "email.contact.body": (
            "Hello,\n\nsomeone asked to use this address as the contact e-mail in ICOK. To "
            "confirm, open this link (valid for 24 hours):\n{link}\n\nUntil then we keep using "
            "the previous address. If it was not you, ignore this message."
        ),
        "email.receipt.subject": "ICOK: payment receipt {amount}",
        "email.receipt.intro": "Hello,\n\nwe have received your payment. Thank you!",
        "email.receipt.what": "For",
        "email.receipt.amount": "Amount",
        "email.receipt.date": "Date",
        "email.receipt.method": "Method",
        "email.receipt.reference": "Reference",
        "email.receipt.outro": "All your payments and invoices are in ICOK: {link}",
        "email.receipt.method.card": "payment card",
        "email.receipt.method.blik": "BLIK",
        "email.receipt.method.transfer": "bank transfer",
        "email.login.subject": "ICOK: confirm your new login address",
        "email.login.intro": (
            "Hello,\n\nsomeone asked to make this address the e-mail you log in to the Internet "
            "Customer Account with."
        ),
        "email.login.action": "To confirm the change, open this link (valid for 24 hours):",
        "email.login.button": "Confirm the new login address",
        "email.login.outro": (
            "Until then you log in with the previous address. If it was not you, ignore this "
            "message."
        ),
        "email.login_requested.subject": "ICOK: change of your login address requested",
        "email.login_requested.intro": (
            "Hello,\n\nsomeone asked to change the e-mail you log in to ICOK with to {new}. The "
            "address changes only when the link sent to the new address is opened."
        ),
        "email.login_requested.action": (
            "If it was not you, change your password and end your other sessions:"
        ),
        "email.login_requested.button": "Account security",
        "email.login_requested.outro": "If it was you, there is nothing to do.",
        "email.login_taken.subject": "ICOK: someone tried to use your e-mail address",
        "email.login_taken.intro": (
            "Hello,\n\nsomeone (perhaps you) wanted this e-mail address to be the login of "
            "another ICOK account. This address is already the login of your account, so "
            "nothing has changed."
        ),
        "email.login_taken.action": "You can log in, or set a new password here:",
        "email.login_taken.button": "Forgot password",
        "email.login_taken.outro": "If it was not you, ignore this message.",
        "email.login_changed.subject": "ICOK: your login address was changed",
        "email.login_changed.intro": (
            "Hello,\n\nthe e-mail you log in to ICOK with was changed to {new}. This address is "
            "no longer used to log in."
        ),
        "email.login_changed.action": (
            "If it was not you, contact Customer Service at once. The portal:"
        ),
        "email.login_changed.button": "Go to ICOK",
        "email.login_changed.outro": "If it was you, there is nothing to do.",
    },
}
