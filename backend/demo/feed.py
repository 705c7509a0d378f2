"""The demo operator's data as the operator's feed: ``demo.jsonl``, loaded through ``icok
import``'s own path (:mod:`backend.importer`).

The file holds what the feed has kinds for and that does not depend on the day it is loaded:
the catalogue (packages with their channels, VOD titles and PPV events), the customers, their
contracts, services, devices and subscriptions. What the feed has no kind for (payments, wallet
history, messages, offers, contact requests, device commands, audit events, the demo login) and
what follows from the day of loading (twelve months of invoices numbered by their month, which of
them are already paid through the portal, this month's data usage so far, a service suspended
three weeks after an invoice went unpaid) is written by ``backend/demo/customers.py`` and
``history.py`` after the import, finding the rows by the operator's keys.

**The file and its dates.** ``demo.jsonl`` is generated from the specs (``people.py``,
``catalogue.py``) as they stand on :data:`FILE_DAY`::

    python -m backend.demo            # rewrite backend/demo/demo.jsonl
    python -m backend.demo --check    # exit 1 if it differs from the specs

(a test checks that the shipped file is up to date). Loading moves :data:`FILE_DAY` to the
*load day*: today on a first load, and on a later run the day of the first load (read back from
the first contract's signing day), so a re-run finds every object unchanged. The transform
(:func:`shifted`), by type and field:

- days (a contract's ``signedOn``/``endsOn``, a service's ``activatedOn``, a device's
  ``installedOn``, a subscription's ``startsOn``) move by the whole days between the two days;
- a subscription's ``endsOn`` (the last day of a month: packages end with a billing month)
  moves by the whole months between the two days' months, and stays a month's last day;
- moments (a title's ``eventStartsAt``, ``availableUntil``) move by the same whole days in
  Warsaw wall time (a PPV event at 19:00 stays at 19:00, summer or winter).

Keys do not change: a contract number keeps the year it was given in the file.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

from backend.clock import OPERATOR_ZONE, at_local, today
from backend.config import Settings
from backend.demo.catalogue import CHANNELS, PACKAGES, TITLES, VOD_AVAILABLE_DAYS, title_code
from backend.demo.dates import add_months
from backend.demo.people import CUSTOMERS, CustomerSpec, ServiceSpec
from backend.importer import Importer, ImportSummary, Rejection
from backend.models import Contract
from backend.services.feed import Writer
from backend.services.identifiers import make_pesel
from backend.services.request import SYSTEM

FILE_DAY = date(2026, 6, 15)
"""The day the shipped file's dates were computed for (the marker day loading moves)."""
FILE_NAME = "demo.jsonl"
WRITER = Writer(f"import:{FILE_NAME}", SYSTEM)

DAY_FIELDS: dict[str, tuple[str, ...]] = {
    "contract": ("signedOn", "endsOn"),
    "service": ("activatedOn",),
    "device": ("installedOn",),
    "subscription": ("startsOn",),
}
MONTH_END_FIELDS: dict[str, tuple[str, ...]] = {"subscription": ("endsOn",)}
INSTANT_FIELDS: dict[str, tuple[str, ...]] = {"title": ("eventStartsAt", "availableUntil")}


# --- the file, generated from the specs -----------------------------------------------------


def objects(day: date) -> Iterator[dict[str, Any]]:
    """The demo's feed objects (camelCase, as in the file) as they stand on ``day``."""
    yield from _packages()
    yield from _titles(day)
    for spec in CUSTOMERS:
        yield from _customer(spec, day)


def _packages() -> Iterator[dict[str, Any]]:
    for position, spec in enumerate(PACKAGES, start=1):
        package: dict[str, Any] = {
            "type": "package",
            "code": spec.code,
            "name": spec.name,
            "description": spec.description,
            "kind": spec.kind.name,
            "serviceKind": spec.service_kind.name,
            "monthlyPrice": spec.monthly_price,
            "sellable": spec.sellable,
            "position": position * 10,
        }
        if spec.data_limit_mb is not None:
            package["dataLimitMb"] = spec.data_limit_mb
        if spec.requires_base:
            package["requiresBase"] = spec.requires_base
        if spec.channels:
            package["channels"] = [
                {"name": name, "category": CHANNELS[name][0], "hd": CHANNELS[name][1]}
                for name in dict.fromkeys(spec.channels)
            ]
        yield package


def _titles(day: date) -> Iterator[dict[str, Any]]:
    for spec in TITLES:
        title: dict[str, Any] = {
            "type": "title",
            "code": title_code(spec),
            "kind": spec.kind.name,
            "name": spec.name,
            "description": spec.description,
            "genre": spec.genre,
            "price": spec.price,
            "featured": spec.featured,
        }
        if spec.year is not None:
            title["year"] = spec.year
        if spec.duration_minutes is not None:
            title["durationMinutes"] = spec.duration_minutes
        if spec.starts_in_days is not None:
            starts = at_local(day + timedelta(days=spec.starts_in_days), spec.starts_at_hour)
            title["eventStartsAt"] = starts.isoformat()
            until = starts + timedelta(minutes=spec.duration_minutes or 120, days=2)
        else:
            title["rentalHours"] = 48
            until = at_local(day + timedelta(days=VOD_AVAILABLE_DAYS), 0)
        title["availableUntil"] = until.isoformat()
        yield title


def contract_number(spec: CustomerSpec, index: int, day: date) -> str:
    contract = spec.contracts[index]
    return contract.number.format(year=(day - timedelta(days=contract.signed_days_ago)).year)


def activated_on(spec: CustomerSpec, service: ServiceSpec, day: date) -> date:
    signed = day - timedelta(days=spec.contracts[service.contract].signed_days_ago)
    return signed + timedelta(days=service.activated_days_after_signing)


def _customer(spec: CustomerSpec, day: date) -> Iterator[dict[str, Any]]:
    yield {
        "type": "customer",
        "number": spec.number,
        "firstName": spec.first_name,
        "lastName": spec.last_name,
        "pesel": make_pesel(spec.born, spec.pesel_serial, spec.female),
        "email": spec.email,
        "phone": spec.phone,
        "street": spec.street,
        "postalCode": spec.postal_code,
        "city": spec.city,
        "language": spec.language.name,
        "consentEmail": spec.consent_email,
        "consentSms": spec.consent_sms,
        "consentPhone": spec.consent_phone,
    }
    for index, contract in enumerate(spec.contracts):
        row: dict[str, Any] = {
            "type": "contract",
            "number": contract_number(spec, index, day),
            "customerNumber": spec.number,
            "signedOn": (day - timedelta(days=contract.signed_days_ago)).isoformat(),
            "status": "ACTIVE",
        }
        if contract.ends_in_days is not None:
            row["endsOn"] = (day + timedelta(days=contract.ends_in_days)).isoformat()
        yield row
    for service in spec.services:
        activated = activated_on(spec, service, day)
        # No status: a new service is ACTIVE, and a re-run keeps one suspended since.
        yield {
            "type": "service",
            "identifier": service.identifier,
            "contractNumber": contract_number(spec, service.contract, day),
            "kind": service.kind.name,
            "name": service.name,
            "activatedOn": activated.isoformat(),
        }
        for device in service.devices:
            yield {
                "type": "device",
                "serialNumber": device.serial_number,
                "customerNumber": spec.number,
                "serviceIdentifier": service.identifier,
                "kind": device.kind.name,
                "model": device.model,
                "ownership": device.ownership.name,
                "installedOn": activated.isoformat(),
            }
        for sub in service.subscriptions:
            starts = (
                day - timedelta(days=sub.started_days_ago) if sub.started_days_ago else activated
            )
            subscription: dict[str, Any] = {
                "type": "subscription",
                "serviceIdentifier": service.identifier,
                "packageCode": sub.code,
                "startsOn": starts.isoformat(),
            }
            if sub.ended_months_ago is not None:
                ends = add_months(day.replace(day=1), 1 - sub.ended_months_ago) - timedelta(days=1)
                subscription["endsOn"] = ends.isoformat()
            yield subscription


def render(day: date = FILE_DAY) -> str:
    """The file's text: one object per line."""
    return "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in objects(day))


# --- loading: the transform and the import ---------------------------------------------------


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_end(day: date, months: int) -> date:
    start = add_months(day.replace(day=1), months)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def shifted(obj: dict[str, Any], load_day: date) -> dict[str, Any]:
    """``obj`` of the file with its dates moved from :data:`FILE_DAY` to ``load_day`` (the
    module's docstring gives the rule)."""
    days = (load_day - FILE_DAY).days
    months = _month_index(load_day) - _month_index(FILE_DAY)
    type_name = obj.get("type", "")
    out = dict(obj)
    moves: list[tuple[tuple[str, ...], Callable[[str], str]]] = [
        (
            DAY_FIELDS.get(type_name, ()),
            lambda v: (date.fromisoformat(v) + timedelta(days=days)).isoformat(),
        ),
        (
            MONTH_END_FIELDS.get(type_name, ()),
            lambda v: _month_end(date.fromisoformat(v), months).isoformat(),
        ),
        (INSTANT_FIELDS.get(type_name, ()), lambda v: _shift_instant(v, days)),
    ]
    for names, move in moves:
        for name in names:
            if isinstance(out.get(name), str):
                out[name] = move(out[name])
    return out


def _shift_instant(value: str, days: int) -> str:
    local = datetime.fromisoformat(value).astimezone(OPERATOR_ZONE)
    moved = at_local(local.date() + timedelta(days=days), local.hour, local.minute)
    return moved.isoformat()


def _file_lines() -> Iterator[bytes]:
    with (resources.files("backend.demo") / FILE_NAME).open("rb") as stream:
        yield from stream


async def load_day() -> date:
    """The day the file's dates are moved to: today, or the day of an earlier load."""
    first = next(obj for obj in map(json.loads, _file_lines()) if obj["type"] == "contract")
    stored = await Contract.filter(number=first["number"]).first()
    if stored is None:
        return today()
    return FILE_DAY + (stored.signed_on - date.fromisoformat(first["signedOn"]))


async def load(settings: Settings) -> ImportSummary:
    """Import the shipped file with its dates moved to :func:`load_day`. Raises
    ``RuntimeError`` naming the first refused line (the file and the feed disagree)."""
    day = await load_day()
    refused: list[Rejection] = []
    importer = Importer(settings, WRITER, report=refused.append)
    for number, raw in enumerate(_file_lines(), start=1):
        line = json.dumps(shifted(json.loads(raw), day), ensure_ascii=False).encode()
        await importer.add(number, line, len(line))
    summary = await importer.finish()
    if refused:
        raise RuntimeError(f"{FILE_NAME} was refused: {refused[0].as_text()}")
    return summary
