"""Staff accounts: creating them (service, console, CLI), disabling, enabling, resetting the
second factor, new recovery codes; admins only, others get ROLE_REQUIRED."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.clock import clock, now
from backend.config import Settings
from backend.i18n import translate
from backend.models import AuditEvent, StaffMember, StaffRecoveryCode
from backend.models.enums import AuditKind, Language, StaffRole
from backend.schema.relay import to_global_id
from backend.services import staff
from backend.services.errors import DomainError, ErrorCode, ValidationErrors
from backend.services.passwords import verify_password
from tests.checkout import ICOK, checkout_env
from tests.conftest import GraphQLClient
from tests.factories import (
    STAFF_PASSWORD,
    STRONG_PASSWORD,
    login_staff,
    make_meta,
    make_staff,
    make_staff_session,
    totp_code,
)
from tests.raises import domain_error

CREATE = """mutation($input: CreateStaffMemberInput!) { createStaffMember(input: $input) {
  member { id email name role enrolled disabled } initialPassword errors { field code message } } }"""
CHANGE = """mutation($input: StaffMemberInput!) {
  disable: disableStaffMember(input: $input) { member { disabled } errors { code } } }"""
ENABLE = """mutation($input: StaffMemberInput!) {
  enableStaffMember(input: $input) { member { disabled } errors { code } } }"""
RESET = """mutation($input: StaffMemberInput!) {
  resetStaffSecondFactor(input: $input) { member { enrolled } errors { field code } } }"""
RESET_PASSWORD = """mutation($input: StaffMemberInput!) {
  resetStaffPassword(input: $input) {
    member { enrolled initialPasswordExpiresAt } initialPassword errors { field code } } }"""
CHANGE_PASSWORD = """mutation($input: ChangeStaffPasswordInput!) {
  changeStaffPassword(input: $input) { ok errors { field code } } }"""
REGENERATE = """mutation($input: RegenerateRecoveryCodesInput!) {
  regenerateRecoveryCodes(input: $input) { recoveryCodes errors { field code } } }"""


async def test_create_normalises_and_generates_a_password(db: Any, settings: Settings) -> None:
    member, password = await staff.create_staff(
        "  Ola.Kowalska@Operator.EXAMPLE ",
        "  Ola   Kowalska ",
        StaffRole.AGENT,
        make_meta(),
        settings=settings,
    )
    assert member.email == "ola.kowalska@operator.example"
    assert member.name == "Ola Kowalska"
    assert password is not None and len(password) >= 20
    assert await verify_password(password, member.password_hash, settings)
    assert member.totp_secret is None and member.totp_confirmed_at is None
    event = await AuditEvent.get(kind=AuditKind.STAFF_ACCOUNT)
    assert event.details["action"] == "create" and event.details["member"] == member.id
    error = await domain_error(
        staff.create_staff(
            "ola.kowalska@operator.example", "Ola", StaffRole.ADMIN, make_meta(), settings=settings
        )
    )
    assert error.code is ErrorCode.STAFF_EMAIL_TAKEN and error.field == "email"


@pytest.mark.parametrize(
    ("email", "name", "expected"),
    [
        ("", "", {("email", ErrorCode.REQUIRED), ("name", ErrorCode.REQUIRED)}),
        ("x@operator.example", "Ola\x00", {("name", ErrorCode.FORBIDDEN_CHARACTER)}),
        ("x@operator.example", "Ola\u202e", {("name", ErrorCode.FORBIDDEN_CHARACTER)}),
        ("x@operator.example", "O" * 101, {("name", ErrorCode.TOO_LONG)}),
        ("x" * 10_000, "Ola", {("email", ErrorCode.TOO_LONG)}),
        ("nope", "Ola", {("email", ErrorCode.INVALID_EMAIL)}),
    ],
)
async def test_create_refuses_bad_input_at_once(
    db: Any, settings: Settings, email: str, name: str, expected: set[tuple[str, ErrorCode]]
) -> None:
    with pytest.raises((DomainError, ValidationErrors)) as caught:
        await staff.create_staff(email, name, StaffRole.AGENT, make_meta(), settings=settings)
    exc = caught.value
    assert isinstance(exc, (DomainError, ValidationErrors))
    errors = exc.errors if isinstance(exc, ValidationErrors) else [exc]
    assert {(e.field, e.code) for e in errors} == expected
    assert await StaffMember.all().count() == 0


async def test_a_given_password_must_pass_the_policy(db: Any, settings: Settings) -> None:
    error = await domain_error(
        staff.create_staff(
            "ola@operator.example",
            "Ola Kowalska",
            StaffRole.AGENT,
            make_meta(),
            settings=settings,
            password="kowalska1",
        )
    )
    assert error.field == "password"
    member, shown = await staff.create_staff(
        "ola@operator.example",
        "Ola Kowalska",
        StaffRole.AGENT,
        make_meta(language=Language.EN),
        settings=settings,
        password=STAFF_PASSWORD,
    )
    assert shown is None and await verify_password(STAFF_PASSWORD, member.password_hash, settings)


@pytest.mark.parametrize("role", [StaffRole.AGENT, StaffRole.SUPERVISOR])
async def test_only_admins_manage_staff(
    console: GraphQLClient, client: httpx.AsyncClient, role: StaffRole
) -> None:
    await login_staff(client, await make_staff(role=role))
    other = await make_staff()
    for query, variables in (
        ("{ staffMembers { id } }", None),
        (CREATE, {"input": {"email": "n@operator.example", "name": "N", "role": "AGENT"}}),
        (CHANGE, {"input": {"id": to_global_id("StaffMember", other.id)}}),
        (RESET, {"input": {"id": to_global_id("StaffMember", other.id)}}),
    ):
        body = await console(query, variables, expect_errors=True)
        error = body["errors"][0]
        assert error["extensions"]["code"] == "ROLE_REQUIRED", error
        assert error["extensions"]["role"] == "admin"
    assert await StaffMember.all().count() == 2
    assert (await StaffMember.get(id=other.id)).disabled_at is None


async def test_an_admin_creates_disables_enables_and_resets(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await make_staff(role=StaffRole.ADMIN)
    await login_staff(client, admin)
    data = await console(
        CREATE,
        {"input": {"email": "Nowy@Operator.example", "name": "Jan Nowy", "role": "SUPERVISOR"}},
    )
    created = data["createStaffMember"]
    assert created["errors"] == []
    assert created["member"]["email"] == "nowy@operator.example"
    assert created["member"]["role"] == "SUPERVISOR" and not created["member"]["enrolled"]
    new = await StaffMember.get(email="nowy@operator.example")
    assert await verify_password(created["initialPassword"], new.password_hash, settings)
    event = await AuditEvent.filter(kind=AuditKind.STAFF_ACCOUNT).first()
    assert event is not None and event.details["staff"] == admin.id
    assert event.details["staff_name"] == admin.name
    taken = await console(
        CREATE, {"input": {"email": "nowy@operator.example", "name": "X", "role": "AGENT"}}
    )
    assert [(e["field"], e["code"]) for e in taken["createStaffMember"]["errors"]] == [
        ("email", "STAFF_EMAIL_TAKEN")
    ]
    # An address email-validator refuses says why, in the staff member's language.
    reserved = {"input": {"email": "agent@op.test", "name": "X", "role": "AGENT"}}
    for language, why in (("pl", "nazwą zarezerwowaną"), ("en", "reserved name")):
        refused = await console(CREATE, reserved, headers={"Accept-Language": language})
        [error] = refused["createStaffMember"]["errors"]
        assert (error["field"], error["code"]) == ("email", "INVALID_EMAIL")
        assert why in error["message"]

    member = await make_staff()
    token, _ = await make_staff_session(member)
    gid = to_global_id("StaffMember", member.id)
    assert (await console(CHANGE, {"input": {"id": gid}}))["disable"]["member"]["disabled"]
    assert await staff.resolve_session(token) is None  # its sessions ended
    enabled = await console(ENABLE, {"input": {"id": gid}})
    assert enabled["enableStaffMember"]["member"]["disabled"] is False

    await StaffRecoveryCode.create(staff=member, code_hash="x" * 64, created_at=member.created_at)
    token, _ = await make_staff_session(member)
    reset = await console(RESET, {"input": {"id": gid}})
    assert reset["resetStaffSecondFactor"]["member"]["enrolled"] is False
    row = await StaffMember.get(id=member.id)
    assert row.totp_secret is None and row.totp_confirmed_at is None
    assert await StaffRecoveryCode.filter(staff_id=member.id).count() == 0
    assert await staff.resolve_session(token) is None


@pytest.mark.parametrize(
    "gid", ["", "nonsense", to_global_id("Customer", 1), to_global_id("StaffMember", 999_999)]
)
async def test_crafted_ids_are_not_found(
    console: GraphQLClient, client: httpx.AsyncClient, gid: str
) -> None:
    await login_staff(client, await make_staff(role=StaffRole.ADMIN))
    errors = (await console(RESET, {"input": {"id": gid}}))["resetStaffSecondFactor"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("id", "NOT_FOUND")]


async def test_new_recovery_codes_need_a_fresh_totp_code(
    console: GraphQLClient, client: httpx.AsyncClient, app: Any
) -> None:
    member = await make_staff()
    await login_staff(client, member)
    old = await StaffRecoveryCode.create(
        staff=member, code_hash="y" * 64, created_at=member.created_at
    )
    wrong = "000000" if totp_code() != "000000" else "111111"
    refused = (await console(REGENERATE, {"input": {"code": wrong}}))["regenerateRecoveryCodes"]
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("code", "INVALID_SECOND_FACTOR")
    ]
    code = totp_code()
    done = (await console(REGENERATE, {"input": {"code": code}}))["regenerateRecoveryCodes"]
    assert done["errors"] == [] and len(done["recoveryCodes"]) == 10
    assert not await StaffRecoveryCode.exists(id=old.id)
    replay = (await console(REGENERATE, {"input": {"code": code}}))["regenerateRecoveryCodes"]
    assert replay["errors"][0]["code"] == "INVALID_SECOND_FACTOR"
    anonymous = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    )
    async with anonymous:
        body = await GraphQLClient(anonymous, "/console/graphql")(
            REGENERATE, {"input": {"code": totp_code()}}, expect_errors=True
        )
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


def _icok(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ICOK, *args],
        cwd=tmp_path,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=checkout_env({"ICOK_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}),
    )


@pytest.mark.real_time
def test_cli_round_trip(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    created = _icok(
        tmp_path,
        "staff",
        "create",
        "--email",
        "Ala@Operator.example",
        "--name",
        "Ala Nowak",
        "--role",
        "admin",
    )
    assert created.returncode == 0, created.stderr
    assert len(created.stdout.strip()) >= 20 and "only this once" in created.stderr
    pending = _icok(tmp_path, "staff", "list").stdout
    # the initial password waits 72 hours, until a Warsaw wall-clock time with its offset
    assert re.search(
        r"^ala@operator\.example  admin  initial-password-pending\(until "
        r"\d{4}-\d\d-\d\d \d\d:\d\d\+0[12]:00\)  name=Ala Nowak",
        pending,
        re.M,
    ), pending
    taken = _icok(
        tmp_path,
        "staff",
        "create",
        "--email",
        "ala@operator.example",
        "--name",
        "A",
        "--role",
        "agent",
        "--password-stdin",
        stdin=STAFF_PASSWORD + "\n",
    )
    assert taken.returncode != 0
    assert taken.stderr.strip().count("\n") == 0 and "already exists" in taken.stderr
    last = _icok(tmp_path, "staff", "disable", "ala@operator.example")
    assert last.returncode != 0 and "last enabled admin" in last.stderr
    second = _icok(
        tmp_path,
        "staff",
        "create",
        "--email",
        "ola@operator.example",
        "--name",
        "Ola",
        "--role",
        "admin",
    )
    assert second.returncode == 0, second.stderr
    assert _icok(tmp_path, "staff", "disable", "ala@operator.example").returncode == 0
    listed = _icok(tmp_path, "staff", "list")
    assert "ala@operator.example  admin  disabled  name=Ala Nowak" in listed.stdout
    reset = _icok(tmp_path, "staff", "reset-password", "ola@operator.example")
    assert reset.returncode == 0, reset.stderr
    assert len(reset.stdout.strip()) >= 20 and "only this once" in reset.stderr
    assert reset.stdout.strip() != second.stdout.strip()
    missing = _icok(tmp_path, "staff", "reset-2fa", "nobody@operator.example")
    assert missing.returncode != 0 and "EMAIL: Not found" in missing.stderr
    reserved = _icok(
        tmp_path, "staff", "create", "--email", "agent@op.test", "--name", "A", "--role", "agent"
    )
    assert reserved.returncode != 0 and "special-use or reserved name" in reserved.stderr


@pytest.mark.real_time
def test_cli_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    create = ("staff", "create", "--email", "ala@operator.example", "--role", "agent")
    cases = [
        (("staff", "enable", "not an email"), "", "EMAIL: Invalid e-mail address"),
        ((*create, "--name", ""), "", "--name: This field is required"),
        ((*create, "--name", "Ala\x01"), "", "--name: The text contains a control"),
        ((*create, "--name", "Ala", "--password-stdin"), "abc\n", "password: The password"),
    ]
    for args, stdin, message in cases:
        refused = _icok(tmp_path, *args, stdin=stdin)
        assert refused.returncode == 2, (args, refused.stderr)
        assert f"icok: error: {message}" in refused.stderr, (args, refused.stderr)
        assert "Traceback" not in refused.stderr
    assert "no staff accounts" in _icok(tmp_path, "staff", "list").stderr


async def test_enabling_lifts_a_lockout(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    await login_staff(client, await make_staff(role=StaffRole.ADMIN))
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    for _ in range(staff.LOCK_AFTER):
        await domain_error(staff.login(member.email, "wrong", settings, make_meta()))
    locked = await domain_error(staff.login(member.email, STAFF_PASSWORD, settings, make_meta()))
    assert locked.code is ErrorCode.ACCOUNT_LOCKED
    data = await console(ENABLE, {"input": {"id": to_global_id("StaffMember", member.id)}})
    assert data["enableStaffMember"]["errors"] == []
    started = await staff.login(member.email, STAFF_PASSWORD, settings, make_meta())
    assert not started.auth.verified


async def test_an_admin_cannot_disable_or_reset_themselves_nor_the_last_admin(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await make_staff(role=StaffRole.ADMIN)
    await login_staff(client, admin)
    own = {"input": {"id": to_global_id("StaffMember", admin.id)}}
    assert (await console(CHANGE, own))["disable"]["errors"] == [{"code": "NOT_YOURSELF"}]
    reset = (await console(RESET, own))["resetStaffSecondFactor"]["errors"]
    assert [e["code"] for e in reset] == ["NOT_YOURSELF"]
    row = await StaffMember.get(id=admin.id)
    assert row.disabled_at is None and row.totp_confirmed_at is not None
    # The command line (no acting admin) cannot disable the last enabled admin either.
    refused = await domain_error(staff.disable(admin, make_meta(), by=None))
    assert refused.code is ErrorCode.LAST_ADMIN
    # the advice is a step that exists (there is no role change)
    for language in (Language.PL, Language.EN):
        assert "icok staff create --role admin" in translate(refused.code, language)
    assert (await StaffMember.get(id=admin.id)).disabled_at is None
    other = await make_staff(role=StaffRole.ADMIN)
    gid = {"input": {"id": to_global_id("StaffMember", other.id)}}
    assert (await console(CHANGE, gid))["disable"]["errors"] == []
    assert (await StaffMember.get(id=other.id)).disabled_at is not None
    # Disabling an agent or an already disabled admin is no "last admin" case.
    agent = await make_staff()
    await staff.disable(agent, make_meta(), by=None)
    await staff.disable(other, make_meta(), by=None)


async def test_an_admin_resets_a_password_and_it_is_an_initial_one(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await make_staff(role=StaffRole.ADMIN)
    await login_staff(client, admin)
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    await StaffRecoveryCode.create(staff=member, code_hash="y" * 64, created_at=member.created_at)
    token, _ = await make_staff_session(member)
    data = await console(RESET_PASSWORD, {"input": {"id": to_global_id("StaffMember", member.id)}})
    payload = data["resetStaffPassword"]
    assert payload["errors"] == [] and payload["member"]["enrolled"] is False
    assert payload["member"]["initialPasswordExpiresAt"] is not None
    initial = payload["initialPassword"]
    row = await StaffMember.get(id=member.id)
    assert await verify_password(initial, row.password_hash, settings)
    assert not await verify_password(STAFF_PASSWORD, row.password_hash, settings)
    assert row.totp_secret is None and row.initial_password_expires_at == now() + timedelta(
        hours=72
    )
    assert await StaffRecoveryCode.filter(staff_id=member.id).count() == 0
    assert await staff.resolve_session(token) is None
    started = await staff.login(member.email, initial, settings, make_meta())
    assert staff.must_change_password(started.auth.staff) and started.enrolment is None
    own = {"input": {"id": to_global_id("StaffMember", admin.id)}}
    refused = (await console(RESET_PASSWORD, own))["resetStaffPassword"]
    assert [e["code"] for e in refused["errors"]] == ["NOT_YOURSELF"]
    event = await AuditEvent.filter(kind=AuditKind.STAFF_ACCOUNT).order_by("-id").first()
    assert event is not None and event.details["action"] == "reset_password"
    assert initial not in str(event.details)


async def test_a_member_changes_their_password_with_a_totp_code(
    console: GraphQLClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    member = await make_staff(password=STAFF_PASSWORD, settings=settings)
    await login_staff(client, member)
    other, _ = await make_staff_session(member)

    async def change(current: str, new: str, code: str) -> list[tuple[str, str]]:
        variables = {"input": {"currentPassword": current, "newPassword": new, "code": code}}
        payload = (await console(CHANGE_PASSWORD, variables))["changeStaffPassword"]
        return [(e["field"], e["code"]) for e in payload["errors"]]

    wrong = "000000" if totp_code() != "000000" else "111111"
    assert await change("", STRONG_PASSWORD, "") == [
        ("currentPassword", "REQUIRED"),
        ("code", "REQUIRED"),
    ]
    assert await change(STAFF_PASSWORD, STAFF_PASSWORD, totp_code()) == [
        ("newPassword", "PASSWORD_UNCHANGED")
    ]
    assert await change("wrong-password", STRONG_PASSWORD, totp_code()) == [
        ("currentPassword", "WRONG_PASSWORD")
    ]
    assert await change(STAFF_PASSWORD, STRONG_PASSWORD, wrong) == [
        ("code", "INVALID_SECOND_FACTOR")
    ]
    assert (await StaffMember.get(id=member.id)).failed_logins == 2
    assert await change(STAFF_PASSWORD, STRONG_PASSWORD, totp_code()) == []
    row = await StaffMember.get(id=member.id)
    assert await verify_password(STRONG_PASSWORD, row.password_hash, settings)
    assert await staff.resolve_session(other) is None  # the other session ended
    assert (await console("{ me { stage } }"))["me"]["stage"] == "DONE"  # this one stays
    # The same TOTP step is not accepted twice.
    assert await change(STRONG_PASSWORD, STAFF_PASSWORD, totp_code()) == [
        ("code", "INVALID_SECOND_FACTOR")
    ]


async def test_the_staff_list_shows_each_accounts_state(
    console: GraphQLClient, client: httpx.AsyncClient
) -> None:
    admin = await make_staff(role=StaffRole.ADMIN, name="A Admin")
    later = now() + timedelta(hours=72)
    await make_staff(name="B Pending", enrolled=False, initial_password_expires_at=later)
    await make_staff(
        name="C Expired", enrolled=False, initial_password_expires_at=now() + timedelta(hours=1)
    )
    await make_staff(name="D Enrolling", enrolled=False)
    await make_staff(name="E Disabled", disabled_at=now(), locked_until=later)
    await make_staff(name="F Locked", locked_until=now() + timedelta(hours=2))
    await make_staff(name="G Lock over", locked_until=now() + timedelta(minutes=30))
    clock.advance(hours=1, minutes=1)
    await login_staff(client, admin)
    data = await console("{ staffMembers { name state initialPasswordExpiresAt } }")
    states = {m["name"]: m["state"] for m in data["staffMembers"]}
    assert states == {
        "A Admin": "ENROLLED",
        "B Pending": "INITIAL_PASSWORD_PENDING",
        "C Expired": "INITIAL_PASSWORD_EXPIRED",
        "D Enrolling": "ENROLMENT_PENDING",
        "E Disabled": "DISABLED",
        "F Locked": "LOCKED",
        "G Lock over": "ENROLLED",
    }
    pending = next(m for m in data["staffMembers"] if m["name"] == "B Pending")
    assert pending["initialPasswordExpiresAt"] is not None
