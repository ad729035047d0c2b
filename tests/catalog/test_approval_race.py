"""Decisions are one-time even when approvers click at the same moment (PostgreSQL only: SQLite
serialises writers anyway, PostgreSQL's row locks are what is under test here)."""

import os
import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import APPROVERS_GROUP, Membership
from catalog.models import Adoption, ApprovalRequest
from tests.factories import AIModelFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row-lock races need PostgreSQL (CI sets DATABASE_URL)",
    ),
    # serialized_rollback: the flush after each test would otherwise drop the migrations' data
    # (specialties) for transactional tests that run later.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
THREADS = 20


def at_once(users: list, call: Callable[[APIClient, int], int]) -> list[int]:
    """Each user on its own thread and database connection, all released together."""
    barrier = threading.Barrier(len(users))
    codes: list[int] = [0] * len(users)

    def run(index: int) -> None:
        client = APIClient()
        client.force_authenticate(users[index])
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            codes[index] = call(client, index)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes


def approvers(count: int) -> list:
    group = Group.objects.get_or_create(name=APPROVERS_GROUP)[0]
    users = [UserFactory(username=f"approver{i}") for i in range(count)]
    group.user_set.add(*users)
    return users


@pytest.mark.parametrize("verbs", [("approve",), ("approve", "reject")], ids=["all", "mixed"])
def test_twenty_simultaneous_decisions_yield_exactly_one(member, unit, verbs):
    request = ApprovalRequest.objects.create(
        requester=member, model=AIModelFactory(), unit=unit, use_case="Race"
    )

    def decide(client: APIClient, index: int) -> int:
        verb = verbs[index % len(verbs)]
        url = f"/api/v1/approval-requests/{request.pk}/{verb}/"
        return client.post(url, {"comment": f"decision {index}"}, format="json").status_code

    codes = at_once(approvers(THREADS), decide)

    assert sorted(codes) == [200] + [409] * (THREADS - 1)
    request.refresh_from_db()
    assert request.status in {"approved", "rejected"}
    assert Adoption.objects.count() == (1 if request.status == "approved" else 0)
    if verbs == ("approve",):
        assert Adoption.objects.get().approval == request
    decisions = [h for h in request.history.all() if h.status != "pending"]
    assert len(decisions) == 1
    assert decisions[0].history_user_id == request.decided_by_id


def test_simultaneous_identical_requests_file_exactly_one(unit):
    members = [UserFactory(username=f"member{i}") for i in range(THREADS)]
    Membership.objects.bulk_create(Membership(user=user, unit=unit) for user in members)
    model = AIModelFactory()

    def ask(client: APIClient, index: int) -> int:
        body = {
            "model": model.slug,
            "business_unit": unit.slug,
            "use_case": f"use {index}",
            "data_classification": "internal",
        }
        return client.post("/api/v1/approval-requests/", body, format="json").status_code

    codes = at_once(members, ask)

    assert sorted(codes) == [201] + [409] * (THREADS - 1)
    assert ApprovalRequest.objects.filter(unit=unit, model=model).count() == 1


@pytest.mark.parametrize("round_", range(3))
def test_no_request_is_filed_for_a_model_while_its_approval_commits(unit, round_):
    """The approver and nineteen members act at once: the members learn the unit uses it."""
    members = [UserFactory(username=f"member{i}") for i in range(THREADS - 1)]
    Membership.objects.bulk_create(Membership(user=user, unit=unit) for user in members)
    model = AIModelFactory()
    first = ApprovalRequest.objects.create(
        requester=members[0], model=model, unit=unit, use_case="First"
    )
    body = {"model": model.slug, "business_unit": unit.slug, "data_classification": "internal"}

    def act(client: APIClient, index: int) -> int:
        if index == 0:
            return client.post(f"/api/v1/approval-requests/{first.pk}/approve/").status_code
        ask = body | {"use_case": f"use {index}"}
        return client.post("/api/v1/approval-requests/", ask, format="json").status_code

    codes = at_once([*approvers(1), *members], act)

    assert codes == [200] + [409] * (THREADS - 1)
    assert not ApprovalRequest.objects.filter(model=model, status="pending").exists()
    assert Adoption.objects.get(model=model).approval == first
