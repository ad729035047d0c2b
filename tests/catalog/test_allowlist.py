"""A unit's allow-list is exactly what it may call now, and a model leaving it is announced.

DESIGN.md "Truth rules (second wave)": active, unexpired adoptions of models that are approved,
deprecated, or restricted with the unit in `allowed_units`, and not retired.
"""

from datetime import date
from decimal import Decimal

import pytest
import yaml
from django.contrib.admin import site
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Membership
from catalog.choices import ModelStatus
from catalog.models import AIModel
from catalog.tasks.approvals import expire_adoptions
from tests.catalog.api_support import adopt, token_client
from tests.factories import AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db

ALLOW_LIST = "/api/v1/business-units/marketing/models/"


def listed(user, fmt: str = "json") -> set[str]:
    api = token_client(user)
    if fmt == "litellm":
        config = yaml.safe_load(api.get(f"{ALLOW_LIST}?format=litellm").content)
        return {d["model_name"] for d in config["model_list"]}
    return {
        row["model"]["slug"] for row in api.get(f"{ALLOW_LIST}?page_size=100").json()["results"]
    }


@pytest.fixture
def gpt(unit):
    model = AIModelFactory(slug="gpt", name="GPT")
    adopt(unit, model, expected_monthly_input_tokens=1_000_000)
    return model


@pytest.fixture
def engineering_manager(other_unit):
    user = UserFactory(username="erin")
    Membership.objects.create(user=user, unit=other_unit, role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def set_status(model: AIModel, status: str) -> None:
    model.status = status
    model.save()


@pytest.mark.parametrize("fmt", ["json", "litellm"])
def test_allow_list_drops_a_retired_model_and_its_etag_changes(outsider, gpt, fmt):
    api = token_client(outsider)
    url = f"{ALLOW_LIST}?format={fmt}"
    etag = api.get(url)["ETag"]
    assert listed(outsider, fmt) == {"gpt"}

    set_status(gpt, ModelStatus.RETIRED)

    again = api.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again["ETag"] != etag
    assert listed(outsider, fmt) == set()


def test_allow_list_drops_a_model_sent_back_under_review(outsider, gpt):
    set_status(gpt, ModelStatus.UNDER_REVIEW)
    assert listed(outsider) == set()


def test_allow_list_drops_a_model_past_its_retirement_date(outsider, gpt):
    gpt.retirement_date = timezone.localdate()
    gpt.save()
    assert listed(outsider) == set()
    assert listed(outsider, "litellm") == set()


def test_allow_list_drops_a_restricted_model_once_the_unit_leaves_allowed_units(
    outsider, unit, other_unit, gpt
):
    gpt.allowed_units.set([unit, other_unit])
    set_status(gpt, ModelStatus.RESTRICTED)
    assert listed(outsider) == {"gpt"}

    gpt.allowed_units.remove(unit)

    assert listed(outsider) == set()
    assert listed(outsider, "litellm") == set()


def test_allow_list_keeps_a_deprecated_model_with_its_deprecation_date_and_successor(outsider, gpt):
    successor = AIModelFactory(slug="gpt-next", name="GPT next")
    gpt.status = ModelStatus.DEPRECATED
    gpt.deprecation_date = date(2030, 1, 31)
    gpt.retirement_date = date(2030, 6, 30)
    gpt.successor = successor
    gpt.save()

    (row,) = token_client(outsider).get(ALLOW_LIST).json()["results"]
    assert row["model"]["slug"] == "gpt"
    assert row["deprecation_date"] == "2030-01-31"
    assert row["retirement_date"] == "2030-06-30"
    assert row["successor"] == "gpt-next"
    litellm = yaml.safe_load(token_client(outsider).get(f"{ALLOW_LIST}?format=litellm").content)
    info = litellm["model_list"][0]["model_info"]
    assert info["deprecation_date"] == "2030-01-31"
    assert info["successor"] == "gpt-next"


def test_a_current_model_carries_no_deprecation(outsider, gpt):
    (row,) = token_client(outsider).get(ALLOW_LIST).json()["results"]
    assert row["deprecation_date"] is None and row["successor"] is None
    litellm = yaml.safe_load(token_client(outsider).get(f"{ALLOW_LIST}?format=litellm").content)
    assert "deprecation_date" not in litellm["model_list"][0]["model_info"]


def test_a_lapsed_adoption_leaves_list_and_forecast_before_the_daily_job_runs(outsider, unit):
    pricey = AIModelFactory(slug="pricey", input_price_per_mtok=Decimal("10"))
    adopt(unit, pricey, days_left=-1, expected_monthly_input_tokens=10_000_000)  # $100
    api = token_client(outsider)

    assert listed(outsider) == set()
    detail = api.get("/api/v1/business-units/marketing/").json()
    assert detail["forecast_monthly_cost"] == "0.00"
    listing = api.get("/api/v1/business-units/").json()["results"]
    assert listing[0]["forecast_monthly_cost"] == "0.00"


def test_the_unit_page_shows_what_the_allow_list_serves(client, outsider, unit, gpt):
    kept = AIModelFactory(slug="kept", name="Kept model")
    adopt(unit, kept, expected_monthly_input_tokens=1_000_000)
    lapsed = AIModelFactory(slug="lapsed", name="Lapsed model")
    adopt(unit, lapsed, days_left=-1, expected_monthly_input_tokens=1_000_000)
    set_status(gpt, ModelStatus.RETIRED)
    client.force_login(outsider)

    html = client.get("/business-units/marketing/").content.decode()

    assert "Kept model" in html
    assert "Lapsed model" not in html and ">GPT<" not in html
    assert "$1.00" in html  # the forecast counts Kept alone


def test_a_lapsed_adoption_no_longer_counts_as_the_unit_using_the_model(client, outsider, unit):
    lapsed = AIModelFactory(slug="lapsed", name="Lapsed model")
    adopt(unit, lapsed, days_left=-1, use_case="Old drafts")
    used = token_client(outsider).get("/api/v1/models/?business_unit=marketing")
    assert used.json()["count"] == 0
    client.force_login(outsider)
    assert "Old drafts" not in client.get("/models/lapsed/").content.decode()


def test_the_adoptions_api_calls_a_lapsed_adoption_expired_before_the_daily_job(outsider, unit):
    lapsed = adopt(unit, AIModelFactory(slug="lapsed"), days_left=-1)
    current = adopt(unit, AIModelFactory(slug="current"))
    api = token_client(outsider)

    assert api.get(f"/api/v1/adoptions/{lapsed.pk}/").json()["status"] == "expired"
    assert api.get(f"/api/v1/adoptions/{current.pk}/").json()["status"] == "active"
    active = api.get("/api/v1/adoptions/?status=active").json()["results"]
    expired = api.get("/api/v1/adoptions/?status=expired").json()["results"]
    assert [a["id"] for a in active] == [current.pk]
    assert [a["id"] for a in expired] == [lapsed.pk]


# Telling the managers


def test_managers_are_told_once_when_a_model_they_use_is_retired(
    manager,
    engineering_manager,
    unit,
    other_unit,
    catalog_admin,
    gpt,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    AIModelFactory(slug="unused")
    api = token_client(catalog_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            "/api/v1/models/gpt/", {"status": "retired"}, content_type="application/json"
        )
    assert response.status_code == 200

    (mail,) = mailoutbox
    assert mail.to == ["frank@example.com"]
    assert mail.subject == "[Modelshelf] GPT left Marketing's allow-list"
    assert "GPT is retired" in mail.body
    assert "Drafting replies" in mail.body

    with django_capture_on_commit_callbacks(execute=True):
        api.patch("/api/v1/models/gpt/", {"name": "GPT (old)"}, content_type="application/json")
    assert len(mailoutbox) == 1


def test_removing_a_unit_from_allowed_units_tells_only_its_managers(
    manager,
    engineering_manager,
    unit,
    other_unit,
    gpt,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    adopt(other_unit, gpt)
    gpt.allowed_units.set([unit, other_unit])
    set_status(gpt, ModelStatus.RESTRICTED)

    with django_capture_on_commit_callbacks(execute=True):
        gpt.allowed_units.remove(unit)

    (mail,) = mailoutbox
    assert mail.to == ["frank@example.com"]
    assert "restricted to other units" in mail.body


def test_clearing_a_units_restricted_models_from_the_unit_side_tells_its_managers(
    manager, unit, gpt, mailoutbox, django_capture_on_commit_callbacks
):
    gpt.allowed_units.set([unit])
    set_status(gpt, ModelStatus.RESTRICTED)

    with django_capture_on_commit_callbacks(execute=True):
        unit.restricted_models.clear()

    (mail,) = mailoutbox
    assert mail.subject == "[Modelshelf] GPT left Marketing's allow-list"


def test_a_model_that_returns_and_leaves_again_is_announced_again(
    manager, unit, gpt, mailoutbox, django_capture_on_commit_callbacks
):
    for status in (ModelStatus.UNDER_REVIEW, ModelStatus.APPROVED, ModelStatus.RETIRED):
        with django_capture_on_commit_callbacks(execute=True):
            set_status(gpt, status)
    assert [m.subject for m in mailoutbox] == ["[Modelshelf] GPT left Marketing's allow-list"] * 2


def test_admin_restricting_a_model_tells_only_the_units_left_out(
    client,
    admin_user,
    manager,
    engineering_manager,
    unit,
    other_unit,
    gpt,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    adopt(other_unit, gpt)
    client.force_login(admin_user)
    data = admin_form_data(gpt, admin_user) | {
        "status": ModelStatus.RESTRICTED,
        "allowed_units": [unit.pk],
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/catalog/aimodel/{gpt.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert [m.to for m in mailoutbox] == [["erin@example.com"]]
    assert "Engineering" in mailoutbox[0].subject


def test_the_daily_job_announces_models_whose_retirement_date_passed(
    manager, unit, gpt, mailoutbox, django_capture_on_commit_callbacks
):
    AIModel.objects.filter(pk=gpt.pk).update(retirement_date=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        expire_adoptions()
        expire_adoptions()
    (mail,) = mailoutbox
    assert "retirement date" in mail.body


def test_an_adoption_that_lapses_is_not_announced_as_a_model_leaving(
    manager, unit, mailoutbox, django_capture_on_commit_callbacks
):
    lapsed = AIModelFactory(slug="old")
    adopt(unit, lapsed, days_left=-1)
    with django_capture_on_commit_callbacks(execute=True):
        set_status(lapsed, ModelStatus.RETIRED)
    assert mailoutbox == []


def admin_form_data(model: AIModel, user) -> dict[str, object]:
    """What the admin's change form posts back unchanged for `model` (inline included)."""
    request = RequestFactory().get("/")
    request.user = user
    form = site._registry[AIModel].get_form(request, model)(instance=model)
    data: dict[str, object] = {
        "price_observations-TOTAL_FORMS": "0",
        "price_observations-INITIAL_FORMS": "0",
        "price_observations-MIN_NUM_FORMS": "0",
        "price_observations-MAX_NUM_FORMS": "0",
    }
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value
    return data
