"""Role changes made here are audited beside the IdP's, saying who made them."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import Membership, RoleChange, User
from tests.factories import BusinessUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def audit(user: User) -> list[tuple[str, str, str]]:
    return list(user.role_changes.order_by("id").values_list("action", "role", "reason"))


def test_an_admin_adding_a_member_in_the_unit_admin_is_audited_with_their_name(client):
    root = User.objects.create_superuser("root", "r@example.com", "pw-123456789")
    client.force_login(root)
    unit = BusinessUnitFactory(slug="legal", name="Legal")
    dana = UserFactory(username="dana")
    response = client.post(
        f"/admin/accounts/businessunit/{unit.pk}/change/",
        {
            "name": "Legal",
            "slug": "legal",
            "cost_center": "CC-1",
            "monthly_budget": "1000.00",
            "idp_member_group": "legal-members",
            "idp_manager_group": "",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": str(dana.pk),
            "memberships-0-role": "manager",
            "memberships-0-source": "local",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Membership.objects.get(user=dana).source == Membership.Source.LOCAL
    assert audit(dana) == [("granted", "manager of Legal", "changed here by root")]


def test_group_and_membership_changes_in_code_are_audited():
    dana = UserFactory(username="dana")
    approvers = Group.objects.create(name="approvers")
    dana.groups.add(approvers)
    approvers.user_set.remove(dana)
    membership = Membership.objects.create(user=dana, unit=BusinessUnitFactory(name="Legal"))
    membership.role = Membership.Role.MANAGER
    membership.save()
    membership.delete()
    assert audit(dana) == [
        ("granted", "group approvers", "changed here"),
        ("revoked", "group approvers", "changed here"),
        ("granted", "member of Legal", "changed here"),
        ("changed", "manager of Legal (was member)", "changed here"),
        ("revoked", "manager of Legal", "changed here"),
    ]


def test_deleting_a_user_with_memberships_works():
    dana = UserFactory(username="dana")
    Membership.objects.create(user=dana, unit=BusinessUnitFactory(name="Legal"))
    dana.delete()
    assert not RoleChange.objects.exists()
