"""An adoption's operating terms: asked for in the request, set on approval, changed later by
who may (managers the alias; approvers and catalog admins the limits), and audited."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership
from catalog.models import Adoption, ApprovalRequest
from tests.factories import AIModelFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db
REQUESTS = "/api/v1/approval-requests/"
ADOPTIONS = "/api/v1/adoptions/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def model(db):
    return AIModelFactory(slug="mistral-small", vendor=VendorFactory(slug="mistral"))


def request_body(**overrides) -> dict:
    return {
        "model": "mistral-small",
        "business_unit": "marketing",
        "use_case": "Draft product descriptions",
        "data_classification": "internal",
        "expected_monthly_input_tokens": 10_000_000,
    } | overrides


@pytest.fixture
def adoption(member, approver, model) -> Adoption:
    asked = client_for(member).post(REQUESTS, request_body(), format="json").json()
    client_for(approver).post(f"{REQUESTS}{asked['id']}/approve/", {}, format="json")
    return Adoption.objects.get()


def test_the_limits_a_request_asks_for_become_the_adoptions_on_approval(member, approver, model):
    asked = client_for(member).post(
        REQUESTS,
        request_body(tpm_limit=20_000, rpm_limit=60, monthly_budget="150.00"),
        format="json",
    )
    assert asked.status_code == 201
    assert (asked.json()["tpm_limit"], asked.json()["monthly_budget"]) == (20_000, "150.00")

    approved = client_for(approver).post(f"{REQUESTS}{asked.json()['id']}/approve/", {})

    assert approved.status_code == 200
    terms = Adoption.objects.values("tpm_limit", "rpm_limit", "monthly_budget").get()
    assert terms == {"tpm_limit": 20_000, "rpm_limit": 60, "monthly_budget": Decimal("150.00")}


def test_the_approver_sets_other_limits_than_those_asked(member, approver, model):
    asked = client_for(member).post(REQUESTS, request_body(tpm_limit=50_000), format="json")

    client_for(approver).post(
        f"{REQUESTS}{asked.json()['id']}/approve/",
        {"tpm_limit": 10_000, "monthly_budget": "80"},
        format="json",
    )

    adoption = Adoption.objects.get()
    assert (adoption.tpm_limit, adoption.rpm_limit, adoption.monthly_budget) == (
        10_000,
        None,
        Decimal("80.00"),
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("tpm_limit", 0), ("rpm_limit", -5), ("tpm_limit", 2**63), ("monthly_budget", "-1"),
     ("monthly_budget", "NaN"), ("monthly_budget", "1.001"), ("tpm_limit", "lots")],
)  # fmt: skip
def test_a_request_with_an_impossible_limit_is_refused_naming_it(member, model, field, value):
    response = client_for(member).post(REQUESTS, request_body(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ApprovalRequest.objects.exists()


def test_a_manager_names_the_adoption_and_the_change_is_in_its_history(manager, adoption):
    response = client_for(manager).patch(
        f"{ADOPTIONS}{adoption.pk}/", {"alias": "copywriter"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["alias"] == "copywriter"
    latest = adoption.history.first()
    assert (latest.alias, latest.history_user) == ("copywriter", manager)


def test_a_manager_may_not_set_limits(manager, adoption):
    response = client_for(manager).patch(
        f"{ADOPTIONS}{adoption.pk}/", {"tpm_limit": 1_000}, format="json"
    )

    assert response.status_code == 403
    assert Adoption.objects.get().tpm_limit is None


@pytest.mark.parametrize("persona", ["member", "outsider", "approver"])
def test_only_the_units_managers_name_an_adoption(request, persona, adoption):
    user = request.getfixturevalue(persona)

    response = client_for(user).patch(f"{ADOPTIONS}{adoption.pk}/", {"alias": "x"}, format="json")

    assert response.status_code == 403
    assert Adoption.objects.get().alias == ""


@pytest.mark.parametrize("persona", ["approver", "catalog_admin"])
def test_approvers_and_catalog_admins_change_limits_later_and_clear_them(
    request, persona, adoption
):
    user = request.getfixturevalue(persona)
    url = f"{ADOPTIONS}{adoption.pk}/"

    set_ = client_for(user).patch(url, {"rpm_limit": 30, "monthly_budget": "99.5"}, format="json")
    cleared = client_for(user).patch(url, {"rpm_limit": None}, format="json")

    assert set_.status_code == 200 and set_.json()["monthly_budget"] == "99.50"
    assert (cleared.json()["rpm_limit"], cleared.json()["monthly_budget"]) == (None, "99.50")
    assert [h.rpm_limit for h in adoption.history.all()[:2]] == [None, 30]


@pytest.mark.parametrize("alias", ["Copywriter", "-chat", "chat bot", "chat/x", "ü", "a" * 101])
def test_an_alias_outside_its_form_is_refused_naming_the_field(manager, adoption, alias):
    response = client_for(manager).patch(
        f"{ADOPTIONS}{adoption.pk}/", {"alias": alias}, format="json"
    )

    assert response.status_code == 400
    assert "alias" in response.json()


def test_an_alias_names_one_model_per_unit(manager, adoption, unit):
    other = Adoption.objects.create(
        unit=unit,
        model=AIModelFactory(slug="gpt-4o-mini"),
        use_case="Chat",
        approved_at=adoption.approved_at,
        expires_at=adoption.expires_at,
        alias="chat",
    )

    taken = client_for(manager).patch(f"{ADOPTIONS}{adoption.pk}/", {"alias": "chat"}, "json")
    other.alias = ""
    other.save()
    a_slug = client_for(manager).patch(
        f"{ADOPTIONS}{adoption.pk}/", {"alias": "gpt-4o-mini"}, "json"
    )

    assert (taken.status_code, a_slug.status_code) == (409, 409)


def test_another_units_manager_may_not_name_it(other_unit, adoption):
    stranger = UserFactory(username="olga")
    Membership.objects.create(user=stranger, unit=other_unit, role=Membership.Role.MANAGER)

    response = client_for(stranger).patch(
        f"{ADOPTIONS}{adoption.pk}/", {"alias": "mine"}, format="json"
    )

    assert response.status_code == 403


def test_a_revoked_adoption_keeps_the_terms_it_had(manager, approver, adoption):
    client_for(manager).post(f"{ADOPTIONS}{adoption.pk}/revoke/")

    response = client_for(approver).patch(
        f"{ADOPTIONS}{adoption.pk}/", {"tpm_limit": 5}, format="json"
    )

    assert response.status_code == 409
