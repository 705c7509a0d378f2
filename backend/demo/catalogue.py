"""The demo operator's catalogue: channels, TV / internet / mobile-TV packages, VOD and PPV.

Prices are monthly gross amounts in grosze (what the customer sees, VAT included). These specs
become the catalogue lines of ``demo.jsonl`` (``backend.demo.feed``): packages keyed by code,
their channels by name, titles by a code made from kind and name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from backend.models import Package, Title
from backend.models.enums import PackageKind, ServiceKind, TitleKind

GB = 1024  # data limits are stored in megabytes

# name -> (category, HD). Categories are stable keys the SPA translates.
CHANNELS: dict[str, tuple[str, bool]] = {
    # general
    "TVP1 HD": ("general", True),
    "TVP2 HD": ("general", True),
    "Polsat HD": ("general", True),
    "TVN HD": ("general", True),
    "TV4 HD": ("general", True),
    "TV Puls HD": ("general", True),
    "TV6 HD": ("general", True),
    "Puls 2 HD": ("general", True),
    "Polsat 2 HD": ("general", True),
    "TVN7 HD": ("general", True),
    "TVP3": ("general", False),
    "Metro": ("general", False),
    "Zoom TV": ("general", False),
    "Nowa TV HD": ("general", True),
    "WP HD": ("general", True),
    "TTV HD": ("general", True),
    # news
    "TVP Info HD": ("news", True),
    "TVN24 HD": ("news", True),
    "TVN24 BiS HD": ("news", True),
    "Polsat News HD": ("news", True),
    "Euronews": ("news", False),
    "BBC News": ("news", False),
    "CNN International": ("news", False),
    # movies and series
    "Stopklatka HD": ("movies", True),
    "Polsat Film HD": ("movies", True),
    "TVN Fabuła HD": ("movies", True),
    "Kino Polska HD": ("movies", True),
    "AXN HD": ("movies", True),
    "Comedy Central HD": ("movies", True),
    "Paramount Network HD": ("movies", True),
    "Epic Drama HD": ("movies", True),
    "FilmBox Premium HD": ("movies", True),
    "Ale Kino+ HD": ("movies", True),
    "HBO HD": ("movies", True),
    "HBO2 HD": ("movies", True),
    "HBO3 HD": ("movies", True),
    "Cinemax HD": ("movies", True),
    "Cinemax2 HD": ("movies", True),
    "Canal+ Premium HD": ("movies", True),
    "Canal+ Film HD": ("movies", True),
    # sport
    "TVP Sport HD": ("sport", True),
    "Polsat Sport 1 HD": ("sport", True),
    "Polsat Sport 2 HD": ("sport", True),
    "Eurosport 1 HD": ("sport", True),
    "Eurosport 2 HD": ("sport", True),
    "Eleven Sports 1 HD": ("sport", True),
    "Eleven Sports 2 HD": ("sport", True),
    "Canal+ Sport HD": ("sport", True),
    "Canal+ Sport 2 HD": ("sport", True),
    "Motowizja HD": ("sport", True),
    "Extreme Sports": ("sport", False),
    # kids
    "TVP ABC": ("kids", False),
    "MiniMini+ HD": ("kids", True),
    "teleTOON+ HD": ("kids", True),
    "Nickelodeon": ("kids", False),
    "Nick Jr.": ("kids", False),
    "Cartoon Network HD": ("kids", True),
    "Boomerang": ("kids", False),
    "Disney Channel HD": ("kids", True),
    "Disney Junior": ("kids", False),
    "Polsat JimJam": ("kids", False),
    "Da Vinci": ("kids", False),
    # documentary
    "TVP Historia": ("documentary", False),
    "Discovery Channel HD": ("documentary", True),
    "Discovery Science HD": ("documentary", True),
    "National Geographic HD": ("documentary", True),
    "Nat Geo Wild HD": ("documentary", True),
    "Animal Planet HD": ("documentary", True),
    "History HD": ("documentary", True),
    "Planete+ HD": ("documentary", True),
    "BBC Earth HD": ("documentary", True),
    "Polsat Doku HD": ("documentary", True),
    "Travel Channel HD": ("documentary", True),
    "CBS Reality": ("documentary", False),
    # lifestyle and entertainment
    "TVP Kultura HD": ("lifestyle", True),
    "TVN Style HD": ("lifestyle", True),
    "TVN Turbo HD": ("lifestyle", True),
    "Polsat Café HD": ("lifestyle", True),
    "Polsat Play HD": ("lifestyle", True),
    "HGTV HD": ("lifestyle", True),
    "Food Network HD": ("lifestyle", True),
    "TLC HD": ("lifestyle", True),
    "BBC Brit HD": ("lifestyle", True),
    "Lifetime HD": ("lifestyle", True),
    # music
    "Polo TV": ("music", False),
    "Eska TV HD": ("music", True),
    "4FUN TV": ("music", False),
    "Polsat Music HD": ("music", True),
    "MTV Polska HD": ("music", True),
    "VOX Music TV": ("music", False),
}

_START = [
    "TVP1 HD", "TVP2 HD", "Polsat HD", "TVN HD", "TV4 HD", "TV Puls HD", "TV6 HD", "Puls 2 HD",
    "TVP3", "Metro", "Zoom TV", "Nowa TV HD", "WP HD", "TVP Info HD", "Polsat News HD",
    "Stopklatka HD", "TVP Sport HD", "TVP ABC", "TVP Historia", "TVP Kultura HD", "Polo TV",
    "Eska TV HD",
]  # fmt: skip
_FAMILY = [
    *_START,
    "Polsat 2 HD", "TVN7 HD", "TTV HD", "TVN24 HD", "TVN24 BiS HD", "Polsat Film HD",
    "TVN Fabuła HD", "Kino Polska HD", "AXN HD", "Comedy Central HD", "Cartoon Network HD",
    "Nickelodeon", "MiniMini+ HD", "Polsat JimJam", "Discovery Channel HD",
    "National Geographic HD", "Animal Planet HD", "History HD", "Polsat Doku HD",
    "Travel Channel HD", "CBS Reality", "TVN Style HD", "TVN Turbo HD", "Polsat Café HD",
    "Polsat Play HD", "HGTV HD", "Food Network HD", "TLC HD", "4FUN TV", "Polsat Music HD",
]  # fmt: skip
_MAX = [
    *_FAMILY,
    "Euronews", "BBC News", "CNN International", "Paramount Network HD", "Epic Drama HD",
    "FilmBox Premium HD", "Disney Channel HD", "Disney Junior", "Nick Jr.", "teleTOON+ HD",
    "Boomerang", "Da Vinci", "Discovery Science HD", "Nat Geo Wild HD", "Planete+ HD",
    "BBC Earth HD", "BBC Brit HD", "Lifetime HD", "MTV Polska HD", "VOX Music TV",
    "Polsat Sport 1 HD", "Eurosport 1 HD", "Motowizja HD",
]  # fmt: skip
_SPORT = [
    "Polsat Sport 1 HD", "Polsat Sport 2 HD", "Eurosport 1 HD", "Eurosport 2 HD",
    "Eleven Sports 1 HD", "Eleven Sports 2 HD", "Motowizja HD", "Extreme Sports",
]  # fmt: skip
_CINEMA = [
    "HBO HD", "HBO2 HD", "HBO3 HD", "Cinemax HD", "Cinemax2 HD", "FilmBox Premium HD",
    "Ale Kino+ HD", "Epic Drama HD",
]  # fmt: skip
_KIDS = [
    "MiniMini+ HD", "teleTOON+ HD", "Disney Channel HD", "Disney Junior", "Nick Jr.",
    "Boomerang", "Da Vinci", "Polsat JimJam",
]  # fmt: skip
_KNOWLEDGE = [
    "Nat Geo Wild HD", "BBC Earth HD", "Planete+ HD", "Discovery Science HD", "Travel Channel HD",
    "History HD", "CBS Reality",
]  # fmt: skip
_CANAL = ["Canal+ Premium HD", "Canal+ Film HD", "Canal+ Sport HD", "Canal+ Sport 2 HD"]
_MOBILE_START = [
    "TVP1 HD", "TVP2 HD", "Polsat HD", "TV4 HD", "TV Puls HD", "TVP Info HD", "Polsat News HD",
    "TVN24 HD", "Polsat Café HD", "Polsat Play HD", "Cartoon Network HD", "TVP ABC",
    "Eska TV HD", "Polo TV", "TVP Sport HD", "Polsat Doku HD",
]  # fmt: skip
_MOBILE_PLUS = [
    *_MOBILE_START,
    "TVN HD", "TVN7 HD", "TVN Style HD", "TVN Turbo HD", "Polsat Film HD", "Kino Polska HD",
    "AXN HD", "Comedy Central HD", "Discovery Channel HD", "National Geographic HD",
    "Animal Planet HD", "History HD", "MiniMini+ HD", "Nickelodeon", "Polsat Music HD",
    "Food Network HD", "TLC HD", "Travel Channel HD",
]  # fmt: skip
_MOBILE_SPORT = [
    "Polsat Sport 1 HD", "Polsat Sport 2 HD", "Eleven Sports 1 HD", "Eleven Sports 2 HD",
    "Eurosport 1 HD", "Eurosport 2 HD",
]  # fmt: skip


@dataclass(frozen=True)
class PackageSpec:
    code: str
    name: str
    description: str
    kind: PackageKind
    service_kind: ServiceKind
    monthly_price: int
    channels: list[str] = field(default_factory=list)
    data_limit_mb: int | None = None
    requires_base: str | None = None
    sellable: bool = True


BASE, ADDON = PackageKind.BASE, PackageKind.ADDON
SAT, NET, MTV = ServiceKind.SATELLITE_TV, ServiceKind.INTERNET, ServiceKind.MOBILE_TV

PACKAGES: list[PackageSpec] = [
    PackageSpec(
        "SAT_START", "Start", "Najważniejsze kanały ogólnopolskie, informacje i TVP Sport.",
        BASE, SAT, 2999, _START,
    ),
    PackageSpec(
        "SAT_FAMILY", "Familijny",
        "Kanały dla całej rodziny: filmy, seriale, bajki, dokument i lifestyle.",
        BASE, SAT, 5499, _FAMILY,
    ),
    PackageSpec(
        "SAT_MAX", "Maksymalny",
        "Wszystko z pakietu Familijnego oraz kanały informacyjne świata, premium dokument "
        "i pierwsze kanały sportowe.",
        BASE, SAT, 8999, _MAX,
    ),
    PackageSpec(
        "SAT_SPORT", "Sport", "Liga, tenis, siatkówka, żużel i sporty motorowe na żywo.",
        ADDON, SAT, 3499, _SPORT,
    ),
    PackageSpec(
        "SAT_CINEMA", "Kino+", "Premiery filmowe i najgłośniejsze seriale HBO i Cinemax.",
        ADDON, SAT, 2999, _CINEMA,
    ),
    PackageSpec(
        "SAT_KIDS", "Dzieci", "Bajki i programy edukacyjne bez reklam dla najmłodszych.",
        ADDON, SAT, 999, _KIDS,
    ),
    PackageSpec(
        "SAT_KNOWLEDGE", "Wiedza i Świat", "Przyroda, podróże, historia i nauka.",
        ADDON, SAT, 1299, _KNOWLEDGE,
    ),
    PackageSpec(
        "SAT_CANAL", "Canal+ Prestige",
        "Canal+ Premium, Canal+ Film i Canal+ Sport. Dostępny do pakietu Maksymalnego.",
        ADDON, SAT, 4999, _CANAL, requires_base="SAT_MAX",
    ),
    PackageSpec(
        "NET_LTE_30", "Internet LTE 30 GB", "Internet mobilny LTE z limitem 30 GB miesięcznie.",
        BASE, NET, 3999, data_limit_mb=30 * GB,
    ),
    PackageSpec(
        "NET_5G_150", "Internet 5G 150 GB", "Internet 5G z limitem 150 GB miesięcznie.",
        BASE, NET, 5999, data_limit_mb=150 * GB,
    ),
    PackageSpec(
        "NET_5G_500", "Internet 5G 500 GB", "Internet 5G z limitem 500 GB miesięcznie.",
        BASE, NET, 8499, data_limit_mb=500 * GB,
    ),
    PackageSpec(
        "NET_EXTRA_50", "Dodatkowe 50 GB", "Pakiet danych +50 GB co miesiąc do każdego planu.",
        ADDON, NET, 1999, data_limit_mb=50 * GB,
    ),
    PackageSpec(
        "MTV_START", "TV Mobilna Start", "16 kanałów na smartfonie i tablecie.",
        BASE, MTV, 1499, _MOBILE_START,
    ),
    PackageSpec(
        "MTV_PLUS", "TV Mobilna Plus", "34 kanały na smartfonie i tablecie, także za granicą w UE.",
        BASE, MTV, 2499, _MOBILE_PLUS,
    ),
    PackageSpec(
        "MTV_SPORT", "TV Mobilna Sport", "Kanały sportowe na smartfonie i tablecie.",
        ADDON, MTV, 1499, _MOBILE_SPORT,
    ),
    PackageSpec(
        "SAT_CLASSIC", "Klasyczny (oferta archiwalna)",
        "Pakiet z wcześniejszej oferty, niedostępny dla nowych zamówień.",
        BASE, SAT, 3999, _START[:14], sellable=False,
    ),
]  # fmt: skip


@dataclass(frozen=True)
class TitleSpec:
    kind: TitleKind
    name: str
    description: str
    genre: str
    price: int
    year: int | None = None
    duration_minutes: int | None = None
    featured: bool = False
    starts_in_days: int | None = None
    """PPV only: days from today to the event (negative for a past event)."""
    starts_at_hour: int = 19


VOD, PPV = TitleKind.VOD, TitleKind.PPV

TITLES: list[TitleSpec] = [
    TitleSpec(VOD, "Kod Bałtyku", "Oficer straży granicznej trafia na ślad przemytu, który "
              "prowadzi do jej własnej rodziny.", "thriller", 1999, 2025, 121, featured=True),
    TitleSpec(VOD, "Cicha noc na Mazurach", "Świąteczny zjazd rodzinny w starym pensjonacie "
              "wymyka się spod kontroli.", "comedy", 1499, 2024, 108, featured=True),
    TitleSpec(VOD, "Smok z Wawelu: Powrót", "Animowana przygoda dla całej rodziny pod "
              "krakowskim wzgórzem.", "animation", 1299, 2025, 89, featured=True),
    TitleSpec(VOD, "Ostatni kurs do Zakopanego", "Kierowca nocnego autobusu i pięcioro "
              "pasażerów, których łączy więcej, niż myślą.", "comedy", 999, 2023, 97),
    TitleSpec(VOD, "Wilki z Bieszczad", "Rok z życia watahy w najdzikszym zakątku Polski.",
              "documentary", 799, 2024, 84),
    TitleSpec(VOD, "Orzeł i reszka", "Dwaj bracia, jeden napad i wygrana, której nikt nie "
              "chce oddać.", "crime", 999, 2022, 115),
    TitleSpec(VOD, "Sąsiedzi z trzeciego piętra", "Komedia o remoncie, który połączył cały "
              "blok.", "comedy", 999, 2024, 94),
    TitleSpec(VOD, "Przełęcz", "Wyprawa ratunkowa w Tatrach podczas najgorszej zimy od lat.",
              "adventure", 1199, 2023, 131),
    TitleSpec(PPV, "Gala Boksu: Noc Mistrzów w Łodzi", "Walka wieczoru o pas mistrza Europy "
              "wagi ciężkiej i sześć walk w karcie głównej.", "sport", 3999,
              duration_minutes=240, featured=True, starts_in_days=9, starts_at_hour=19),
    TitleSpec(PPV, "MMA Arena 47: Kowal vs. Durczak", "Rewanż roku w kategorii półśredniej.",
              "sport", 2999, duration_minutes=300, featured=True, starts_in_days=16,
              starts_at_hour=18),
    TitleSpec(PPV, "Koncert Gwiazd na Śnieżce", "Plenerowy koncert z udziałem "
              "największych gwiazd polskiej sceny.", "music", 1999, duration_minutes=180,
              starts_in_days=38, starts_at_hour=20),
    TitleSpec(PPV, "Mecz towarzyski: Polska – Czechy", "Retransmisja meczu reprezentacji z "
              "komentarzem na żywo.", "sport", 2499, duration_minutes=120, starts_in_days=-20,
              starts_at_hour=18),
]  # fmt: skip

VOD_AVAILABLE_DAYS = 180


def title_code(spec: TitleSpec) -> str:
    """The operator's code of a demo title: its kind and name in ASCII (``VOD-PRZELECZ``)."""
    ascii_name = unicodedata.normalize("NFKD", spec.name.replace("ł", "l").replace("Ł", "L"))
    words = "".join(
        c if c.isalnum() else " " for c in ascii_name.encode("ascii", "ignore").decode()
    )
    return f"{spec.kind.name}-{'-'.join(words.upper().split())}"[:32].rstrip("-")


@dataclass
class Catalogue:
    """The demo catalogue as stored (imported from ``demo.jsonl``): packages by code, titles by
    name."""

    packages: dict[str, Package]
    titles: dict[str, Title]


async def load_catalogue() -> Catalogue:
    """The stored demo packages and titles, found by the operator's codes."""
    codes = {title_code(spec): spec.name for spec in TITLES}
    return Catalogue(
        packages={p.code: p for p in await Package.filter(code__in=[s.code for s in PACKAGES])},
        titles={codes[str(t.code)]: t for t in await Title.filter(code__in=list(codes))},
    )
