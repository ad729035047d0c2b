"""A price set by hand (admin, API) or by an import is a price change like a synced one:
exactly one ledger entry, and the managers of units using the model are told with the cost
impact and the budget check, as a sync would tell them."""

from decimal import Decimal

import pytest

from catalog.choices import PriceSource
from catalog.models import AIModel, PriceObservation
from catalog.services.catalog_import import models_import_litellm
from tests.catalog.admin_support import admin_form_data, edit_in_admin
from tests.catalog.api_support import adopt, token_client
from tests.factories import AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db
M = 1_000_000


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def used_model(unit, manager):
    """A model Marketing uses for 100M input tokens a month: $100 at today's $1 price."""
    model = AIModelFactory(
        name="Haiku",
        slug="haiku",
        input_price_per_mtok=Decimal("1"),
        output_price_per_mtok=Decimal("0"),
    )
    adopt(unit, model, expected_monthly_input_tokens=100 * M)
    return model


def test_a_price_edited_in_the_admin_writes_one_ledger_entry_and_tells_the_units_managers(
    client, root, used_model, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = edit_in_admin(client, root, used_model, input_price_per_mtok="1.5")
    assert response.status_code == 302, response.content.decode()[:3000]
    used_model.refresh_from_db()
    assert used_model.input_price_per_mtok == Decimal("1.5")
    ledger = PriceObservation.objects.filter(model=used_model)
    assert list(ledger.values_list("input_price_per_mtok", "source")) == [
        (Decimal("1.5"), PriceSource.MANUAL)
    ]
    assert used_model.price_checked_at == ledger.get().observed_at
    (mail,) = mailoutbox
    assert mail.to == ["frank@example.com"]
    assert mail.subject == "[Modelshelf] 1 change(s) to models Marketing uses"
    assert "Haiku (Drafting replies): price $1/$0 → $1.5/$0" in mail.body
    assert "$100.00 → $150.00 (+50.00 USD)" in mail.body
    assert used_model.history.latest().history_user == root


def test_saving_the_admin_form_without_a_price_change_writes_and_tells_nothing(
    client, root, used_model, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = edit_in_admin(client, root, used_model, family="claude")
    assert response.status_code == 302
    assert AIModel.objects.get(pk=used_model.pk).family == "claude"
    assert not PriceObservation.objects.filter(model=used_model).exists()
    assert mailoutbox == []


def test_a_price_added_in_the_admin_opens_the_ledger(client, root, used_model):
    client.force_login(root)
    data = admin_form_data(root, used_model, slug="new-one", vendor_model_id="new-one")
    response = client.post("/admin/catalog/aimodel/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = AIModel.objects.get(slug="new-one")
    assert created.price_observations.count() == 1
    assert created.price_checked_at is not None


def test_a_price_patched_through_the_api_tells_the_managers_and_checks_the_budget(
    catalog_admin, unit, used_model, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(catalog_admin).patch(
            "/api/v1/models/haiku/",
            {"input_price_per_mtok": "12"},  # $1,200 a month against a $1,000 budget
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    assert PriceObservation.objects.filter(model=used_model).count() == 1
    subjects = sorted(m.subject for m in mailoutbox)
    assert subjects == [
        "[Modelshelf] 1 change(s) to models Marketing uses",
        "[Modelshelf] Marketing is forecast over its monthly AI budget",
    ]
    assert all(m.to == ["frank@example.com"] for m in mailoutbox)
    unit.refresh_from_db()
    assert unit.over_budget_since is not None


def test_a_deprecation_date_set_by_hand_is_announced_like_a_synced_one(
    catalog_admin, used_model, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        token_client(catalog_admin).patch(
            "/api/v1/models/haiku/",
            {"deprecation_date": "2031-01-31"},
            content_type="application/json",
        )
    (mail,) = mailoutbox
    assert "Haiku (Drafting replies): deprecated on 2031-01-31" in mail.body
    assert not PriceObservation.objects.filter(model=used_model).exists()


def test_a_price_changed_by_an_import_tells_the_managers_like_a_sync(
    unit, manager, mailoutbox, django_capture_on_commit_callbacks
):
    entry = {"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": 1e-06}
    models_import_litellm(raw={"acme/haiku": entry})
    model = AIModel.objects.get(price_source_key="acme/haiku")
    adopt(unit, model, expected_monthly_input_tokens=100 * M)
    with django_capture_on_commit_callbacks(execute=True):
        models_import_litellm(raw={"acme/haiku": entry | {"input_cost_per_token": 2e-06}})
    assert model.price_observations.count() == 2
    (mail,) = mailoutbox
    assert mail.to == ["frank@example.com"]
    assert "price $1/— → $2/—" in mail.body and "$100.00 → $200.00" in mail.body


def test_a_lapsed_adoption_hears_no_price_news(
    client, root, unit, manager, mailoutbox, django_capture_on_commit_callbacks
):
    """Active in the table but past its expiry: the daily job has not run yet, the unit no longer
    may call the model, so its managers are not told what the model now costs them."""
    model = AIModelFactory(slug="lapsed", input_price_per_mtok=Decimal("1"))
    adopt(unit, model, days_left=-1)
    with django_capture_on_commit_callbacks(execute=True):
        response = edit_in_admin(client, root, model, input_price_per_mtok="2")
    assert response.status_code == 302
    assert mailoutbox == []
