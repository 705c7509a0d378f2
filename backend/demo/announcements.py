"""Operator-wide content of the demo: broadcast messages (to every customer) and general offers
(to everyone who lacks a package). Keyed on the subject / title, so seeding twice adds nothing."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import now
from backend.demo.people import MessageSpec, OfferSpec
from backend.models import Message, Offer, Package
from backend.models.enums import MessageCategory

BROADCASTS: tuple[MessageSpec, ...] = (
    MessageSpec(
        MessageCategory.MAINTENANCE,
        "Prace serwisowe na satelicie Hot Bird 13°E",
        "W najbliższą noc z czwartku na piątek, w godzinach 1:00–4:00, operator satelity "
        "prowadzi prace serwisowe. Możliwe są krótkie przerwy w odbiorze części kanałów HD. "
        "Nie trzeba nic robić: po zakończeniu prac sygnał wróci sam.",
        days_ago=1.5,
        urgent=True,
    ),
    MessageSpec(
        MessageCategory.OFFER,
        "Gala Boksu w PPV – bilet kupisz w portmonetce",
        "Noc Mistrzów w Łodzi już wkrótce na żywo w PPV. Bilet kupisz w zakładce Płatności za "
        "środki z portmonetki, a transmisję obejrzysz na dekoderze i w TV Mobilnej.",
        days_ago=5,
    ),
    MessageSpec(
        MessageCategory.ANNOUNCEMENT,
        "Zmiana regulaminu świadczenia usług",
        "Wprowadzamy nową wersję regulaminu: doprecyzowaliśmy zasady zwrotów za VOD i "
        "płatności BLIK. Zmiany nie wpływają na ceny Twoich pakietów. Pełny tekst znajdziesz "
        "w zakładce Kontakt.",
        days_ago=24,
    ),
    MessageSpec(
        MessageCategory.SERVICE,
        "Nowe kanały w pakiecie Familijnym",
        "Do pakietu Familijnego dołączyły Polsat Doku HD, HGTV HD i Travel Channel HD. "
        "Kanały są już dostępne na Twoim dekoderze, bez dopłat.",
        days_ago=47,
    ),
)

GENERAL_OFFERS: tuple[OfferSpec, ...] = (
    OfferSpec(
        "Pakiet Sport – 3 miesiące za pół ceny",
        "Liga, siatkówka i żużel na żywo: pakiet Sport przez 3 miesiące za 17,49 zł "
        "miesięcznie, potem 34,99 zł.",
        package="SAT_SPORT",
        monthly_price=1749,
        promo_months=3,
        valid_days=60,
    ),
    OfferSpec(
        "TV Mobilna Plus na próbę",
        "34 kanały na smartfonie i tablecie: pierwszy miesiąc za 0 zł, potem 24,99 zł.",
        package="MTV_PLUS",
        monthly_price=0,
        promo_months=1,
        valid_days=40,
    ),
)


async def seed_announcements(packages: dict[str, Package]) -> None:
    at = now().replace(microsecond=0)
    for spec in BROADCASTS:
        if not await Message.filter(customer_id=None, subject=spec.subject).exists():
            await Message.create(
                customer=None,
                category=spec.category,
                subject=spec.subject,
                body=spec.body,
                urgent=spec.urgent,
                published_at=at - timedelta(days=spec.days_ago),
            )
    for offer in GENERAL_OFFERS:
        if not await Offer.filter(customer_id=None, title=offer.title).exists():
            await Offer.create(
                customer=None,
                package=packages[offer.package] if offer.package else None,
                title=offer.title,
                description=offer.description,
                monthly_price=offer.monthly_price,
                promo_months=offer.promo_months,
                valid_from=at - timedelta(days=7),
                valid_until=at + timedelta(days=offer.valid_days),
            )
