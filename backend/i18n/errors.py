"""Messages for :class:`ErrorCode` (what ``UserError.message`` and GraphQL errors say).

Keys are the error codes; a test checks that every code has a message in every language.
"""

from __future__ import annotations

from backend.models.enums import Language
from backend.services.errors import ErrorCode

TEXTS: dict[Language, dict[str, str]] = {
    Language.PL: {
        ErrorCode.REQUIRED: "To pole jest wymagane.",
        ErrorCode.TOO_LONG: "Tekst jest za długi (maksymalnie {max} znaków).",
        ErrorCode.TOO_SHORT: "Tekst jest za krótki (co najmniej {min} zn.).",
        ErrorCode.INVALID: "Nieprawidłowa wartość.",
        ErrorCode.FORBIDDEN_CHARACTER: (
            "Tekst zawiera niedozwolony znak sterujący albo zmieniający kierunek pisma "
            "({character}). Usuń go i spróbuj ponownie."
        ),
        ErrorCode.NOT_FOUND: "Nie znaleziono.",
        ErrorCode.NOT_AUTHENTICATED: "Zaloguj się, aby kontynuować.",
        ErrorCode.RATE_LIMITED: "Zbyt wiele prób. Spróbuj ponownie za {minutes} min.",
        ErrorCode.SERVICE_UNAVAILABLE: (
            "Usługa jest chwilowo niedostępna. Spróbuj ponownie za kilka sekund."
        ),
        ErrorCode.INVALID_PESEL: "Nieprawidłowy numer PESEL.",
        ErrorCode.INVALID_IDENTIFIER: (
            "Podaj 12-cyfrowy numer karty dekodera albo 9-cyfrowy numer telefonu usługi."
        ),
        ErrorCode.INVALID_EMAIL: "Nieprawidłowy adres e-mail.",
        ErrorCode.EMAILS_DO_NOT_MATCH: "Adresy e-mail nie są takie same.",
        ErrorCode.INVALID_PHONE: "Nieprawidłowy numer telefonu.",
        ErrorCode.INVALID_POSTAL_CODE: "Kod pocztowy musi mieć postać NN-NNN.",
        ErrorCode.CUSTOMER_NOT_MATCHED: (
            "Nie znaleźliśmy klienta o tym numerze usługi i numerze PESEL."
        ),
        ErrorCode.TERMS_NOT_ACCEPTED: "Zaakceptuj regulamin, aby założyć konto.",
        ErrorCode.CAPTCHA_INVALID: "Nieprawidłowy wynik działania. Rozwiąż nowe zadanie.",
        ErrorCode.CAPTCHA_EXPIRED: "Zadanie wygasło. Rozwiąż nowe zadanie.",
        ErrorCode.CAPTCHA_PROOF_REQUIRED: "Brak potwierdzenia z przeglądarki. Odśwież stronę i spróbuj ponownie.",
        ErrorCode.CAPTCHA_PROOF_INVALID: "Nie udało się potwierdzić zadania w przeglądarce. Rozwiąż nowe zadanie.",
        ErrorCode.PASSWORD_TOO_SHORT: "Hasło musi mieć co najmniej {min} znaków.",
        ErrorCode.PASSWORD_TOO_LONG: "Hasło może mieć najwyżej {max} znaków.",
        ErrorCode.ONE_PASSWORD_PER_REQUEST: (
            "Jedno zapytanie może sprawdzić lub ustawić tylko jedno hasło."
        ),
        ErrorCode.PASSWORD_SCORING_BUSY: (
            "Sprawdzamy teraz wiele haseł naraz. Spróbuj ponownie za chwilę."
        ),
        ErrorCode.SERVER_BUSY: (
            "Serwer obsługuje teraz bardzo wiele logowań. Spróbuj ponownie za kilka sekund."
        ),
        ErrorCode.PASSWORD_TOO_WEAK: "Hasło jest za słabe. {hint}",
        ErrorCode.PASSWORD_CONTAINS_PERSONAL_DATA: (
            "Hasło nie może zawierać Twoich danych: imienia, nazwiska, adresu e-mail, numeru "
            "usługi ani karty, numeru klienta, numeru PESEL ani daty urodzenia."
        ),
        ErrorCode.INVALID_CREDENTIALS: "Nieprawidłowy login lub hasło.",
        ErrorCode.REFRESH_TOKEN_INVALID: "Logowanie na tym urządzeniu wygasło. Zaloguj się ponownie.",
        ErrorCode.EMAIL_NOT_CONFIRMED: (
            "Adres e-mail nie jest jeszcze potwierdzony. Kliknij link z wiadomości "
            "albo wyślij go ponownie."
        ),
        ErrorCode.ACCOUNT_LOCKED: (
            "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za {minutes} min."
        ),
        ErrorCode.TOKEN_INVALID: "Link jest nieprawidłowy albo został już użyty.",
        ErrorCode.TOKEN_EXPIRED: "Link wygasł. Poproś o nowy.",
        ErrorCode.WRONG_PASSWORD: "Obecne hasło jest nieprawidłowe.",
        ErrorCode.EMAIL_IN_USE: "Ten adres e-mail służy już do logowania do innego konta.",
        ErrorCode.EMAIL_UNCHANGED: "To jest już Twój adres logowania.",
        ErrorCode.PACKAGE_NOT_AVAILABLE: "Tego pakietu nie można dodać do tej usługi.",
        ErrorCode.PACKAGE_ALREADY_ACTIVE: "Ten pakiet jest już aktywny na tej usłudze.",
        ErrorCode.OFFER_NOT_FOR_PACKAGE: "Ta oferta nie dotyczy wybranego pakietu.",
        ErrorCode.OFFER_ALREADY_USED: "Z tej oferty już skorzystano.",
        ErrorCode.BASE_PACKAGE_REQUIRED: "Najpierw potrzebny jest pakiet podstawowy {base}.",
        ErrorCode.CANNOT_CANCEL_BASE: "Pakietu podstawowego nie można zrezygnować tutaj.",
        ErrorCode.NOT_A_DECODER: "To urządzenie nie jest dekoderem.",
        ErrorCode.SERVICE_SUSPENDED: "Usługa jest zawieszona.",
        ErrorCode.SERVICE_SUSPENDED_FOR_DEBT: (
            "Usługa jest zawieszona z powodu zaległych płatności. Opłać zaległe faktury, "
            "a sygnał wróci automatycznie."
        ),
        ErrorCode.COMMAND_LIMIT_REACHED: (
            "Osiągnięto limit tej operacji. Spróbuj ponownie po {retry_at}."
        ),
        ErrorCode.SIGNAL_REFRESH_NOT_AVAILABLE: (
            "Wznowienie sygnału jest możliwe tylko dla aktywnej usługi telewizji satelitarnej "
            "z kartą lub dekoderem."
        ),
        ErrorCode.COMMAND_NOT_SENT: (
            "To polecenie nie zostało przekazane operatorowi (wykonuje je symulacja)."
        ),
        ErrorCode.COMMAND_ALREADY_COMPLETED: ("To polecenie ma już inny wynik: {status}."),
        ErrorCode.NOTHING_TO_PAY: "Wybierz co najmniej jedną nieopłaconą fakturę.",
        ErrorCode.INVOICE_ALREADY_PAID: "Faktura {number} jest już opłacona.",
        ErrorCode.AMOUNT_OUT_OF_RANGE: "Kwota musi mieścić się w przedziale od {min} do {max}.",
        ErrorCode.IDEMPOTENCY_KEY_REUSED: (
            "Ten klucz płatności był już użyty dla innej płatności."
        ),
        ErrorCode.TOO_MANY_PENDING_PAYMENTS: (
            "Masz zbyt wiele rozpoczętych, niedokończonych płatności (limit: {max}). "
            "Dokończ jedną z nich albo spróbuj ponownie za {minutes} min."
        ),
        ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE: (
            "Serwis płatności nie odpowiada. Nic nie zostało pobrane; spróbuj ponownie za chwilę."
        ),
        ErrorCode.PAYMENT_IN_PROGRESS: (
            "Ta płatność jest właśnie rozpoczynana. Poczekaj chwilę i spróbuj ponownie."
        ),
        ErrorCode.INSUFFICIENT_FUNDS: (
            "Za mało środków w portmonetce. Brakuje {missing}. Doładuj portmonetkę."
        ),
        ErrorCode.TITLE_NOT_AVAILABLE: "Ta pozycja nie jest już dostępna.",
        ErrorCode.ALREADY_PURCHASED: "Ta pozycja jest już wykupiona.",
        ErrorCode.PAGE_SIZE_TOO_LARGE: "Można pobrać najwyżej {max} elementów naraz.",
        ErrorCode.INVALID_CURSOR: "Nieprawidłowy kursor stronicowania.",
        ErrorCode.QUERY_TOO_DEEP: "Zapytanie jest zbyt głębokie (najwyżej {max} poziomów, jest {found}).",
        ErrorCode.TOO_MANY_ALIASES: "Zapytanie ma za dużo aliasów (najwyżej {max}, jest {found}).",
        ErrorCode.TOO_MANY_FRAGMENT_SPREADS: (
            "Zapytanie rozwija za dużo fragmentów (najwyżej {max}, jest {found})."
        ),
        ErrorCode.TOO_MANY_DIRECTIVES: "Zapytanie ma za dużo dyrektyw (najwyżej {max}, jest {found}).",
        ErrorCode.TOO_MANY_FIELDS: "Zapytanie ma za dużo pól (najwyżej {max}, jest {found}).",
        ErrorCode.SELECTION_TOO_WIDE: (
            "Zapytanie wybiera za dużo pól w jednym miejscu (najwyżej {max}, jest {found})."
        ),
        ErrorCode.TOO_MANY_REPEATED_FIELDS: (
            "Zapytanie powtarza te same pola za często (najwyżej {max} par, jest {found})."
        ),
        ErrorCode.FRAGMENT_CYCLE: "Fragment {fragment} zawiera sam siebie.",
        ErrorCode.QUERY_TOO_COSTLY: (
            "Zapytanie jest zbyt kosztowne ({cost} przy limicie {max}): pobierz mniej naraz."
        ),
        ErrorCode.OUT_OF_RANGE: "Wartość spoza zakresu {min}–{max}.",
        ErrorCode.INVALID_DATE: (
            "Nieprawidłowa data (dzień RRRR-MM-DD, chwila ISO 8601 ze strefą, np. "
            "2026-11-30T18:00:00+01:00)."
        ),
        ErrorCode.INVALID_CHOICE: "Nieznana wartość (dozwolone: {allowed}).",
        ErrorCode.TOO_MANY: "Za dużo elementów (maksymalnie {max}).",
        ErrorCode.UNKNOWN_FIELD: "Nieznane pole.",
        ErrorCode.UNKNOWN_TYPE: "Nieznany typ obiektu (dozwolone: {allowed}).",
        ErrorCode.INVALID_JSON: "Wiersz nie jest poprawnym obiektem JSON ({detail}).",
        ErrorCode.DOCUMENT_NOT_TRUSTED: (
            "Ten serwer wykonuje tylko zarejestrowane zapytania GraphQL, a tego nie ma wśród nich."
        ),
        ErrorCode.PERSISTED_QUERY_NOT_FOUND: (
            "Nie znaleziono zarejestrowanego zapytania GraphQL o tym identyfikatorze."
        ),
        ErrorCode.UNKNOWN_REFERENCE: "Nie ma obiektu {kind} o kluczu {key}.",
        ErrorCode.DUPLICATE_KEY: (
            "Klucz {key} występuje w tej partii więcej niż raz (pierwszy raz w pozycji {first})."
        ),
        ErrorCode.IN_THE_FUTURE: "Ta chwila jeszcze nie nastąpiła.",
        ErrorCode.USAGE_NOT_METERED: "Usługa telewizji satelitarnej nie ma zużycia danych.",
        ErrorCode.PESEL_IN_USE: "Ten numer PESEL ma już inny klient.",
        ErrorCode.WRITE_CONFLICT: (
            "Zapis kolidował z równoczesną zmianą tego samego obiektu. Wyślij go ponownie."
        ),
        # the operator's catalogue (feed kinds package and title)
        ErrorCode.NOT_APPLICABLE: "To pole nie dotyczy obiektów rodzaju {kind}.",
        ErrorCode.NOT_A_BASE_PACKAGE: (
            "Pakiet {key} nie jest pakietem podstawowym usługi {service_kind}."
        ),
        ErrorCode.BASE_PACKAGE_IN_USE: (
            "Pakiet {key} jest wymagany przez dodatki, więc musi pozostać pakietem podstawowym "
            "ich usługi."
        ),
        ErrorCode.DUPLICATE_CHANNEL: "Kanał {name} występuje w pakiecie więcej niż raz.",
        ErrorCode.CONFLICTING_CHANNEL: (
            "Kanał {name} opisano w tej partii inaczej (kategoria lub HD) w pozycji {first}."
        ),
        ErrorCode.TOTALS_DO_NOT_ADD_UP: (
            "Kwoty się nie zgadzają: powinno być {expected}, podano {given} (w groszach)."
        ),
        ErrorCode.DUE_BEFORE_ISSUE: "Termin płatności jest wcześniejszy niż dzień wystawienia ({issued_on}).",
        ErrorCode.INVALID_IBAN: "To nie jest poprawny numer rachunku IBAN.",
        ErrorCode.INVOICE_PAID_LOCKED: (
            "Faktura {number} jest zapłacona: jej kwot, pozycji ani klienta nie można już zmienić, "
            "nie można jej też anulować."
        ),
        ErrorCode.INVOICE_PAYMENT_PENDING: (
            "Klient właśnie płaci fakturę {number} w portalu: jej kwot, pozycji ani klienta nie "
            "można zmienić, dopóki ta płatność się nie zakończy."
        ),
        ErrorCode.INVOICE_CANCELLED: "Faktura {number} jest anulowana.",
        ErrorCode.ENDS_BEFORE_START: "Dzień końca jest wcześniejszy niż dzień początku ({start}).",
        ErrorCode.DIFFERENT_CUSTOMER: "{key} należy do innego klienta niż ten obiekt ({kind}).",
        # icok import (JSON Lines)
        ErrorCode.LINE_TOO_LONG: "Wiersz jest za długi (maksymalnie {max} bajtów).",
        ErrorCode.INVALID_ENCODING: "Wiersz nie jest tekstem UTF-8 (błędny bajt na pozycji {position}).",
        # the feed's contracts, services, devices and subscriptions
        ErrorCode.CANNOT_CHANGE: "Tego nie można zmienić w istniejącym obiekcie (jest: {current}).",
        ErrorCode.IDENTIFIER_KIND_MISMATCH: (
            "Usługę SATELLITE_TV identyfikuje 12-cyfrowy numer karty, a usługi INTERNET "
            "i MOBILE_TV 9-cyfrowy numer telefonu."
        ),
        ErrorCode.SUSPENSION_REASON_NOT_ALLOWED: (
            "Powód zawieszenia podaje się tylko ze statusem SUSPENDED."
        ),
        ErrorCode.SERVICE_KIND_MISMATCH: (
            "Pakiet jest przeznaczony dla usług {package_kind}, a ta usługa to {service_kind}."
        ),
        ErrorCode.API_KEY_NAME_TAKEN: "Klucz API o nazwie „{name}” już istnieje.",
        ErrorCode.UNKNOWN_SCOPE: "Nieznany zakres uprawnień „{scope}” (znane: {known}).",
        ErrorCode.SCOPE_NOT_GRANTED: "Ten klucz API nie ma zakresu uprawnień {scope}.",
        ErrorCode.REFERENCE_REUSED: (
            "Odnośnik {key} został już użyty z inną treścią: nowa treść potrzebuje nowego odnośnika."
        ),
        ErrorCode.ENDS_BEFORE_BEGINS: "Koniec musi być późniejszy niż początek.",
        ErrorCode.ROLE_REQUIRED: "To wymaga roli {role} (Twoja rola: {current}).",
        ErrorCode.SECOND_FACTOR_REQUIRED: "Najpierw wpisz kod z aplikacji uwierzytelniającej.",
        ErrorCode.INVALID_SECOND_FACTOR: "Kod jest błędny, wygasł albo został już użyty.",
        ErrorCode.STAFF_EMAIL_TAKEN: "Konto pracownika z adresem {email} już istnieje.",
        ErrorCode.SECOND_FACTOR_ON: "Weryfikacja dwuetapowa jest już włączona.",
        ErrorCode.SECOND_FACTOR_OFF: "Weryfikacja dwuetapowa nie jest włączona.",
        ErrorCode.SECOND_FACTOR_NOT_STARTED: (
            "Najpierw rozpocznij włączanie weryfikacji dwuetapowej (kod QR)."
        ),
        ErrorCode.COMPLAINT_ANSWERED: "Na tę reklamację już odpowiedziano.",
        ErrorCode.COMPLAINT_DEEMED_ACCEPTED: (
            "Termin odpowiedzi minął {deadline}: reklamacja jest uznana z mocy prawa, można "
            "zapisać tylko jej uwzględnienie w całości."
        ),
        ErrorCode.AMOUNT_OVER_CLAIM: "Przyznana kwota nie może przekraczać żądanej ({max}).",
        # console: customer lookup
        ErrorCode.ONE_CUSTOMER_PER_REQUEST: "Jedno zapytanie może czytać dane tylko jednego klienta.",
        ErrorCode.ALREADY_ASSIGNED: "Tym zgłoszeniem zajmuje się już {name}.",
        ErrorCode.COMPLAINT_NOT_ANSWERED: (
            "Reklamację można oznaczyć jako załatwioną dopiero po udzieleniu odpowiedzi "
            "(uwzględniona, częściowo uwzględniona albo odrzucona)."
        ),
        # the console's security review
        ErrorCode.NOT_YOURSELF: (
            "Nie możesz tego zrobić z własnym kontem: poproś innego administratora."
        ),
        ErrorCode.LAST_ADMIN: (
            "To ostatni aktywny administrator: najpierw utwórz innego administratora "
            "(icok staff create --role admin)."
        ),
        ErrorCode.ASSIGNED_TO_OTHER: (
            "Tym zgłoszeniem zajmuje się {name}: odpowiada, zmienia status i rozpatruje "
            "reklamację tylko ta osoba (albo kierownik). Możesz dodać notatkę."
        ),
        ErrorCode.PASSWORD_CHANGE_REQUIRED: "Najpierw ustaw nowe hasło w miejsce hasła startowego.",
        ErrorCode.PASSWORD_UNCHANGED: "Nowe hasło musi być inne niż dotychczasowe.",
        # complaints: the reviewer's findings
        ErrorCode.AMOUNT_NOT_PARTIAL: (
            "Przy częściowym uwzględnieniu przyznana kwota musi być większa od zera i mniejsza "
            "od żądanej ({max}); całą kwotę przyznaje uwzględnienie w całości."
        ),
        ErrorCode.PERIOD_TOO_EARLY: (
            "Okres reklamacji może zaczynać się najwcześniej {earliest} ({why})."
        ),
        ErrorCode.COMPLAINTS_TODAY_LIMIT: (
            "W ICOK można złożyć {limit} reklamacji na dobę. Kolejną złożysz tu od {at}, a już "
            "teraz e-mailem, telefonicznie albo pisemnie: {contact}."
        ),
        # the last review (finalfix)
        ErrorCode.AMOUNT_NOT_FULL: (
            "Uwzględnienie w całości przyznaje dokładnie żądaną kwotę ({max}); inną kwotę "
            "przyznaje częściowe uwzględnienie."
        ),
        ErrorCode.AMOUNT_ON_REJECTION: "Odrzucenie reklamacji nie przyznaje żadnej kwoty.",
        ErrorCode.NO_MONEY_CLAIMED: (
            "W tej reklamacji klient nie żądał pieniędzy: nie można przyznać kwoty."
        ),
        ErrorCode.COMPLAINT_STATUS_LOCKED: (
            "Reklamacja ma już odpowiedź: zgłoszenie może mieć tylko status „czeka na klienta”, "
            "„odpowiedziano” albo „zamknięte”."
        ),
        "operator.not_authenticated": "Wymagany jest ważny klucz API operatora.",
        "request.invalid_json": (
            "Treść żądania nie jest poprawnym obiektem JSON w UTF-8 (albo jest zbyt zagnieżdżona)."
        ),
        "request.bad_request": (
            "To nie jest żądanie GraphQL, które ten serwer obsługuje: jeden obiekt JSON "
            "z zapytaniem („query”) jako tekstem, zmiennymi („variables”) jako obiektem."
        ),
        "request.not_found": "Tu nie ma strony: zapytania GraphQL wysyła się metodą POST.",
        "request.method_not_allowed": "Zapytania GraphQL wysyła się metodą POST.",
        "request.too_large": "Treść żądania może mieć najwyżej {limit} bajtów.",
        "request.unsupported_media_type": (
            "Żądania GraphQL muszą mieć typ application/json (Content-Type)."
        ),
        "request.cross_origin": "Odrzucono żądanie z innej witryny.",
        "metrics.off": "Tu nie ma strony.",
        "metrics.not_authenticated": "Metryki wymagają ważnego tokenu (Authorization: Bearer).",
        # --- why an e-mail address is invalid (INVALID_EMAIL with ``reason``; consoleux) ---
        "INVALID_SECOND_FACTOR.login": (
            "Kod jest błędny, wygasł albo został już użyty. Bez aplikacji możesz wpisać jeden z "
            "kodów odzyskiwania (każdy działa raz)."
        ),
        "INVALID_EMAIL.reserved_domain": (
            "Nieprawidłowy adres e-mail: domena jest nazwą zarezerwowaną (np. .test, .local, "
            ".invalid, .localhost), na którą nie da się wysłać poczty."
        ),
        "INVALID_EMAIL.no_dot": (
            "Nieprawidłowy adres e-mail: po znaku @ musi być domena z kropką (np. firma.pl)."
        ),
        "INVALID_EMAIL.no_local": "Nieprawidłowy adres e-mail: przed znakiem @ nic nie ma.",
        "INVALID_EMAIL.no_domain": "Nieprawidłowy adres e-mail: po znaku @ nic nie ma.",
        "INVALID_EMAIL.no_at": "Nieprawidłowy adres e-mail: brakuje znaku @.",
        "INVALID_EMAIL.two_dots": "Nieprawidłowy adres e-mail: dwie kropki pod rząd.",
        "INVALID_EMAIL.characters": (
            "Nieprawidłowy adres e-mail: zawiera niedozwolone znaki (np. spację)."
        ),
    },
    Language.EN: {
        ErrorCode.REQUIRED: "This field is required.",
        ErrorCode.TOO_LONG: "The text is too long (at most {max} characters).",
        ErrorCode.TOO_SHORT: "The text is too short (at least {min} characters).",
        ErrorCode.INVALID: "Invalid value.",
        ErrorCode.FORBIDDEN_CHARACTER: (
            "The text contains a control or text-direction character that is not allowed "
            "({character}). Remove it and try again."
        ),
        ErrorCode.NOT_FOUND: "Not found.",
        ErrorCode.NOT_AUTHENTICATED: "Please log in to continue.",
        ErrorCode.RATE_LIMITED: "Too many attempts. Try again in {minutes} min.",
        ErrorCode.SERVICE_UNAVAILABLE: (
            "The service is temporarily unavailable. Try again in a few seconds."
        ),
        ErrorCode.INVALID_PESEL: "Invalid PESEL number.",
        ErrorCode.INVALID_IDENTIFIER: (
            "Enter the 12-digit decoder card number or the 9-digit phone number of the service."
        ),
        ErrorCode.INVALID_EMAIL: "Invalid e-mail address.",
        ErrorCode.EMAILS_DO_NOT_MATCH: "The e-mail addresses do not match.",
        ErrorCode.INVALID_PHONE: "Invalid phone number.",
        ErrorCode.INVALID_POSTAL_CODE: "The postal code must look like NN-NNN.",
        ErrorCode.CUSTOMER_NOT_MATCHED: (
            "We could not find a customer with this service number and PESEL."
        ),
        ErrorCode.TERMS_NOT_ACCEPTED: "Accept the terms of service to create an account.",
        ErrorCode.CAPTCHA_INVALID: "Wrong answer to the task. Solve a new one.",
        ErrorCode.CAPTCHA_EXPIRED: "The task has expired. Solve a new one.",
        ErrorCode.CAPTCHA_PROOF_REQUIRED: "Your browser's check is missing. Reload the page and try again.",
        ErrorCode.CAPTCHA_PROOF_INVALID: "Your browser's check of the task failed. Solve a new one.",
        ErrorCode.PASSWORD_TOO_SHORT: "The password must have at least {min} characters.",
        ErrorCode.PASSWORD_TOO_LONG: "The password may have at most {max} characters.",
        ErrorCode.ONE_PASSWORD_PER_REQUEST: "One request can check or set only one password.",
        ErrorCode.PASSWORD_SCORING_BUSY: (
            "We are checking many passwords right now. Try again in a moment."
        ),
        ErrorCode.SERVER_BUSY: (
            "The server is handling very many logins right now. Try again in a few seconds."
        ),
        ErrorCode.PASSWORD_TOO_WEAK: "The password is too weak. {hint}",
        ErrorCode.PASSWORD_CONTAINS_PERSONAL_DATA: (
            "The password must not contain your own data: first name, surname, e-mail "
            "address, service or card number, customer number, PESEL or birth date."
        ),
        ErrorCode.INVALID_CREDENTIALS: "Wrong login or password.",
        ErrorCode.REFRESH_TOKEN_INVALID: "The login on this device has ended. Please log in again.",
        ErrorCode.EMAIL_NOT_CONFIRMED: (
            "Your e-mail address is not confirmed yet. Click the link in the message "
            "or send it again."
        ),
        ErrorCode.ACCOUNT_LOCKED: "Too many failed log-in attempts. Try again in {minutes} min.",
        ErrorCode.TOKEN_INVALID: "The link is invalid or has already been used.",
        ErrorCode.TOKEN_EXPIRED: "The link has expired. Ask for a new one.",
        ErrorCode.WRONG_PASSWORD: "The current password is wrong.",
        ErrorCode.EMAIL_IN_USE: "This e-mail address is already the login of another account.",
        ErrorCode.EMAIL_UNCHANGED: "This is already your login e-mail.",
        ErrorCode.PACKAGE_NOT_AVAILABLE: "This package cannot be added to this service.",
        ErrorCode.PACKAGE_ALREADY_ACTIVE: "This package is already active on this service.",
        ErrorCode.OFFER_NOT_FOR_PACKAGE: "This offer is not for the chosen package.",
        ErrorCode.OFFER_ALREADY_USED: "This offer has already been used.",
        ErrorCode.BASE_PACKAGE_REQUIRED: "The base package {base} is needed first.",
        ErrorCode.CANNOT_CANCEL_BASE: "A base package cannot be cancelled here.",
        ErrorCode.NOT_A_DECODER: "This device is not a decoder.",
        ErrorCode.SERVICE_SUSPENDED: "The service is suspended.",
        ErrorCode.SERVICE_SUSPENDED_FOR_DEBT: (
            "The service is suspended because of unpaid invoices. Pay the overdue invoices "
            "and the signal comes back automatically."
        ),
        ErrorCode.COMMAND_LIMIT_REACHED: "The limit for this action is reached. Try after {retry_at}.",
        ErrorCode.SIGNAL_REFRESH_NOT_AVAILABLE: (
            "The signal can be refreshed only for an active satellite-TV service with a card "
            "or decoder."
        ),
        ErrorCode.COMMAND_NOT_SENT: (
            "This command was not handed to the operator (the simulation carries it out)."
        ),
        ErrorCode.COMMAND_ALREADY_COMPLETED: "This command already has another outcome: {status}.",
        ErrorCode.NOTHING_TO_PAY: "Choose at least one unpaid invoice.",
        ErrorCode.INVOICE_ALREADY_PAID: "Invoice {number} is already paid.",
        ErrorCode.AMOUNT_OUT_OF_RANGE: "The amount must be between {min} and {max}.",
        ErrorCode.IDEMPOTENCY_KEY_REUSED: "This payment key was already used for another payment.",
        ErrorCode.TOO_MANY_PENDING_PAYMENTS: (
            "You already have {max} started payments that are not finished. Finish one of "
            "them or try again in {minutes} min."
        ),
        ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE: (
            "The payment service is not answering. Nothing was charged; try again in a moment."
        ),
        ErrorCode.PAYMENT_IN_PROGRESS: (
            "This payment is being started right now. Wait a moment and try again."
        ),
        ErrorCode.INSUFFICIENT_FUNDS: "Not enough money in the wallet: {missing} missing. Top it up.",
        ErrorCode.TITLE_NOT_AVAILABLE: "This item is no longer available.",
        ErrorCode.ALREADY_PURCHASED: "You already bought this item.",
        ErrorCode.PAGE_SIZE_TOO_LARGE: "At most {max} items can be fetched at once.",
        ErrorCode.INVALID_CURSOR: "Invalid pagination cursor.",
        ErrorCode.QUERY_TOO_DEEP: "The query is too deep (at most {max} levels, found {found}).",
        ErrorCode.TOO_MANY_ALIASES: "The query has too many aliases (at most {max}, found {found}).",
        ErrorCode.TOO_MANY_FRAGMENT_SPREADS: (
            "The query expands too many fragments (at most {max}, found {found})."
        ),
        ErrorCode.TOO_MANY_DIRECTIVES: (
            "The query has too many directives (at most {max}, found {found})."
        ),
        ErrorCode.TOO_MANY_FIELDS: "The query selects too many fields (at most {max}, found {found}).",
        ErrorCode.SELECTION_TOO_WIDE: (
            "The query selects too many fields in one place (at most {max}, found {found})."
        ),
        ErrorCode.TOO_MANY_REPEATED_FIELDS: (
            "The query repeats the same fields too often (at most {max} pairs, found {found})."
        ),
        ErrorCode.FRAGMENT_CYCLE: "Fragment {fragment} spreads itself.",
        ErrorCode.QUERY_TOO_COSTLY: (
            "The query is too costly ({cost}, the limit is {max}): fetch less at once."
        ),
        ErrorCode.OUT_OF_RANGE: "The value is outside {min}–{max}.",
        ErrorCode.INVALID_DATE: (
            "Invalid date (a day as YYYY-MM-DD, a moment as ISO 8601 with its offset, e.g. "
            "2026-11-30T18:00:00+01:00)."
        ),
        ErrorCode.INVALID_CHOICE: "Unknown value (allowed: {allowed}).",
        ErrorCode.TOO_MANY: "Too many items (at most {max}).",
        ErrorCode.UNKNOWN_FIELD: "Unknown field.",
        ErrorCode.UNKNOWN_TYPE: "Unknown object type (allowed: {allowed}).",
        ErrorCode.INVALID_JSON: "The line is not a valid JSON object ({detail}).",
        ErrorCode.DOCUMENT_NOT_TRUSTED: (
            "This server runs registered GraphQL documents only, and this one is not registered."
        ),
        ErrorCode.PERSISTED_QUERY_NOT_FOUND: "No registered GraphQL document has this identifier.",
        ErrorCode.UNKNOWN_REFERENCE: "There is no {kind} with the key {key}.",
        ErrorCode.DUPLICATE_KEY: (
            "The key {key} occurs more than once in this batch (first at item {first})."
        ),
        ErrorCode.IN_THE_FUTURE: "That moment has not come yet.",
        ErrorCode.USAGE_NOT_METERED: "A satellite-TV service has no data usage.",
        ErrorCode.PESEL_IN_USE: "Another customer already has this PESEL number.",
        ErrorCode.WRITE_CONFLICT: (
            "The write collided with a simultaneous change of the same object. Send it again."
        ),
        # the operator's catalogue (feed kinds package and title)
        ErrorCode.NOT_APPLICABLE: "This field does not apply to {kind} objects.",
        ErrorCode.NOT_A_BASE_PACKAGE: "Package {key} is not a base package of {service_kind}.",
        ErrorCode.BASE_PACKAGE_IN_USE: (
            "Add-ons require package {key}, so it must stay a base package of their service kind."
        ),
        ErrorCode.DUPLICATE_CHANNEL: "Channel {name} is listed more than once in the package.",
        ErrorCode.CONFLICTING_CHANNEL: (
            "Channel {name} is described differently (category or HD) by item {first} of this "
            "batch."
        ),
        ErrorCode.TOTALS_DO_NOT_ADD_UP: (
            "The amounts do not add up: it should be {expected}, given {given} (in grosze)."
        ),
        ErrorCode.DUE_BEFORE_ISSUE: "The due day is before the issue day ({issued_on}).",
        ErrorCode.INVALID_IBAN: "This is not a valid IBAN account number.",
        ErrorCode.INVOICE_PAID_LOCKED: (
            "Invoice {number} is paid: its amounts, lines and customer can no longer change, "
            "nor can it be cancelled."
        ),
        ErrorCode.INVOICE_PAYMENT_PENDING: (
            "The customer is paying invoice {number} in the portal right now: its amounts, "
            "lines and customer cannot change until that payment ends."
        ),
        ErrorCode.INVOICE_CANCELLED: "Invoice {number} is cancelled.",
        ErrorCode.ENDS_BEFORE_START: "The end day is before the start day ({start}).",
        ErrorCode.DIFFERENT_CUSTOMER: "{key} belongs to another customer than this {kind}.",
        # icok import (JSON Lines)
        ErrorCode.LINE_TOO_LONG: "The line is too long (at most {max} bytes).",
        ErrorCode.INVALID_ENCODING: "The line is not UTF-8 text (bad byte at position {position}).",
        # the feed's contracts, services, devices and subscriptions
        ErrorCode.CANNOT_CHANGE: "This cannot change for an existing object (it is {current}).",
        ErrorCode.IDENTIFIER_KIND_MISMATCH: (
            "A SATELLITE_TV service is identified by a 12-digit card number, an INTERNET or "
            "MOBILE_TV service by a 9-digit phone number."
        ),
        ErrorCode.SUSPENSION_REASON_NOT_ALLOWED: (
            "A suspension reason is given only with the status SUSPENDED."
        ),
        ErrorCode.SERVICE_KIND_MISMATCH: (
            "The package is made for {package_kind} services, this service is {service_kind}."
        ),
        ErrorCode.API_KEY_NAME_TAKEN: "An API key named '{name}' already exists.",
        ErrorCode.UNKNOWN_SCOPE: "Unknown scope '{scope}' (known: {known}).",
        ErrorCode.SCOPE_NOT_GRANTED: "This API key does not have the scope {scope}.",
        ErrorCode.REFERENCE_REUSED: (
            "The reference {key} was already used with different content: new content needs a "
            "new reference."
        ),
        ErrorCode.ENDS_BEFORE_BEGINS: "The end must be later than the beginning.",
        ErrorCode.ROLE_REQUIRED: "This needs the {role} role (your role: {current}).",
        ErrorCode.SECOND_FACTOR_REQUIRED: "Enter the code from your authenticator app first.",
        ErrorCode.INVALID_SECOND_FACTOR: "The code is wrong, has expired or was used already.",
        ErrorCode.STAFF_EMAIL_TAKEN: "A staff account with the address {email} already exists.",
        ErrorCode.SECOND_FACTOR_ON: "Two-step verification is already on.",
        ErrorCode.SECOND_FACTOR_OFF: "Two-step verification is not on.",
        ErrorCode.SECOND_FACTOR_NOT_STARTED: "Start turning on two-step verification first (QR code).",
        ErrorCode.COMPLAINT_ANSWERED: "This complaint has been answered already.",
        ErrorCode.COMPLAINT_DEEMED_ACCEPTED: (
            "The deadline passed on {deadline}: the complaint is accepted by law, only its "
            "acceptance in full can be recorded."
        ),
        ErrorCode.AMOUNT_OVER_CLAIM: "The amount granted cannot exceed the amount claimed ({max}).",
        # console: customer lookup
        ErrorCode.ONE_CUSTOMER_PER_REQUEST: "One request can read the data of one customer only.",
        ErrorCode.ALREADY_ASSIGNED: "{name} is already working on this request.",
        ErrorCode.COMPLAINT_NOT_ANSWERED: (
            "A complaint can be marked answered or closed only after its answer (accepted, "
            "partly accepted or rejected)."
        ),
        # the console's security review
        ErrorCode.NOT_YOURSELF: "You cannot do this to your own account: ask another admin.",
        ErrorCode.LAST_ADMIN: (
            "This is the last enabled admin: create another admin first "
            "(icok staff create --role admin)."
        ),
        ErrorCode.ASSIGNED_TO_OTHER: (
            "{name} is handling this request: only they (or a supervisor) reply, set its status "
            "and answer the complaint. You can add a note."
        ),
        ErrorCode.PASSWORD_CHANGE_REQUIRED: "First set a new password to replace the initial one.",
        ErrorCode.PASSWORD_UNCHANGED: "The new password must differ from the current one.",
        # complaints: the reviewer's findings
        ErrorCode.AMOUNT_NOT_PARTIAL: (
            "A partial acceptance grants more than zero and less than the amount claimed "
            "({max}); the whole amount is granted by accepting the complaint in full."
        ),
        ErrorCode.PERIOD_TOO_EARLY: "The complaint's period can start on {earliest} at the earliest ({why}).",
        ErrorCode.COMPLAINTS_TODAY_LIMIT: (
            "ICOK takes {limit} complaints a day. You can file the next one here from {at}, "
            "or right now by e-mail, phone or in writing: {contact}."
        ),
        # the last review (finalfix)
        ErrorCode.AMOUNT_NOT_FULL: (
            "Accepting in full grants exactly the amount claimed ({max}); for another amount "
            "use partly accepted."
        ),
        ErrorCode.AMOUNT_ON_REJECTION: "A rejection grants no amount.",
        ErrorCode.NO_MONEY_CLAIMED: (
            "The customer claimed no money in this complaint: no amount can be granted."
        ),
        ErrorCode.COMPLAINT_STATUS_LOCKED: (
            "The complaint has been answered: its request can only be waiting for the customer, "
            "answered or closed."
        ),
        "operator.not_authenticated": "A valid operator API key is required.",
        "request.invalid_json": (
            "The request body is not a valid UTF-8 JSON object (or it is nested too deeply)."
        ),
        "request.bad_request": (
            "This is not a GraphQL request this server serves: one JSON object with the "
            '"query" as a string and the "variables" as an object.'
        ),
        "request.not_found": "There is no page here: GraphQL queries are sent by POST.",
        "request.method_not_allowed": "GraphQL requests are sent by POST.",
        "request.too_large": "Request bodies are limited to {limit} bytes.",
        "request.unsupported_media_type": "GraphQL requests must be application/json.",
        "request.cross_origin": "Cross-origin request refused.",
        "metrics.off": "There is no page here.",
        "metrics.not_authenticated": "Metrics need a valid token (Authorization: Bearer).",
        # --- why an e-mail address is invalid (INVALID_EMAIL with ``reason``; consoleux) ---
        "INVALID_SECOND_FACTOR.login": (
            "The code is wrong, has expired or was used already. Without the app, you can type "
            "one of your recovery codes (each works once)."
        ),
        "INVALID_EMAIL.reserved_domain": (
            "Invalid e-mail address: the domain is a special-use or reserved name (such as "
            ".test, .local, .invalid, .localhost) that cannot receive mail."
        ),
        "INVALID_EMAIL.no_dot": (
            "Invalid e-mail address: the part after the @ must be a domain with a dot "
            "(e.g. company.com)."
        ),
        "INVALID_EMAIL.no_local": "Invalid e-mail address: there is nothing before the @.",
        "INVALID_EMAIL.no_domain": "Invalid e-mail address: there is nothing after the @.",
        "INVALID_EMAIL.no_at": "Invalid e-mail address: the @ is missing.",
        "INVALID_EMAIL.two_dots": "Invalid e-mail address: two dots in a row.",
        "INVALID_EMAIL.characters": (
            "Invalid e-mail address: it contains characters not allowed (such as a space)."
        ),
    },
}
