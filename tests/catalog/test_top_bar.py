"""The top bar on every page: the approver's queue, the user's units, read in one query."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import APPROVERS_GROUP, Membership
from tests.factories import BusinessUnitFactory

pytestmark = pytest.mark.django_db


def _bar(html: str) -> str:
    found = re.search(r'<header class="topbar">(.*?)</header>', html, re.S)
    assert found
    return found.group(1)


def test_a_member_of_one_unit_gets_a_link_to_it_and_no_approvals(client, member):
    client.force_login(member)
    bar = _bar(client.get("/").content.decode())
    assert '<a href="/business-units/marketing/" >My unit</a>' in bar
    assert "Approvals" not in bar and "My units" not in bar


def test_a_member_of_several_units_gets_them_by_name_and_each_role_change_shows_at_once(
    client, member, other_unit
):
    Membership.objects.create(user=member, unit=other_unit, role=Membership.Role.MEMBER)
    BusinessUnitFactory(slug="apart", name="A unit apart")  # not the member's
    client.force_login(member)
    bar = _bar(client.get("/").content.decode())
    assert re.findall(r'<a href="/business-units/([^/]+)/">([^<]+)</a>', bar) == [
        ("engineering", "Engineering"),
        ("marketing", "Marketing"),
    ]
    member.groups.add(Group.objects.get_or_create(name=APPROVERS_GROUP)[0])
    Membership.objects.filter(user=member, unit=other_unit).delete()
    bar = _bar(client.get("/").content.decode())
    assert "Approvals" in bar and "My unit</a>" in bar and "My units" not in bar


def test_the_bar_reads_groups_and_units_in_one_query_that_also_answers_the_page(
    client, approver, unit
):
    Membership.objects.create(user=approver, unit=unit, role=Membership.Role.MEMBER)
    client.force_login(approver)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/accounts/profile/").content.decode()
    assert "Approvals" in _bar(html) and "My unit</a>" in _bar(html)
    assert " · approver" in html  # the profile's own role check, after the bar
    groups = [q["sql"] for q in queries if "auth_group" in q["sql"]]
    assert len(groups) == 1 and "businessunit" in groups[0], groups
