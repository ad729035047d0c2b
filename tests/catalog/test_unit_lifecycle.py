"""A unit's deprecated models show their dates, their successor and a way forward (issue 28,
item 2)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import SuccessorReviewAsk
from tests.catalog.test_pages_dashboards import _adopt
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sonnet(unit):
    """Sonnet 4.5, deprecated a week ago, retiring in 20 days; its successor is named."""
    today = timezone.localdate()
    successor = AIModelFactory(name="Claude Sonnet 5.5", status="under_review")
    old = AIModelFactory(
        name="Claude Sonnet 4.5",
        status="deprecated",
        input_price_per_mtok=Decimal("3"),
        deprecation_date=today - timedelta(days=7),
        retirement_date=today + timedelta(days=20),
        successor=successor,
    )
    return _adopt(unit, old, "Code review assistant", 60_000_000, 12_000_000)


def test_the_unit_page_badges_a_deprecated_adoption_and_names_its_successor(client, member, sonnet):
    client.force_login(member)
    page = client.get("/business-units/marketing/").content.decode()
    assert "retires in 20 days" in page and "Deprecated" in page
    assert "Successor:" in page and "Claude Sonnet 5.5" in page and "Under review" in page
    assert "Ask governance to review it" in page and "Request the successor" not in page


def test_governance_is_asked_once_and_the_page_says_so(
    client, member, catalog_admin, sonnet, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/adoptions/{sonnet.pk}/ask-review/", follow=True)
        again = client.post(f"/adoptions/{sonnet.pk}/ask-review/", follow=True)
    assert "asked to review Claude Sonnet 5.5" in first.content.decode()
    assert "already asked" in again.content.decode()
    assert [m.to for m in mailoutbox] == [["carol@example.com"]]
    assert SuccessorReviewAsk.objects.count() == 1
    page = client.get("/business-units/marketing/").content.decode()
    assert "Governance was asked to review it on" in page
    assert "Ask governance to review it" not in page


def test_request_the_successor_opens_a_form_with_the_same_use_case_and_volumes(
    client, member, sonnet
):
    sonnet.model.successor.status = "approved"
    sonnet.model.successor.save()
    client.force_login(member)
    page = client.get("/business-units/marketing/").content.decode()
    link = f"/requests/new/?model={sonnet.model.successor.slug}&amp;replaces={sonnet.pk}"
    assert link in page and "Request the successor" in page
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'value="Code review assistant"' in form
    assert 'value="60000000"' in form and 'value="12000000"' in form
    assert '<option value="marketing" selected>' in form
