"""The demo customers, described as data (the builder in ``customers.py`` turns them into rows).

Four customers with different mixes:

- **A** Tomasz Wiśniewski: satellite TV only, long-standing, indefinite contract, ready to register;
- **B** Anna Kowalska: TV + internet + mobile TV, wallet history, a confirmed web account;
- **C** Piotr Zieliński: overdue invoices, satellite TV suspended for debt, ready to register;
- **D** Katarzyna Wójcik: contract ending within 30 days, ready to register.

Every date is relative to today (in days, or in whole billing months), so the demo always looks
current. Message texts may use ``{contract_number}``, ``{contract_end}``, ``{overdue_total}``, ``{latest_invoice}``,
``{latest_due}`` and ``{latest_total}``, filled in when the customer is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from backend.models.enums import (
    AuditKind,
    CommandKind,
    CommandStatus,
    ContactStatus,
    ContactTopic,
    DeviceKind,
    Language,
    MessageCategory,
    Ownership,
    PaymentMethod,
    ReplyAuthor,
    ServiceKind,
    WalletTransactionKind,
)

DEMO_EMAIL = "anna.kowalska@example.com"
DEMO_PASSWORD = "Dekoder-Satelita-2026"
TERMS_VERSION = "2026-01"


@dataclass(frozen=True)
class ContractSpec:
    number: str
    """With {year}: the year it was signed (so numbers stay plausible as the dates move)."""
    signed_days_ago: int
    ends_in_days: int | None = None
    """None: indefinite (the fixed term is over, or it never had one)."""


@dataclass(frozen=True)
class CommandSpec:
    kind: CommandKind
    days_ago: int
    status: CommandStatus = CommandStatus.DONE
    failure_reason: str = ""


@dataclass(frozen=True)
class DeviceSpec:
    kind: DeviceKind
    model: str
    serial_number: str
    ownership: Ownership = Ownership.LEASED
    commands: tuple[CommandSpec, ...] = ()


@dataclass(frozen=True)
class SubscriptionSpec:
    code: str
    started_days_ago: int | None = None
    """None: since the service was activated."""
    ended_months_ago: int | None = None
    """Cancelled: ended on the last day of the month this many months ago."""


@dataclass(frozen=True)
class ServiceSpec:
    kind: ServiceKind
    identifier: str
    name: str
    contract: int
    """Index into the customer's contracts."""
    subscriptions: tuple[SubscriptionSpec, ...]
    devices: tuple[DeviceSpec, ...] = ()
    activated_days_after_signing: int = 3
    suspended_for_debt: bool = False
    daily_usage_mb: int = 0
    """Internet only: typical data per day (usage rows for this and the two previous months)."""


@dataclass(frozen=True)
class LedgerSpec:
    """A wallet movement: a top-up (paid by ``method``), a purchase or a refund of ``title``."""

    kind: WalletTransactionKind
    days_ago: float
    amount: int = 0
    """Top-ups only: the amount in grosze. Purchases and refunds take the title's price."""
    title: str = ""
    method: PaymentMethod = PaymentMethod.BLIK


@dataclass(frozen=True)
class MessageSpec:
    category: MessageCategory
    subject: str
    body: str
    days_ago: float = 0
    urgent: bool = False
    read: bool = False
    when: str = ""
    """Instead of days_ago: "invoice" (when the latest invoice was issued) or "suspension"."""


@dataclass(frozen=True)
class OfferSpec:
    title: str
    description: str
    package: str | None
    monthly_price: int | None
    promo_months: int
    valid_days: int


@dataclass(frozen=True)
class ContactSpec:
    topic: ContactTopic
    subject: str
    body: str
    days_ago: float
    status: ContactStatus
    replies: tuple[tuple[ReplyAuthor, str, float], ...] = ()


@dataclass(frozen=True)
class AuditSpec:
    kind: AuditKind
    days_ago: float
    ip: str = "83.24.117.52"
    user_agent: str = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0 Safari/537.36"
    )
    details: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CustomerSpec:
    key: str
    number: str
    first_name: str
    last_name: str
    born: date
    female: bool
    pesel_serial: int
    email: str
    phone: str
    street: str
    postal_code: str
    city: str
    invoice_seq: int
    """The customer's running number in the monthly invoice series FV/yyyy/mm/nnnnnn."""
    contracts: tuple[ContractSpec, ...]
    services: tuple[ServiceSpec, ...]
    pays_days_after_issue: int
    """When this customer usually pays an invoice (an invoice whose day has not come is unpaid)."""
    payment_method: PaymentMethod
    overdue_months: int = 0
    """How many of the latest invoices stay unpaid whatever their due date (arrears)."""
    consent_email: bool = False
    consent_sms: bool = False
    consent_phone: bool = False
    language: Language = Language.PL
    has_account: bool = False
    wallet: tuple[LedgerSpec, ...] = ()
    messages: tuple[MessageSpec, ...] = ()
    read_broadcasts: tuple[str, ...] = ()
    offers: tuple[OfferSpec, ...] = ()
    contact_requests: tuple[ContactSpec, ...] = ()
    audit: tuple[AuditSpec, ...] = ()


TOP_UP, PURCHASE, REFUND = (
    WalletTransactionKind.TOP_UP,
    WalletTransactionKind.PURCHASE,
    WalletTransactionKind.REFUND,
)
SAT, NET, MTV = ServiceKind.SATELLITE_TV, ServiceKind.INTERNET, ServiceKind.MOBILE_TV


def _invoice_ready(read: bool) -> MessageSpec:
    return MessageSpec(
        MessageCategory.BILLING,
        "Nowa faktura {latest_invoice}",
        "Wystawiliśmy fakturę {latest_invoice} na kwotę {latest_total}, z terminem płatności "
        "{latest_due}. Możesz ją pobrać i opłacić w zakładce Płatności.",
        when="invoice",
        read=read,
    )


CUSTOMERS: tuple[CustomerSpec, ...] = (
    CustomerSpec(
        key="A",
        number="K10482715",
        first_name="Tomasz",
        last_name="Wiśniewski",
        born=date(1978, 3, 14),
        female=False,
        pesel_serial=457,
        email="tomasz.wisniewski@example.com",
        phone="601234587",
        street="ul. Długa 12/4",
        postal_code="31-147",
        city="Kraków",
        invoice_seq=12841,
        contracts=(ContractSpec("UM/{year}/104827", signed_days_ago=2430),),
        services=(
            ServiceSpec(
                SAT,
                "301874526013",
                "Telewizja satelitarna – salon",
                contract=0,
                subscriptions=(
                    SubscriptionSpec("SAT_FAMILY"),
                    SubscriptionSpec("SAT_KIDS", started_days_ago=250),
                    SubscriptionSpec("SAT_CINEMA", ended_months_ago=5),
                ),
                devices=(
                    DeviceSpec(
                        DeviceKind.DECODER, "EVOBOX HD (Samsung SMT-S7800)", "EVB-HD-7745120"
                    ),
                    DeviceSpec(DeviceKind.SMART_CARD, "Karta Conax CAS7", "301874526013"),
                ),
            ),
        ),
        pays_days_after_issue=11,
        payment_method=PaymentMethod.TRANSFER,
        consent_email=True,
        wallet=(),
        messages=(
            MessageSpec(
                MessageCategory.SERVICE,
                "Pakiet Kino+ zakończony",
                "Zgodnie z dyspozycją pakiet Kino+ został wyłączony z końcem okresu "
                "rozliczeniowego. Możesz go ponownie dodać w każdej chwili w zakładce Usługi.",
                days_ago=140,
                read=True,
            ),
            _invoice_ready(read=False),
        ),
        read_broadcasts=("Zmiana regulaminu świadczenia usług",),
        offers=(
            OfferSpec(
                "Internet 5G 150 GB za pół ceny przez 6 miesięcy",
                "Dla klientów telewizji satelitarnej: internet 5G z routerem w zestawie, "
                "przez pierwsze pół roku za 29,99 zł miesięcznie.",
                package="NET_5G_150",
                monthly_price=2999,
                promo_months=6,
                valid_days=45,
            ),
        ),
    ),
    CustomerSpec(
        key="B",
        number="K10527391",
        first_name="Anna",
        last_name="Kowalska",
        born=date(1986, 7, 22),
        female=True,
        pesel_serial=812,
        email=DEMO_EMAIL,
        phone="693481207",
        street="ul. Marszałkowska 84/12",
        postal_code="00-514",
        city="Warszawa",
        invoice_seq=12842,
        contracts=(
            ContractSpec("UM/{year}/527391", signed_days_ago=400, ends_in_days=330),
            ContractSpec("UM/{year}/527391-2", signed_days_ago=220, ends_in_days=510),
        ),
        services=(
            ServiceSpec(
                SAT,
                "302519846732",
                "Telewizja satelitarna",
                contract=0,
                subscriptions=(
                    SubscriptionSpec("SAT_MAX"),
                    SubscriptionSpec("SAT_SPORT", started_days_ago=118),
                    SubscriptionSpec("SAT_CINEMA"),
                ),
                devices=(
                    DeviceSpec(
                        DeviceKind.DECODER,
                        "EVOBOX PVR 4K",
                        "EVB-4K-2291045",
                        commands=(
                            CommandSpec(CommandKind.PIN_RESET, days_ago=41),
                            CommandSpec(CommandKind.SIGNAL_REFRESH, days_ago=3),
                        ),
                    ),
                    DeviceSpec(DeviceKind.SMART_CARD, "Karta Conax CAS7", "302519846732"),
                ),
            ),
            ServiceSpec(
                NET,
                "512384761",
                "Internet domowy 5G",
                contract=1,
                subscriptions=(SubscriptionSpec("NET_5G_150"),),
                devices=(
                    DeviceSpec(DeviceKind.ROUTER, "ZTE MF289F 5G", "ZTE-289F-64A1C3907"),
                    DeviceSpec(DeviceKind.SIM_CARD, "Karta SIM 5G", "8948031225123847610"),
                ),
                daily_usage_mb=3100,
            ),
            ServiceSpec(
                MTV,
                "609147382",
                "TV Mobilna",
                contract=1,
                subscriptions=(SubscriptionSpec("MTV_PLUS"),),
            ),
        ),
        pays_days_after_issue=3,
        payment_method=PaymentMethod.BLIK,
        consent_email=True,
        consent_sms=True,
        has_account=True,
        wallet=(
            LedgerSpec(TOP_UP, 63, amount=6000, method=PaymentMethod.CARD),
            LedgerSpec(PURCHASE, 62.9, title="Kod Bałtyku"),
            LedgerSpec(PURCHASE, 21.2, title="Mecz towarzyski: Polska – Czechy"),
            LedgerSpec(PURCHASE, 15.1, title="Ostatni kurs do Zakopanego"),
            LedgerSpec(REFUND, 14.8, title="Ostatni kurs do Zakopanego"),
            LedgerSpec(TOP_UP, 10, amount=3000, method=PaymentMethod.BLIK),
            LedgerSpec(PURCHASE, 0.8, title="Cicha noc na Mazurach"),
        ),
        messages=(
            MessageSpec(
                MessageCategory.SERVICE,
                "Pakiet Sport został dodany",
                "Pakiet Sport jest aktywny na karcie 302519846732. Pierwsza opłata pojawi się "
                "na najbliższej fakturze proporcjonalnie do liczby dni.",
                days_ago=118,
                read=True,
            ),
            MessageSpec(
                MessageCategory.SERVICE,
                "Zwrot za wypożyczenie VOD",
                "Zwróciliśmy 9,99 zł do portmonetki za film „Ostatni kurs do Zakopanego”, "
                "którego nie udało się odtworzyć. Przepraszamy za kłopot.",
                days_ago=14.8,
                read=True,
            ),
            _invoice_ready(read=True),
        ),
        read_broadcasts=(
            "Zmiana regulaminu świadczenia usług",
            "Nowe kanały w pakiecie Familijnym",
        ),
        offers=(
            OfferSpec(
                "Canal+ Prestige: 3 miesiące za 1 zł",
                "Do Twojego pakietu Maksymalnego: Canal+ Premium, Canal+ Film i Canal+ Sport "
                "przez 3 miesiące za 1 zł, potem 49,99 zł miesięcznie.",
                package="SAT_CANAL",
                monthly_price=100,
                promo_months=3,
                valid_days=30,
            ),
        ),
        contact_requests=(
            ContactSpec(
                ContactTopic.TECHNICAL,
                "Brak sygnału na części kanałów po burzy",
                "Dzień dobry, od wczorajszej burzy nie działają kanały HBO i Eurosport, "
                "pozostałe są w porządku. Dekoder był restartowany. Proszę o pomoc.",
                days_ago=4,
                status=ContactStatus.ANSWERED,
                replies=(
                    (
                        ReplyAuthor.OPERATOR,
                        "Dzień dobry, ponownie wysłaliśmy uprawnienia na kartę 302519846732. "
                        "Prosimy zostawić dekoder włączony na kanale TVP1 przez 15 minut. Jeśli "
                        "problem wróci, prosimy o kontakt – umówimy wizytę serwisanta.",
                        3.1,
                    ),
                    (ReplyAuthor.CUSTOMER, "Wszystko działa, dziękuję!", 2.9),
                ),
            ),
        ),
        audit=(
            AuditSpec(AuditKind.ACCOUNT_REGISTERED, 395),
            AuditSpec(AuditKind.EMAIL_CONFIRMED, 394.9),
            AuditSpec(AuditKind.PACKAGE_ADDED, 118, details={"package": "SAT_SPORT"}),
            AuditSpec(AuditKind.PIN_RESET, 41, details={"device": "EVB-4K-2291045"}),
            AuditSpec(
                AuditKind.LOGIN_FAILED,
                10.02,
                ip="83.24.117.52",
                user_agent="ICOK/3.4 (Android 15; Pixel 8)",
            ),
            AuditSpec(AuditKind.LOGIN, 10, user_agent="ICOK/3.4 (Android 15; Pixel 8)"),
            AuditSpec(AuditKind.PAYMENT_SETTLED, 9.99, details={"purpose": "wallet_top_up"}),
            AuditSpec(AuditKind.SIGNAL_REFRESH, 3, details={"device": "EVB-4K-2291045"}),
            AuditSpec(AuditKind.LOGIN, 0.8),
            AuditSpec(AuditKind.WALLET_PURCHASE, 0.8, details={"title": "Cicha noc na Mazurach"}),
        ),
    ),
    CustomerSpec(
        key="C",
        number="K10633058",
        first_name="Piotr",
        last_name="Zieliński",
        born=date(1991, 11, 5),
        female=False,
        pesel_serial=239,
        email="piotr.zielinski@example.net",
        phone="731502914",
        street="ul. Grunwaldzka 215/7",
        postal_code="80-266",
        city="Gdańsk",
        invoice_seq=12843,
        contracts=(ContractSpec("UM/{year}/633058", signed_days_ago=1100),),
        services=(
            ServiceSpec(
                SAT,
                "303746150928",
                "Telewizja satelitarna",
                contract=0,
                subscriptions=(SubscriptionSpec("SAT_FAMILY"), SubscriptionSpec("SAT_SPORT")),
                devices=(
                    DeviceSpec(DeviceKind.DECODER, "Thomson THS 846", "THS-846-0391772"),
                    DeviceSpec(DeviceKind.SMART_CARD, "Karta Conax CAS7", "303746150928"),
                ),
                suspended_for_debt=True,
            ),
            ServiceSpec(
                NET,
                "731502648",
                "Internet LTE",
                contract=0,
                subscriptions=(SubscriptionSpec("NET_LTE_30"),),
                devices=(
                    DeviceSpec(
                        DeviceKind.MODEM,
                        "Huawei B535-232 LTE",
                        "HW-B535-3K9F21044",
                        ownership=Ownership.OWNED,
                    ),
                    DeviceSpec(DeviceKind.SIM_CARD, "Karta SIM LTE", "8948031219731502648"),
                ),
                activated_days_after_signing=30,
                daily_usage_mb=800,
            ),
        ),
        pays_days_after_issue=13,
        payment_method=PaymentMethod.CARD,
        overdue_months=3,
        wallet=(
            LedgerSpec(TOP_UP, 120, amount=2000, method=PaymentMethod.CARD),
            LedgerSpec(PURCHASE, 119.9, title="Orzeł i reszka"),
        ),
        messages=(
            MessageSpec(
                MessageCategory.BILLING,
                "Przypomnienie o zaległej płatności",
                "Nie odnotowaliśmy wpłaty za fakturę z poprzedniego okresu. Prosimy o "
                "uregulowanie zaległości ({overdue_total}), aby uniknąć zawieszenia usług.",
                days_ago=38,
                read=True,
            ),
            MessageSpec(
                MessageCategory.BILLING,
                "Telewizja zawieszona z powodu zaległości",
                "Usługa telewizji satelitarnej na karcie 303746150928 została zawieszona z "
                "powodu nieopłaconych faktur. Zaległość: {overdue_total}. Po opłaceniu faktur "
                "w zakładce Płatności sygnał wróci automatycznie w ciągu kilku minut.",
                when="suspension",
                urgent=True,
            ),
            _invoice_ready(read=False),
        ),
        offers=(),
    ),
    CustomerSpec(
        key="D",
        number="K10715264",
        first_name="Katarzyna",
        last_name="Wójcik",
        born=date(2001, 2, 9),
        female=True,
        pesel_serial=645,
        email="katarzyna.wojcik@example.org",
        phone="884215093",
        street="os. Bolesława Chrobrego 18/33",
        postal_code="60-681",
        city="Poznań",
        invoice_seq=12844,
        contracts=(ContractSpec("UM/{year}/715264", signed_days_ago=712, ends_in_days=18),),
        services=(
            ServiceSpec(
                SAT,
                "304682917354",
                "Telewizja satelitarna",
                contract=0,
                subscriptions=(SubscriptionSpec("SAT_START"),),
                devices=(
                    DeviceSpec(DeviceKind.DECODER, "EVOBOX LITE", "EVB-LT-1180362"),
                    DeviceSpec(DeviceKind.SMART_CARD, "Karta Conax CAS7", "304682917354"),
                ),
            ),
            ServiceSpec(
                MTV,
                "884215637",
                "TV Mobilna",
                contract=0,
                subscriptions=(SubscriptionSpec("MTV_START"), SubscriptionSpec("MTV_SPORT")),
            ),
        ),
        pays_days_after_issue=9,
        payment_method=PaymentMethod.CARD,
        consent_email=True,
        consent_sms=True,
        consent_phone=True,
        wallet=(
            LedgerSpec(TOP_UP, 6, amount=4000, method=PaymentMethod.BLIK),
            LedgerSpec(PURCHASE, 5.9, title="MMA Arena 47: Kowal vs. Durczak"),
        ),
        messages=(
            MessageSpec(
                MessageCategory.SERVICE,
                "Twoja umowa wkrótce się kończy",
                "Umowa {contract_number} obowiązuje do {contract_end}. Sprawdź ofertę "
                "przedłużenia w zakładce Oferta dla Ciebie – pakiet Familijny w cenie "
                "pakietu Start przez 24 miesiące.",
                days_ago=12,
                urgent=True,
            ),
            _invoice_ready(read=True),
        ),
        read_broadcasts=("Zmiana regulaminu świadczenia usług",),
        offers=(
            OfferSpec(
                "Przedłuż umowę: Familijny w cenie Start",
                "Przedłuż umowę na 24 miesiące i oglądaj pakiet Familijny za 29,99 zł "
                "miesięcznie. Oferta ważna do końca obecnej umowy.",
                package="SAT_FAMILY",
                monthly_price=2999,
                promo_months=24,
                valid_days=18,
            ),
        ),
        contact_requests=(
            ContactSpec(
                ContactTopic.CONTRACT,
                "Przedłużenie umowy",
                "Chciałabym przedłużyć umowę, ale zostać przy TV Mobilnej. Czy mogę zmienić "
                "pakiet satelitarny przy przedłużeniu?",
                days_ago=1.5,
                status=ContactStatus.NEW,
            ),
        ),
    ),
)
