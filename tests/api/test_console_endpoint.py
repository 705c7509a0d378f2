"""``/console/graphql``: a staff session (the console's own cookie) is who asks; roles are
declared per field; customers' sessions never open the console."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.clock import clock, now
from backend.models import StaffMember
from backend.models.enums import AuditKind, StaffRole
from backend.services import audit, staff
from tests.conftest import GraphQLClient
from tests.factories import login_as, login_staff, make_customer, make_meta, make_staff


async def test_the_endpoint_answers_anonymous_requests(console: GraphQLClient) -> None:
    assert (await console("{ apiVersion }"))["apiVersion"]


async def test_a_staff_session_resolves_and_idles_out_after_15_minutes(
    client: httpx.AsyncClient,
) -> None:
    member = await make_staff(role=StaffRole.SUPERVISOR)
    token = await login_staff(client, member)
    auth = await staff.resolve_session(token)
    assert auth is not None and auth.verified and auth.staff.id == member.id
    clock.advance(minutes=14)
    assert await staff.resolve_session(token) is not None  # (this extended it)
    clock.advance(minutes=15)
    assert await staff.resolve_session(token) is None


async def test_a_password_only_session_has_five_minutes(client: httpx.AsyncClient) -> None:
    member = await make_staff()
    token = await login_staff(client, member, verified=False)
    auth = await staff.resolve_session(token)
    assert auth is not None and not auth.verified
    clock.advance(minutes=5)
    assert await staff.resolve_session(token) is None


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        (StaffRole.AGENT, StaffRole.AGENT, True),
        (StaffRole.AGENT, StaffRole.SUPERVISOR, False),
        (StaffRole.SUPERVISOR, StaffRole.AGENT, True),
        (StaffRole.SUPERVISOR, StaffRole.ADMIN, False),
        (StaffRole.ADMIN, StaffRole.SUPERVISOR, True),
    ],
)
def test_roles_are_ordered(role: StaffRole, needed: StaffRole, allowed: bool) -> None:
    assert staff.role_allows(role, needed) is allowed


async def test_a_disabled_member_has_no_session(client: httpx.AsyncClient) -> None:
    member = await make_staff()
    token = await login_staff(client, member)
    await StaffMember.filter(id=member.id).update(disabled_at=now())
    assert await staff.resolve_session(token) is None


async def test_staff_events_about_a_customer_stay_out_of_their_history(
    gql: GraphQLClient, client: httpx.AsyncClient, settings: Any
) -> None:
    customer = await make_customer(settings)
    await login_as(client, settings, customer)
    member = await make_staff()
    meta = make_meta()
    await audit.record(AuditKind.STAFF_VIEWED, customer.id, meta, staff=member.id, what="profile")
    await audit.record(AuditKind.CONTACT_REQUEST_SENT, customer.id, meta, request=1)
    data = await gql("{ viewer { activity(first: 10) { edges { node { kind } } } } }")
    kinds = [e["node"]["kind"] for e in data["viewer"]["activity"]["edges"]]
    assert kinds == ["CONTACT_REQUEST_SENT"]
