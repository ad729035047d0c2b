"""People without a unit find one and ask to join; its managers let them in on the unit page
(issue 28, item 6)."""

from decimal import Decimal

import pytest

from accounts.models import JoinRequest, Membership
from tests.catalog.test_pages_dashboards import _adopt
from tests.factories import AIModelFactory, BusinessUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def codestral(unit):
    model = AIModelFactory(name="Codestral", input_price_per_mtok=Decimal("1"))
    _adopt(unit, model, "Code review", 1, 1)
    return model


def test_the_directory_lists_each_unit_its_managers_and_models(
    client, outsider, manager, codestral
):
    client.force_login(outsider)
    page = client.get("/business-units/").content.decode()
    assert "Marketing" in page and "frank" in page and "Codestral" in page
    assert "Ask to join" in page and "You are not in a unit yet" in page


def test_the_directory_reads_a_fixed_number_of_queries(
    client, outsider, manager, codestral, django_assert_num_queries
):
    client.force_login(outsider)
    client.get("/business-units/")
    for n in range(5):
        unit = BusinessUnitFactory(slug=f"extra-{n}")
        _adopt(unit, AIModelFactory(), "Drafts", 1, 1)
        Membership.objects.create(user=UserFactory(), unit=unit, role=Membership.Role.MANAGER)
    # session and user, units, managers, models, memberships, asks, the bar's groups and units
    with django_assert_num_queries(7):
        client.get("/business-units/")


def test_without_a_unit_a_model_page_points_to_the_directory_not_to_a_request(
    client, outsider, member, codestral
):
    codestral.status = "approved"
    codestral.save()
    client.force_login(outsider)
    page = client.get(f"/models/{codestral.slug}/").content.decode()
    assert "Find your unit" in page and "?model=" not in page
    client.force_login(member)
    assert "Request approval" in client.get(f"/models/{codestral.slug}/").content.decode()


def test_a_manager_lets_someone_in_who_asked_on_the_unit_page(
    client, outsider, manager, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/business-units/marketing/join/", {"message": "Analytics"}, follow=True
        )
    assert "Asked to join Marketing" in response.content.decode()
    assert "You asked to join Marketing" in response.content.decode()
    assert client.post("/business-units/marketing/join/", follow=True).status_code == 200
    assert JoinRequest.objects.filter(user=outsider).count() == 1  # asked once, not twice
    assert [m.to for m in mailoutbox] == [["frank@example.com"]]

    client.force_login(manager)
    page = client.get("/business-units/marketing/").content.decode()
    assert "Let victor join" in page and "Analytics" in page
    ask = JoinRequest.objects.get(user=outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/join-requests/{ask.pk}/approve/", follow=True)
    assert "victor is now a member of Marketing" in response.content.decode()
    assert Membership.objects.get(user=outsider).role == Membership.Role.MEMBER
    assert mailoutbox[-1].to == ["victor@example.com"]


def test_only_the_units_managers_decide_who_joins(client, outsider, member, manager):
    ask = JoinRequest.objects.create(user=outsider, unit=manager.memberships.get().unit)
    client.force_login(member)
    response = client.post(f"/join-requests/{ask.pk}/approve/", follow=True)
    assert "Only the unit&#x27;s managers" in response.content.decode()
    assert JoinRequest.objects.get(pk=ask.pk).status == JoinRequest.Status.PENDING
    assert not Membership.objects.filter(user=outsider).exists()
