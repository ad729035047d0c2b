"""The claims → roles mapping, on generated claims: whatever the provider sends, a role is
granted only for a group the claims really hold, and junk is refused, never guessed at."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.idp_roles import ClaimsError, GroupMapping, IdpRoles, UnitGroups, roles_from_claims

GROUP_NAMES = st.sampled_from(
    ["approvers", "catalog-admins", "mkt-members", "mkt-managers", "eng-members", "Approvers", ""]
) | st.text(max_size=12)
JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=10,
)
MAPPING = GroupMapping(
    claim="groups",
    approver_groups=("approvers",),
    catalog_admin_groups=("catalog-admins", "root-admins"),
)
UNITS = [UnitGroups(1, "mkt-members", "mkt-managers"), UnitGroups(2, "eng-members", "")]
CLAIMS = st.fixed_dictionaries(
    {},
    optional={
        "sub": st.text(max_size=20) | JSON,
        "groups": st.lists(GROUP_NAMES, max_size=8) | JSON,
        "email": JSON,
    },
)


def granting_groups(roles: IdpRoles) -> set[str]:
    return set(roles.groups.values()) | {group for _role, group in roles.units.values()}


@settings(max_examples=300, deadline=None)
@given(claims=CLAIMS)
def test_every_role_granted_comes_from_a_group_the_claims_hold(claims):
    try:
        roles = roles_from_claims(claims, mapping=MAPPING, units=UNITS)
    except ClaimsError:
        sub, groups = claims.get("sub"), claims.get("groups", [])
        well_formed = isinstance(groups, list | None) and all(
            isinstance(g, str) for g in groups or []
        )
        usable_sub = isinstance(sub, str) and sub.strip() and len(sub) <= 255 and "\x00" not in sub
        assert not (usable_sub and well_formed)
        return
    held = set(claims.get("groups") or [])
    assert granting_groups(roles) <= held
    assert ("approvers" in roles.groups) == ("approvers" in held)
    assert ("catalog-admins" in roles.groups) == bool(held & {"catalog-admins", "root-admins"})
    assert set(roles.groups) <= {"approvers", "catalog-admins"}
    assert set(roles.units) <= {1, 2}


@given(groups=st.lists(GROUP_NAMES, max_size=8))
def test_the_manager_group_wins_over_the_member_group_and_empty_names_grant_nothing(groups):
    roles = roles_from_claims({"sub": "s", "groups": groups}, mapping=MAPPING, units=UNITS)
    if "mkt-managers" in groups:
        assert roles.units[1] == ("manager", "mkt-managers")
    elif "mkt-members" in groups:
        assert roles.units[1] == ("member", "mkt-members")
    else:
        assert 1 not in roles.units
    assert 2 not in roles.units or roles.units[2] == ("member", "eng-members")


def test_a_missing_groups_claim_means_no_roles():
    assert roles_from_claims({"sub": "s"}, mapping=MAPPING, units=UNITS) == IdpRoles()


def test_group_names_match_exactly():
    roles = roles_from_claims(
        {"sub": "s", "groups": ["Approvers", " approvers", "/approvers"]},
        mapping=MAPPING,
        units=UNITS,
    )
    assert roles == IdpRoles()


def test_a_custom_groups_claim_is_read():
    mapping = GroupMapping(claim="roles", approver_groups=("approvers",))
    roles = roles_from_claims(
        {"sub": "s", "roles": ["approvers"], "groups": "junk"}, mapping=mapping, units=[]
    )
    assert roles.groups == {"approvers": "approvers"}


def test_an_entra_group_overage_is_refused_rather_than_read_as_no_groups():
    claims = {"sub": "s", "_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {}}}
    with pytest.raises(ClaimsError, match="too many groups"):
        roles_from_claims(claims, mapping=MAPPING, units=UNITS)
