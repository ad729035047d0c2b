"""Single sign-on against a real OpenID provider process on loopback (no mocked client)."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import IdpGroupGrant, Membership, RoleChange, User
from tests.factories import BusinessUnitFactory
from tests.oidc import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing(db):
    return BusinessUnitFactory(
        slug="marketing",
        name="Marketing",
        idp_member_group="marketing-members",
        idp_manager_group="marketing-managers",
    )


def test_first_sign_in_creates_the_user_keyed_on_sub_with_the_roles_its_groups_grant(
    client, sso, marketing
):
    sso.set_user(
        "sub-alice",
        preferred_username="alice",
        given_name="Alice",
        email="alice@example.com",
        groups=["marketing-members", "approvers"],
    )
    response = sign_in(client, sso, "sub-alice")
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(oidc_sub="sub-alice")
    assert (user.username, user.first_name, user.email) == ("alice", "Alice", "alice@example.com")
    assert not user.has_usable_password()
    assert user.is_approver
    membership = Membership.objects.get(user=user)
    assert (membership.unit, membership.role, membership.source) == (
        marketing,
        Membership.Role.MEMBER,
        Membership.Source.IDP,
    )
    assert set(RoleChange.objects.filter(user=user).values_list("role", "reason")) == {
        ("group approvers", "granted by IdP group approvers"),
        ("member of Marketing", "granted by IdP group marketing-members"),
    }
    assert client.get("/").status_code == 200


def test_name_and_email_are_refreshed_and_the_user_is_found_by_sub_not_email(client, sso):
    sso.set_user("sub-dana", preferred_username="dana", given_name="Dana", email="d@example.com")
    sign_in(client, sso, "sub-dana")
    client.logout()
    sso.set_user("sub-dana", given_name="Dana R.", email="dana.r@example.com")
    sign_in(client, sso, "sub-dana")
    user = User.objects.get(oidc_sub="sub-dana")
    assert (user.first_name, user.email) == ("Dana R.", "dana.r@example.com")
    # Another subject with the same e-mail is another person, never this account.
    client.logout()
    sso.set_user("sub-other", preferred_username="dana", email="dana.r@example.com")
    sign_in(client, sso, "sub-other")
    other = User.objects.get(oidc_sub="sub-other")
    assert other.pk != user.pk
    assert other.username.startswith("dana-")


def test_a_local_user_with_the_same_username_is_not_taken_over(client, sso):
    local = User.objects.create_user("erin", password="local-secret-123")
    sso.set_user("sub-erin", preferred_username="erin")
    sign_in(client, sso, "sub-erin")
    assert User.objects.get(oidc_sub="sub-erin").pk != local.pk
    local.refresh_from_db()
    assert local.oidc_sub is None and local.check_password("local-secret-123")


def test_roles_the_idp_no_longer_grants_are_removed_at_the_next_sign_in(client, sso, marketing):
    sso.set_user("sub-bob", groups=["approvers", "marketing-managers"])
    sign_in(client, sso, "sub-bob")
    user = User.objects.get(oidc_sub="sub-bob")
    assert user.is_approver and user.memberships.get().role == Membership.Role.MANAGER
    client.logout()

    sso.set_user("sub-bob", groups=["marketing-members"])
    sign_in(client, sso, "sub-bob")
    user = User.objects.get(oidc_sub="sub-bob")
    assert not user.is_approver
    assert user.memberships.get().role == Membership.Role.MEMBER
    assert not IdpGroupGrant.objects.filter(user=user).exists()
    reasons = list(RoleChange.objects.filter(user=user).values_list("action", "role"))
    assert ("revoked", "group approvers") in reasons
    assert ("changed", "member of Marketing (was manager)") in reasons


def test_a_user_whose_groups_are_all_removed_keeps_no_role_but_local_grants_survive(
    client, sso, marketing
):
    engineering = BusinessUnitFactory(slug="engineering", name="Engineering")
    sso.set_user("sub-gus", groups=["approvers", "catalog-admins", "marketing-managers"])
    sign_in(client, sso, "sub-gus")
    user = User.objects.get(oidc_sub="sub-gus")
    # An admin grants a membership here, by hand: it is local and stays.
    Membership.objects.create(user=user, unit=engineering, role=Membership.Role.MEMBER)
    client.logout()

    sso.set_user("sub-gus", groups=[])
    sign_in(client, sso, "sub-gus")
    user = User.objects.get(oidc_sub="sub-gus")
    assert not user.groups.exists()
    assert list(user.memberships.values_list("unit__slug", "source")) == [("engineering", "local")]


def test_a_group_granted_locally_before_the_idp_granted_it_stays_when_the_idp_drops_it(client, sso):
    sso.set_user("sub-hal", groups=[])
    sign_in(client, sso, "sub-hal")
    user = User.objects.get(oidc_sub="sub-hal")
    user.groups.add(Group.objects.get_or_create(name="approvers")[0])
    client.logout()
    sso.set_user("sub-hal", groups=["approvers"])
    sign_in(client, sso, "sub-hal")
    client.logout()
    sso.set_user("sub-hal", groups=[])
    sign_in(client, sso, "sub-hal")
    assert User.objects.get(oidc_sub="sub-hal").is_approver


def test_a_deactivated_user_cannot_sign_in_through_sso(client, sso):
    sso.set_user("sub-ivy", groups=[])
    sign_in(client, sso, "sub-ivy")
    client.logout()
    User.objects.filter(oidc_sub="sub-ivy").update(is_active=False)
    response = sign_in(client, sso, "sub-ivy")
    assert response.status_code == 400
    assert "deactivated" in response.content.decode()
    assert client.get("/").status_code == 302
