"""The model page, the compare page, and uptime as computed from the availability ledger."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.choices import AvailabilityStatus, ModelStatus, PriceUnit
from catalog.models import Adoption, AvailabilityCheck, Specialty
from tests.catalog.admin_support import edit_in_admin
from tests.catalog.api_support import token_client
from tests.catalog.pages import add_history
from tests.factories import AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browse(client, member):
    client.force_login(member)
    return client


def test_model_page_shows_specs_lifecycle_history_units_and_request_button(
    browse, unit, catalog_admin
):
    successor = AIModelFactory(name="Sonnet 5")
    model = AIModelFactory(
        name="Sonnet 4",
        parameters=70_000_000_000,
        parameters_estimated=True,
        deprecation_date=timezone.now().date() + timedelta(days=30),
        successor=successor,
    )
    add_history(model)
    now = timezone.now()
    Adoption.objects.create(
        unit=unit,
        model=model,
        use_case="Ticket triage",
        approved_at=now,
        expires_at=now + timedelta(days=30),
    )
    model._history_user = catalog_admin
    model.license = "Proprietary"
    model.save()
    html = browse.get(f"/models/{model.slug}/").content.decode()
    assert "70B parameters (est.)" in html
    assert f'href="/models/{successor.slug}/"' in html and "Successor" in html
    assert 'data-chart="price"' in html and "Price history as a table" in html
    assert html.count('<td class="num">$30.00</td>') == 1  # the oldest observation
    assert "Uptime 24h" in html and "Uptime 30d" in html
    assert "Marketing</a> — Ticket triage" in html
    assert "<strong>carol</strong>" in html and "License → Proprietary" in html
    assert f'href="/requests/new/?model={model.slug}" role="button">Request approval' in html


def test_changes_to_specialties_and_allowed_units_are_in_the_audit_history(
    client, member, unit, other_unit, catalog_admin
):
    model = AIModelFactory(name="Sonnet 4", status=ModelStatus.RESTRICTED, specialties=["chat"])
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    code = Specialty.objects.get(slug="code")
    response = edit_in_admin(
        client, root, model, specialties=[code.pk], allowed_units=[unit.pk, other_unit.pk]
    )
    assert response.status_code == 302
    token_client(catalog_admin).patch(
        f"/api/v1/models/{model.slug}/",
        {"specialties": ["code", "reasoning"]},
        content_type="application/json",
    )

    client.force_login(member)
    html = client.get(f"/models/{model.slug}/").content.decode()
    audit = html[html.index("Audit history") :]
    assert "<strong>root</strong>" in audit and "<strong>carol</strong>" in audit
    assert "Specialties → +Code, −Chat" in audit
    assert "Allowed units → +Engineering, +Marketing" in audit
    assert "Specialties → +Reasoning" in audit

    client.force_login(root)
    admin_history = client.get(f"/admin/catalog/aimodel/{model.pk}/history/").content.decode()
    assert "Engineering" in admin_history and "Reasoning" in admin_history


def test_allowed_units_changed_from_the_units_side_are_in_the_models_audit_history(
    unit, other_unit
):
    """A change made through the reverse accessor used to crash (the unit has no history)."""
    kept = AIModelFactory(name="Kept", status=ModelStatus.RESTRICTED)
    model = AIModelFactory(name="Sonnet 4", status=ModelStatus.RESTRICTED)
    model.allowed_units.set([unit, other_unit])
    kept.allowed_units.set([other_unit])

    unit.restricted_models.clear()
    other_unit.restricted_models.remove(kept)

    def audited_units(ai_model):
        return {row.businessunit.slug for row in ai_model.history.latest().allowed_units.all()}

    assert audited_units(model) == {"engineering"}
    assert audited_units(kept) == set()


def test_retired_model_cannot_be_requested_from_its_page(browse):
    model = AIModelFactory(status=ModelStatus.RETIRED)
    html = browse.get(f"/models/{model.slug}/").content.decode()
    assert "Retired models cannot be requested" in html
    assert "/requests/new/" not in html


def test_unknown_model_is_404(browse):
    assert browse.get("/models/nothing-here/").status_code == 404


def test_model_page_shows_uptime_from_the_availability_ledger(browse):
    model = AIModelFactory()
    now = timezone.now()
    for hours_ago, status in [
        (24 * 40, AvailabilityStatus.UP),
        (12, AvailabilityStatus.DOWN),
        (6, AvailabilityStatus.DEGRADED),
    ]:
        AvailabilityCheck.objects.create(
            model=model, checked_at=now - timedelta(hours=hours_ago), status=status
        )
    html = browse.get(f"/models/{model.slug}/").content.decode()
    uptime = dict(re.findall(r"Uptime (\w+)</span><span class=\"stat-value\">([^<]+)<", html))
    assert uptime == {"24h": "75.0%", "7d": "96.4%", "30d": "99.2%"}


def test_compare_shows_models_side_by_side_highlighting_differences(browse):
    a = AIModelFactory(name="Alpha", context_window=128_000)
    b = AIModelFactory(
        name="Beta", context_window=200_000, input_price_per_mtok=None, output_price_per_mtok=None
    )
    html = browse.get("/compare/", {"m": [a.slug, b.slug]}).content.decode()
    assert html.index("Alpha") < html.index("Beta")
    found = re.findall(r'<tr( class="differs")?>\s*<th scope="row">([^<]+)', html)
    rows = {label.strip(): bool(differs) for differs, label in found}
    assert rows["Context window"] and rows["Input price"]
    assert not rows["Status"] and not rows["Cleared for"]
    assert "unpriced" in html


def test_compare_takes_four_models_at_most_and_names_unknown_ones(browse):
    models = [AIModelFactory() for _ in range(5)]
    html = browse.get("/compare/", {"m": [m.slug for m in models] + ["ghost"]}).content.decode()
    assert "Only the first 4 models are compared" in html
    assert models[4].name not in html
    assert (
        "Not in the catalog: ghost." in browse.get("/compare/", {"m": ["ghost"]}).content.decode()
    )


def test_the_audit_history_names_links_and_reads_values_not_raw_ids(client, member, catalog_admin):
    successor = AIModelFactory(name="Llama Next")
    model = AIModelFactory(name="Llama", open_weights=False)
    model._history_user = catalog_admin
    model.successor = successor
    model.parameters = 27_000_000_000
    model.open_weights = True
    model.input_price_per_mtok = Decimal("1.24999")
    model.save()
    client.force_login(member)
    html = client.get(f"/models/{model.slug}/").content.decode()
    audit = html[html.index("Audit history") :]
    assert "Successor → Llama Next" in audit and "Parameters → 27B" in audit
    assert "Open weights → yes" in audit and "Input price → $1.25" in audit
    assert f"→ {successor.pk}<" not in audit and "True" not in audit


def test_the_cost_calculator_answers_htmx_with_the_request_forms_estimate(client, member):
    client.force_login(member)
    chat = AIModelFactory(input_price_per_mtok=Decimal("3"), output_price_per_mtok=Decimal("15"))
    fragment = client.get(
        f"/models/{chat.slug}/",
        {"expected_monthly_input_tokens": "10000000", "expected_monthly_output_tokens": "2000000"},
        headers={"HX-Request": "true"},
    )
    assert fragment.content.decode().strip().startswith('<p id="live-cost"')
    assert "$60.00" in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]
    for bad in ("-5", "1e3", "ten", "\u0661\u0662"):
        answer = client.get(
            f"/models/{chat.slug}/",
            {"expected_monthly_input_tokens": bad},
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 200, bad
    page = client.get(f"/models/{chat.slug}/", {"expected_monthly_input_tokens": "1000000"})
    assert "$3.00" in page.content.decode()  # without JavaScript the form is a plain GET

    images = AIModelFactory(
        price_unit=PriceUnit.PER_IMAGE,
        input_price_per_mtok=None,
        output_price_per_mtok=Decimal("0.04"),
    )
    page = client.get(f"/models/{images.slug}/", {"expected_monthly_output_tokens": "100"})
    assert "Images a month" in page.content.decode() and "$4.00" in page.content.decode()
    unpriced = AIModelFactory(input_price_per_mtok=None, output_price_per_mtok=None)
    assert "unpriced here" in client.get(f"/models/{unpriced.slug}/").content.decode()
