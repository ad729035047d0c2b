"""Issue 15, items 8, 10, 12, 13, 17, 18: friendly errors, small budgets, vendors in scope,
labelled errors, search length, real paging."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.choices import ModelStatus, PriceSource
from catalog.models import PriceObservation
from catalog.services.catalog_import import vendor_display_name
from tests.catalog.test_pages_dashboards import _adopt
from tests.factories import AIModelFactory, VendorFactory

pytestmark = pytest.mark.django_db


def test_a_non_approver_at_approvals_gets_our_404_page_even_with_debug_on(client, member, settings):
    settings.DEBUG = True
    client.force_login(member)
    response = client.get("/approvals/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and "Back to the catalog" in html
    assert "URLconf" not in html and "Traceback" not in html


def test_an_unknown_model_in_the_api_is_still_a_json_404(client, member, settings):
    settings.DEBUG = True
    client.force_login(member)
    response = client.get("/api/v1/models/no-such-model/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_the_login_page_footer_has_no_api_link_that_would_answer_401(client):
    html = client.get("/accounts/login/").content.decode()
    assert "/api/v1/docs/" not in html


def test_a_spend_under_one_percent_reads_under_one_percent_with_a_sliver(client, member, unit):
    unit.monthly_budget = Decimal("5000.00")
    unit.save()
    model = AIModelFactory(input_price_per_mtok=Decimal("1"), output_price_per_mtok=Decimal("2"))
    _adopt(unit, model, "Drafts", 5_000_000, 1_000_000)  # $7.00 a month
    client.force_login(member)
    html = client.get(f"/business-units/{unit.slug}/").content.decode()
    assert "Budget used: &lt;1 %" in html
    assert 'value="1" max="100"' in html


def test_the_vendor_filter_lists_only_vendors_with_models_in_the_status_shown(client, member):
    shown = VendorFactory(slug="shown", name="Shown")
    VendorFactory(slug="empty", name="Empty")
    AIModelFactory(vendor=shown)
    AIModelFactory(vendor=VendorFactory(slug="review", name="Review"), status="under_review")
    client.force_login(member)
    approved = client.get("/").content.decode()
    assert 'value="shown"' in approved
    assert 'value="empty"' not in approved and 'value="review"' not in approved
    reviewing = client.get("/", {"status": ModelStatus.UNDER_REVIEW}).content.decode()
    assert 'value="review"' in reviewing and 'value="shown"' not in reviewing
    assert 'value="empty"' in client.get("/", {"status": "any"}).content.decode()


@pytest.mark.parametrize(
    ("provider", "name"),
    [
        ("vertex_ai", "Vertex AI"),
        ("fireworks_ai-embedding-models", "Fireworks AI Embedding Models"),
        ("aws_bedrock", "AWS Bedrock"),
    ],
)
def test_imported_vendor_names_keep_acronyms_in_capitals(provider, name):
    assert vendor_display_name(provider) == name


def test_the_search_box_is_limited_to_what_the_filter_accepts(client, member):
    client.force_login(member)
    assert 'name="search"' in (html := client.get("/").content.decode())
    assert 'maxlength="200"' in html


def test_an_empty_search_names_the_matches_in_other_statuses(client, member):
    AIModelFactory(name="Gemini Old", status=ModelStatus.DEPRECATED)
    client.force_login(member)
    html = client.get("/", {"search": "gemini"}, headers={"HX-Request": "true"}).content.decode()
    assert "No approved model matches these filters." in html
    assert "1 match in other statuses" in html and "status=any" in html
    anywhere = client.get("/", {"search": "nothing-like-it"}).content.decode()
    assert "in other statuses" not in anywhere


def test_the_unit_page_lists_price_changes_not_first_imports(client, member, unit):
    changed = AIModelFactory(name="Changed")
    imported = AIModelFactory(name="Imported")
    for model in (changed, imported):
        _adopt(unit, model, "Drafts", 1, 1)
    now = timezone.now()
    for model, when, price in (
        (changed, now - timedelta(days=5), "2"),
        (changed, now - timedelta(days=1), "3"),
        (imported, now - timedelta(days=5), "4"),
    ):
        PriceObservation.objects.create(
            model=model,
            observed_at=when,
            input_price_per_mtok=Decimal(price),
            source=PriceSource.MANUAL,
        )
    client.force_login(member)
    html = client.get(f"/business-units/{unit.slug}/").content.decode()
    changes = html[html.index("Price changes") :]
    assert "Changed</a>: $3.00" in changes and "Imported</a>:" not in changes
