"""Operator API keys: only the hash is kept, names and scopes are checked, a key is recognised
only while it is not revoked, and its last use is written at most once a minute."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from backend.clock import clock
from backend.models.operator import ApiKey
from backend.services import operator_keys
from backend.services.errors import ErrorCode, ValidationErrors
from backend.services.operator_keys import OperatorKey, Scope
from tests.factories import make_api_key
from tests.raises import domain_error
from tests.statements import count_statements


async def _refusal(name: str, scopes: list[str]) -> list[tuple[ErrorCode, str | None]]:
    with pytest.raises(ValidationErrors) as caught:
        await operator_keys.create_key(name, scopes)
    assert await ApiKey.all().count() == 0  # nothing written
    return [(e.code, e.field) for e in caught.value.errors]


async def test_only_the_hash_and_a_prefix_are_stored(db) -> None:
    row, key = await operator_keys.create_key("  BSS   main ", ["billing:write", "customers:write"])
    assert key.startswith("icok_op_") and len(key) == 51
    stored = await ApiKey.get(id=row.id)
    assert stored.name == "BSS main"
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert stored.prefix == key[:12] and key[12:] not in repr(stored.__dict__)
    assert stored.scopes == "customers:write billing:write"  # known order, as listed
    assert stored.created_at == clock.now() and stored.last_used_at is None
    assert stored.revoked_at is None
    _, other = await operator_keys.create_key("other", ["events:read"])
    assert other != key


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("", ErrorCode.REQUIRED),
        ("   ", ErrorCode.REQUIRED),
        ("x" * 65, ErrorCode.TOO_LONG),
        ("bss\x00", ErrorCode.FORBIDDEN_CHARACTER),
        ("bss\x1b[31m", ErrorCode.FORBIDDEN_CHARACTER),
        ("bss\u202emain", ErrorCode.FORBIDDEN_CHARACTER),
        ("bss\ud800", ErrorCode.INVALID),
    ],
)
async def test_bad_names_are_refused(db, name: str, expected: ErrorCode) -> None:
    assert await _refusal(name, ["events:read"]) == [(expected, "name")]


async def test_a_name_of_64_characters_is_accepted(db) -> None:
    row, _ = await operator_keys.create_key("ż" * 64, ["events:read"])
    assert row.name == "ż" * 64


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        ([], ErrorCode.REQUIRED),
        (["customers:write", "customers:read"], ErrorCode.UNKNOWN_SCOPE),
        (["CUSTOMERS:WRITE"], ErrorCode.UNKNOWN_SCOPE),
        ([" customers:write"], ErrorCode.UNKNOWN_SCOPE),
        (["customers:write\x00"], ErrorCode.UNKNOWN_SCOPE),
        ([""], ErrorCode.UNKNOWN_SCOPE),
    ],
)
async def test_bad_scopes_are_refused(db, scopes: list[str], expected: ErrorCode) -> None:
    assert await _refusal("bss", scopes) == [(expected, "scopes")]


async def test_name_and_scope_errors_come_together_and_name_the_scope(db) -> None:
    with pytest.raises(ValidationErrors) as caught:
        await operator_keys.create_key("", ["events:read", "nope\x1b" + "y" * 100])
    name, scope = caught.value.errors
    assert (name.code, scope.code) == (ErrorCode.REQUIRED, ErrorCode.UNKNOWN_SCOPE)
    shown = scope.params["scope"]
    assert shown.startswith("nope\ufffd") and len(shown) == 40  # safe to print, cut
    assert scope.params["known"] == ", ".join(Scope)


async def test_duplicate_scopes_count_once(db) -> None:
    row, _ = await operator_keys.create_key("bss", ["events:read", "events:read"])
    assert row.scopes == "events:read"


async def test_a_name_is_taken_even_by_a_revoked_key(db) -> None:
    await operator_keys.create_key("bss", ["events:read"])
    taken = await domain_error(operator_keys.create_key(" bss ", ["catalog:write"]))
    assert (taken.code, taken.field, taken.params) == (
        ErrorCode.API_KEY_NAME_TAKEN,
        "name",
        {"name": "bss"},
    )
    await operator_keys.revoke_key("bss")
    again = await domain_error(operator_keys.create_key("bss", ["catalog:write"]))
    assert again.code == ErrorCode.API_KEY_NAME_TAKEN
    assert await ApiKey.all().count() == 1


async def test_concurrent_creation_of_one_name_makes_one_key(db) -> None:
    results = await asyncio.gather(
        *(operator_keys.create_key("bss", ["events:read"]) for _ in range(4)),
        return_exceptions=True,
    )
    made = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if not isinstance(r, tuple)]
    assert len(made) == 1 and await ApiKey.all().count() == 1
    assert all(getattr(r, "code", None) == ErrorCode.API_KEY_NAME_TAKEN for r in refused), refused


async def test_authenticate_recognises_the_key(db) -> None:
    made = await make_api_key(Scope.CUSTOMERS_WRITE, Scope.EVENTS_READ, name="bss")
    key = await operator_keys.authenticate(made.key)
    assert key == OperatorKey(
        id=made.row.id, name="bss", scopes=frozenset({Scope.CUSTOMERS_WRITE, Scope.EVENTS_READ})
    )
    assert operator_keys.has_scope(key, Scope.CUSTOMERS_WRITE)
    assert not operator_keys.has_scope(key, Scope.BILLING_WRITE)


async def test_authenticate_refuses_anything_else(db) -> None:
    made = await make_api_key(name="bss")
    near_misses = [
        None,
        "",
        made.key[:-1],
        made.key + "x",
        made.key.upper(),
        " " + made.key,
        made.key[:-1] + ("A" if made.key[-1] != "A" else "B"),
        "icok_op_" + "A" * 43,
        made.key[:-1] + "\x00",
        made.key[:-1] + "\ud800",
        made.key * 1000,  # never hashed
        made.row.key_hash,
    ]
    with count_statements() as statements:
        for raw in near_misses:
            assert await operator_keys.authenticate(raw) is None, raw
    assert len(statements) == 2  # only the two well-formed unknown keys reached the database
    assert (await ApiKey.get(id=made.row.id)).last_used_at is None


async def test_a_revoked_key_is_refused_and_revoking_twice_is_harmless(db) -> None:
    made = await make_api_key(name="bss")
    assert await operator_keys.authenticate(made.key) is not None
    revoked = await operator_keys.revoke_key("bss")
    assert revoked.revoked_at == clock.now()
    assert await operator_keys.authenticate(made.key) is None
    clock.advance(minutes=5)
    again = await operator_keys.revoke_key("bss")
    assert again.revoked_at == revoked.revoked_at  # the first revocation stands


@pytest.mark.parametrize("name", ["nobody", "", "bss\x00", "bss\ud800", "x" * 1000, " bss"])
async def test_revoking_an_unknown_name_is_not_found(db, name: str) -> None:
    await make_api_key(name="bss")
    error = await domain_error(operator_keys.revoke_key(name))
    assert (error.code, error.field) == (ErrorCode.NOT_FOUND, "name")
    assert await ApiKey.filter(revoked_at=None).count() == 1


async def test_last_use_is_written_at_most_once_a_minute(db) -> None:
    made = await make_api_key(name="bss")
    first = clock.now()
    await operator_keys.authenticate(made.key)
    assert (await ApiKey.get(id=made.row.id)).last_used_at == first
    clock.advance(seconds=59)
    with count_statements() as statements:
        await operator_keys.authenticate(made.key)
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")], statements
    assert (await ApiKey.get(id=made.row.id)).last_used_at == first
    clock.advance(seconds=2)
    await operator_keys.authenticate(made.key)
    assert (await ApiKey.get(id=made.row.id)).last_used_at == clock.now()


async def test_keys_are_listed_by_name_with_revoked_ones(db) -> None:
    await make_api_key(name="zeta")
    await make_api_key(name="alpha")
    await operator_keys.revoke_key("zeta")
    listed = await operator_keys.list_keys()
    assert [(k.name, k.revoked_at is not None) for k in listed] == [
        ("alpha", False),
        ("zeta", True),
    ]


async def test_a_scope_no_longer_known_grants_nothing(db) -> None:
    made = await make_api_key(Scope.EVENTS_READ, name="bss")
    await ApiKey.filter(id=made.row.id).update(scopes="events:read retired:scope")
    key = await operator_keys.authenticate(made.key)
    assert key is not None and key.scopes == frozenset({Scope.EVENTS_READ})
