"""Recorders around third-party work (bcrypt, zxcvbn) that still do the real work.

They let tests assert the *structure* of expensive work (how many bcrypt operations, at which
cost, on which thread) instead of timing it; the timings themselves are printed by
``bench/login_timing.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import bcrypt
import pytest


@dataclass(frozen=True)
class BcryptCall:
    operation: str  # "hashpw" or "checkpw"
    cost: int  # the bcrypt cost factor (log2 rounds) of the salt or hash used
    thread: int  # threading.get_ident() of the thread that ran it


def _cost(salt_or_hash: bytes) -> int:
    return int(salt_or_hash.split(b"$")[2])


def record_bcrypt(
    monkeypatch: pytest.MonkeyPatch, *, before: Callable[[], None] | None = None
) -> list[BcryptCall]:
    """Record every ``bcrypt.hashpw``/``checkpw`` call (the real function still runs).

    ``before`` runs in the calling thread just before the real work (e.g. to hold it there).
    """
    calls: list[BcryptCall] = []
    real = {"hashpw": bcrypt.hashpw, "checkpw": bcrypt.checkpw}

    def wrap(operation: str) -> Callable[[bytes, bytes], Any]:
        def call(password: bytes, salt_or_hash: bytes) -> Any:
            calls.append(BcryptCall(operation, _cost(salt_or_hash), threading.get_ident()))
            if before is not None:
                before()
            return real[operation](password, salt_or_hash)

        return call

    for operation in real:
        monkeypatch.setattr(bcrypt, operation, wrap(operation))
    return calls


def record_validation(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every graphql-core ``validate`` strawberry runs (the real one still runs): the
    name of each validated document's first operation (``""`` for an anonymous one)."""
    import strawberry.schema.schema as strawberry_schema
    from graphql import OperationDefinitionNode

    calls: list[str] = []
    real = strawberry_schema.validate

    def validate(schema: Any, document: Any, *args: Any, **kwargs: Any) -> Any:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        calls.append(operations[0].name.value if operations and operations[0].name else "")
        return real(schema, document, *args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", validate)
    return calls
