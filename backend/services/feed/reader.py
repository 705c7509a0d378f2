"""Reading one item of the operator's feed: a JSON object (snake_case keys) checked field by
field, every problem collected with the field's path (``lines.2.vat_rate``).

The operator API hands over its typed input as such an object and ``icok import`` a parsed JSON
line, so both are checked by the same code. Values may already be typed (a ``date`` from a
GraphQL ``Date``) or still be JSON (an ISO ``"2026-11-30"``): both are accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.text import check_text

E = TypeVar("E", bound=StrEnum)
MAX_INT = 2**31 - 1
"""The largest integer a column holds (money in grosze, counts): PostgreSQL's ``integer``."""
MAX_BIGINT = 2**63 - 1


class Reader:
    """Reads the fields of ``data`` (a mapping of snake_case names to values), adding errors to
    ``errors`` with ``prefix`` before each field name; :meth:`finish` reports the fields nobody
    read (``UNKNOWN_FIELD``), so a misspelt field is an error rather than silently ignored."""

    def __init__(self, data: Mapping[str, Any], errors: Collector, prefix: str = "") -> None:
        self.data = data
        self.errors = errors
        self.prefix = prefix
        self._read: set[str] = set()
        self._children: list[Reader] = []

    def path(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def _raw(self, name: str) -> Any:
        self._read.add(name)
        return self.data.get(name)

    def _missing(self, name: str, required: bool) -> None:
        if required:
            self.errors.add(ErrorCode.REQUIRED, self.path(name))

    def text(self, name: str, limit: int, *, required: bool = True, multiline: bool = False) -> str:
        """The trimmed text (``backend.services.text.check_text``); ``""`` when absent.
        Errors: REQUIRED, INVALID (not a string), FORBIDDEN_CHARACTER, TOO_LONG."""
        value = self._raw(name)
        if value is None:
            self._missing(name, required)
            return ""
        if not isinstance(value, str):
            self.errors.add(ErrorCode.INVALID, self.path(name))
            return ""
        return check_text(
            self.errors, value, self.path(name), limit, multiline=multiline, required=required
        )

    def optional_text(self, name: str, limit: int) -> str | None:
        """Like :meth:`text`, None when absent or null (so "not sent" differs from "empty")."""
        if self.data.get(name) is None:
            self._read.add(name)
            return None
        return self.text(name, limit, required=False)

    def integer(
        self,
        name: str,
        *,
        minimum: int = 0,
        maximum: int = MAX_INT,
        required: bool = True,
        default: int | None = None,
    ) -> int | None:
        """An integer within ``minimum``..``maximum`` (money: grosze); ``default`` when absent.
        Errors: REQUIRED, INVALID (not an integer: ``1.5``, ``"7"``, ``true``),
        OUT_OF_RANGE (params ``min``, ``max``)."""
        value = self._raw(name)
        if value is None:
            self._missing(name, required and default is None)
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors.add(ErrorCode.INVALID, self.path(name))
            return default
        if not minimum <= value <= maximum:
            self.errors.add(ErrorCode.OUT_OF_RANGE, self.path(name), min=minimum, max=maximum)
            return default
        return value

    def boolean(self, name: str, default: bool) -> bool:
        """``true``/``false``; ``default`` when absent. Errors: INVALID."""
        value = self._raw(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.errors.add(ErrorCode.INVALID, self.path(name))
            return default
        return value

    def day(self, name: str, *, required: bool = True) -> date | None:
        """A calendar day, ISO ``YYYY-MM-DD`` (a Warsaw calendar day, as every day here).
        Errors: REQUIRED, INVALID_DATE."""
        value = self._raw(name)
        if value is None:
            self._missing(name, required)
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.errors.add(ErrorCode.INVALID_DATE, self.path(name))
        return None

    def instant(self, name: str, *, required: bool = True) -> datetime | None:
        """A moment: ISO 8601 with its UTC offset (``2026-11-30T18:00:00+01:00``), returned in
        UTC. Errors: REQUIRED, INVALID_DATE (malformed, or without an offset)."""
        value = self._raw(name)
        if value is None:
            self._missing(name, required)
            return None
        parsed: datetime | None = value if isinstance(value, datetime) else None
        if isinstance(value, str) and len(value) <= 40:
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.errors.add(ErrorCode.INVALID_DATE, self.path(name))
            return None
        return parsed.astimezone(UTC)

    def choice(self, name: str, enum: type[E], *, required: bool = True) -> E | None:
        """One of ``enum``'s values, given as the value (``satellite_tv``) or the GraphQL name
        (``SATELLITE_TV``). Errors: REQUIRED, INVALID_CHOICE (param ``allowed``)."""
        value = self._raw(name)
        if value is None:
            self._missing(name, required)
            return None
        if isinstance(value, enum):
            return value
        if isinstance(value, str) and len(value) <= 40:
            for member in enum:
                if value in (member.value, member.name):
                    return member
        allowed = ", ".join(member.name for member in enum)
        self.errors.add(ErrorCode.INVALID_CHOICE, self.path(name), allowed=allowed)
        return None

    def objects(self, name: str, *, maximum: int, required: bool = True) -> list[Reader]:
        """A list of up to ``maximum`` objects, each read by its own :class:`Reader` (paths
        ``name.0.field``). Errors: REQUIRED (absent or empty when required), INVALID (not a
        list of objects), TOO_MANY (param ``max``)."""
        value = self._raw(name)
        if value is None or value == []:
            self._missing(name, required)
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.errors.add(ErrorCode.INVALID, self.path(name))
            return []
        if len(value) > maximum:
            self.errors.add(ErrorCode.TOO_MANY, self.path(name), max=maximum)
            return []
        readers = [Reader(v, self.errors, f"{self.path(name)}.{i}.") for i, v in enumerate(value)]
        self._children.extend(readers)
        return readers

    def object(self, name: str, *, required: bool = True) -> Reader | None:
        """One nested object, read by its own :class:`Reader` (paths ``name.field``); None when
        absent or null (REQUIRED when ``required``). Errors: REQUIRED, INVALID (not an object)."""
        value = self._raw(name)
        if value is None:
            self._missing(name, required)
            return None
        if not isinstance(value, Mapping):
            self.errors.add(ErrorCode.INVALID, self.path(name))
            return None
        child = Reader(value, self.errors, f"{self.path(name)}.")
        self._children.append(child)
        return child

    def texts(self, name: str, limit: int, *, maximum: int) -> list[str]:
        """A list of up to ``maximum`` short texts (each like :meth:`text`, paths ``name.0``).
        Errors: INVALID, TOO_MANY, and each text's own."""
        value = self._raw(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.errors.add(ErrorCode.INVALID, self.path(name))
            return []
        if len(value) > maximum:
            self.errors.add(ErrorCode.TOO_MANY, self.path(name), max=maximum)
            return []
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.errors.add(ErrorCode.INVALID, f"{self.path(name)}.{i}")
                continue
            out.append(
                check_text(self.errors, item, f"{self.path(name)}.{i}", limit, required=True)
            )
        return out

    def finish(self) -> None:
        """Report every field of the object (and of the objects read from its lists) that no
        reader asked for (``UNKNOWN_FIELD``)."""
        for name in self.data:
            if name not in self._read:
                self.errors.add(ErrorCode.UNKNOWN_FIELD, self.path(str(name)))
        for child in self._children:
            child.finish()


def normalised(
    reader: Reader,
    name: str,
    limit: int,
    normalise: Callable[..., str],
    *,
    required: bool = True,
) -> str | None:
    """The text of field ``name`` through ``normalise(value, field=path)`` (one of
    ``backend.services.identifiers``' normalisers), None when absent (REQUIRED when
    ``required``) or refused: the text's own error (FORBIDDEN_CHARACTER, TOO_LONG) or else the
    normaliser's ``DomainError`` joins the item's errors, one error per field."""
    before = len(reader.errors.errors)
    value = (
        reader.text(name, limit, required=required)
        if required
        else reader.optional_text(name, limit)
    )
    if not value or len(reader.errors.errors) > before:
        return None
    try:
        return normalise(value, field=reader.path(name))
    except DomainError as exc:
        reader.errors.errors.append(exc)
        return None
