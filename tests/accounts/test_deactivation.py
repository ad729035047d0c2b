"""Deactivating a person ends every role they hold, audited, and they are told nothing more."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from accounts.models import APPROVERS_GROUP, Membership, RoleChange, User
from catalog.models import Adoption
from catalog.services.approvals import adoption_revoke
from tests.catalog.admin_support import edit_in_admin
from tests.factories import AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_and_approver(manager):
    manager.groups.add(Group.objects.get_or_create(name=APPROVERS_GROUP)[0])
    return manager


def test_deactivate_user_ends_memberships_and_group_roles_audited(manager_and_approver, unit):
    RoleChange.objects.all().delete()
    out = StringIO()
    call_command("deactivate_user", "frank", stdout=out)
    frank = User.objects.get(username="frank")
    assert not frank.is_active
    assert not Membership.objects.filter(user=frank).exists() and not frank.groups.exists()
    assert sorted(
        RoleChange.objects.filter(user=frank).values_list("action", "role", "reason")
    ) == [
        ("revoked", "group approvers", "user deactivated"),
        ("revoked", "manager of Marketing", "user deactivated"),
    ]
    assert "roles ended: 2" in out.getvalue()
    assert not User.objects.managers_of([unit.pk]).exists()
    assert not User.objects.approvers().exists()


def test_a_deactivated_manager_is_told_nothing_while_an_active_one_is(
    manager, catalog_admin, unit, mailoutbox, django_capture_on_commit_callbacks
):
    other_manager = UserFactory(username="gina")
    Membership.objects.create(user=other_manager, unit=unit, role=Membership.Role.MANAGER)
    now = timezone.now()
    adoption = Adoption.objects.create(
        unit=unit, model=AIModelFactory(), use_case="Copy", approved_at=now,
        expires_at=now + timedelta(days=90),
    )  # fmt: skip
    call_command("deactivate_user", "frank", stdout=StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        adoption_revoke(adoption=adoption, user=catalog_admin)
    recipients = {address for mail in mailoutbox for address in mail.to}
    assert recipients == {other_manager.email}


def test_unticking_active_in_the_admin_is_a_deactivation(client, manager, unit):
    root = User.objects.create_superuser("root", "root@example.com", "pw-root-123456")
    joined = manager.date_joined
    response = edit_in_admin(
        client, root, manager, is_active=False,
        date_joined_0=f"{joined:%Y-%m-%d}", date_joined_1=f"{joined:%H:%M:%S}",
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=manager).exists()
    reasons = set(RoleChange.objects.filter(user=manager).values_list("reason", flat=True))
    assert "deactivated in the admin by root" in reasons
