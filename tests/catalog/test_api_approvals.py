"""The approval workflow over /api/v1/: the whole flow, then every 400/401/403/404/409."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Membership
from catalog.choices import ModelStatus
from catalog.models import Adoption, ApprovalRequest
from tests.factories import AIModelFactory, BusinessUnitFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db
REQUESTS = "/api/v1/approval-requests/"
ADOPTIONS = "/api/v1/adoptions/"


@pytest.fixture
def model(db):
    return AIModelFactory(
        name="Mistral Small",
        slug="mistral-small",
        vendor=VendorFactory(slug="mistral"),
        vendor_model_id="mistral-small-latest",
    )


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(model_slug="mistral-small", unit_slug="marketing", **overrides) -> dict:
    return {
        "model": model_slug,
        "business_unit": unit_slug,
        "use_case": "Draft product descriptions",
        "justification": "Cheaper than the frontier model we use today",
        "data_classification": "internal",
        "expected_monthly_input_tokens": 1_000_000,
        "expected_monthly_output_tokens": 1_000_000,
    } | overrides


def file_request(user, **overrides) -> dict:
    response = client_for(user).post(REQUESTS, body(**overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_request_approve_revoke_and_ask_again_through_the_api(member, approver, manager, model):
    created = file_request(member)
    assert created["status"] == "pending"
    assert created["model"] == {
        "slug": "mistral-small",
        "name": "Mistral Small",
        "vendor": "mistral",
        "vendor_model_id": "mistral-small-latest",
    }
    assert created["business_unit"] == "marketing"
    assert created["requester"] == "alice"
    assert created["estimated_monthly_cost"] == "3.00"

    response = client_for(approver).post(
        f"{REQUESTS}{created['id']}/approve/", {"comment": "Good fit"}, format="json"
    )
    assert response.status_code == 200
    decided = response.json()
    assert (decided["status"], decided["decided_by"], decided["decision_comment"]) == (
        "approved",
        "bob",
        "Good fit",
    )
    assert [(e["action"], e["by"]) for e in decided["history"]] == [
        ("created", "alice"),
        ("approved", "bob"),
    ]
    assert decided["history"][1]["changes"]["status"] == {"from": "pending", "to": "approved"}
    assert decided["history"][1]["changes"]["decided_by"] == {"from": None, "to": "bob"}

    adoption = client_for(member).get(f"{ADOPTIONS}{decided['adoption']}/").json()
    assert (adoption["status"], adoption["business_unit"]) == ("active", "marketing")
    assert adoption["model"]["slug"] == "mistral-small"
    assert adoption["estimated_monthly_cost"] == "3.00"

    response = client_for(manager).post(f"{ADOPTIONS}{adoption['id']}/revoke/")
    assert (response.status_code, response.json()["status"]) == (200, "revoked")
    assert file_request(member)["status"] == "pending"


def test_rejected_request_can_be_requested_again(member, approver, model):
    first = file_request(member)
    response = client_for(approver).post(
        f"{REQUESTS}{first['id']}/reject", {"comment": "Use the approved one"}, format="json"
    )
    assert (response.status_code, response.json()["status"]) == (200, "rejected")
    assert response.json()["history"][-1]["action"] == "rejected"
    assert file_request(member)["id"] != first["id"]


def test_requester_withdraws_their_pending_request(member, model):
    created = file_request(member)
    response = client_for(member).post(f"{REQUESTS}{created['id']}/withdraw/")
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")


def test_anonymous_callers_get_401(model, unit):
    assert APIClient().get(REQUESTS).status_code == 401
    assert APIClient().post(REQUESTS, body(), format="json").status_code == 401


# 400: bad input, each naming the field


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"model": "no-such-model"}, "model"),
        ({"model": "bad\x00slug"}, "model"),
        ({"model": 7}, "model"),
        ({"business_unit": "nowhere"}, "business_unit"),
        ({"use_case": ""}, "use_case"),
        ({"use_case": "nul\x00byte"}, "use_case"),
        ({"data_classification": "top-secret"}, "data_classification"),
        ({"expected_monthly_input_tokens": -5}, "expected_monthly_input_tokens"),
        ({"expected_monthly_output_tokens": "lots"}, "expected_monthly_output_tokens"),
        ({"expected_monthly_output_tokens": 2**64}, "expected_monthly_output_tokens"),
    ],
)
def test_bad_request_bodies_get_400_naming_the_field(member, model, overrides, field):
    response = client_for(member).post(REQUESTS, body(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_deprecated_model_gets_400_saying_why_and_naming_the_successor(member, unit):
    successor = AIModelFactory(name="Mistral Small 3", slug="mistral-small-3")
    AIModelFactory(slug="mistral-small-2", status=ModelStatus.DEPRECATED, successor=successor)
    response = client_for(member).post(REQUESTS, body(model_slug="mistral-small-2"), format="json")
    assert response.status_code == 400
    (message,) = response.json()["model"]
    assert "deprecated" in message and "mistral-small-3" in message


def test_restricted_model_of_other_units_gets_400(member, other_unit, model):
    model.status = ModelStatus.RESTRICTED
    model.save()
    model.allowed_units.set([other_unit])
    response = client_for(member).post(REQUESTS, body(), format="json")
    assert response.status_code == 400
    assert "restricted" in response.json()["model"][0]


def test_data_classification_above_the_models_clearance_gets_400(member, model):
    response = client_for(member).post(
        REQUESTS, body(data_classification="restricted"), format="json"
    )
    assert response.status_code == 400
    assert "cleared for data up to internal" in response.json()["data_classification"][0]


def test_rejection_without_comment_gets_400(member, approver, model):
    created = file_request(member)
    response = client_for(approver).post(f"{REQUESTS}{created['id']}/reject/", {}, format="json")
    assert response.status_code == 400
    assert "comment" in response.json()


def test_unknown_filter_values_get_400_naming_the_parameter(approver, unit):
    for query in ("status=maybe", "business_unit=nowhere", "model=nothing", "model=a%00b"):
        response = client_for(approver).get(f"{REQUESTS}?{query}")
        assert response.status_code == 400
        assert query.split("=")[0] in response.json()


# 403: known but not allowed


def test_non_member_requesting_for_a_unit_gets_403(outsider, model, unit):
    response = client_for(outsider).post(REQUESTS, body(), format="json")
    assert response.status_code == 403
    assert not ApprovalRequest.objects.exists()


def test_approver_deciding_their_own_request_gets_403(approver, unit, model):
    Membership.objects.create(user=approver, unit=unit)
    created = file_request(approver)
    for verb in ("approve", "reject"):
        response = client_for(approver).post(
            f"{REQUESTS}{created['id']}/{verb}/", {"comment": "mine"}, format="json"
        )
        assert response.status_code == 403


def test_manager_who_sees_the_request_cannot_decide_it(member, manager, model):
    created = file_request(member)
    response = client_for(manager).post(f"{REQUESTS}{created['id']}/approve/")
    assert response.status_code == 403


def test_only_managers_and_catalog_admins_revoke_only_approvers_renew(
    member, approver, manager, catalog_admin, model
):
    created = file_request(member)
    client_for(approver).post(f"{REQUESTS}{created['id']}/approve/")
    adoption = Adoption.objects.get()
    for user in (member, approver):
        assert client_for(user).post(f"{ADOPTIONS}{adoption.pk}/revoke/").status_code == 403
    for user in (member, manager, catalog_admin):
        assert client_for(user).post(f"{ADOPTIONS}{adoption.pk}/renew/").status_code == 403

    Adoption.objects.filter(pk=adoption.pk).update(expires_at=timezone.now() + timedelta(days=5))
    response = client_for(approver).post(f"{ADOPTIONS}{adoption.pk}/renew")
    assert response.status_code == 200
    assert response.json()["expires_at"] > (timezone.now() + timedelta(days=300)).isoformat()
    assert client_for(catalog_admin).post(f"{ADOPTIONS}{adoption.pk}/revoke/").status_code == 200


# 404: not visible, or not there


def test_outsiders_get_404_for_requests_they_may_not_see(member, outsider, model):
    created = file_request(member)
    client = client_for(outsider)
    assert client.get(f"{REQUESTS}{created['id']}/").status_code == 404
    for verb in ("approve", "reject", "withdraw"):
        response = client.post(f"{REQUESTS}{created['id']}/{verb}/", {"comment": "x"})
        assert response.status_code == 404


def test_requester_and_the_units_manager_read_the_detail(member, manager, model):
    created = file_request(member)
    for user in (member, manager):
        response = client_for(user).get(f"{REQUESTS}{created['id']}/")
        assert response.status_code == 200
        assert response.json()["history"][0]["action"] == "created"


def test_only_the_requester_withdraws_others_get_404(member, manager, approver, model):
    created = file_request(member)
    for user in (manager, approver):
        assert client_for(user).post(f"{REQUESTS}{created['id']}/withdraw/").status_code == 404


@pytest.mark.parametrize("request_id", ["abc", "99999", "99999999999999999999999"])
def test_unknown_or_malformed_ids_get_404(approver, request_id):
    assert client_for(approver).get(f"{REQUESTS}{request_id}/").status_code == 404
    assert client_for(approver).post(f"{ADOPTIONS}{request_id}/renew/").status_code == 404


# 409: the state forbids it


def test_second_pending_request_for_the_same_model_and_unit_gets_409(member, manager, model):
    file_request(member)
    response = client_for(manager).post(REQUESTS, body(), format="json")
    assert response.status_code == 409
    assert "pending request" in response.json()["detail"]


def test_request_for_a_model_the_unit_already_uses_gets_409(member, approver, model):
    created = file_request(member)
    client_for(approver).post(f"{REQUESTS}{created['id']}/approve/")
    response = client_for(member).post(REQUESTS, body(), format="json")
    assert response.status_code == 409
    assert "already uses" in response.json()["detail"]


def test_a_decided_request_decided_again_gets_409(member, approver, catalog_admin, model):
    created = file_request(member)
    client_for(approver).post(f"{REQUESTS}{created['id']}/approve/")
    second = UserFactory(username="eve")
    second.groups.set(approver.groups.all())
    for verb in ("approve", "reject"):
        response = client_for(second).post(
            f"{REQUESTS}{created['id']}/{verb}/", {"comment": "too"}, format="json"
        )
        assert response.status_code == 409
    assert client_for(member).post(f"{REQUESTS}{created['id']}/withdraw/").status_code == 409
    assert Adoption.objects.count() == 1


def test_revoking_a_revoked_adoption_gets_409(member, approver, manager, model):
    created = file_request(member)
    client_for(approver).post(f"{REQUESTS}{created['id']}/approve/")
    adoption = Adoption.objects.get()
    assert client_for(manager).post(f"{ADOPTIONS}{adoption.pk}/revoke/").status_code == 200
    assert client_for(manager).post(f"{ADOPTIONS}{adoption.pk}/revoke/").status_code == 409
    assert client_for(approver).post(f"{ADOPTIONS}{adoption.pk}/renew/").status_code == 409


# Lists


def test_each_persona_lists_exactly_the_requests_they_may_see(
    member, manager, approver, catalog_admin, outsider, other_unit, model
):
    mine = file_request(member)["id"]
    engineer = UserFactory(username="mallory")
    Membership.objects.create(user=engineer, unit=other_unit)
    theirs = file_request(engineer, unit_slug="engineering")["id"]

    def listed(user, query=""):
        return {r["id"] for r in client_for(user).get(f"{REQUESTS}{query}").json()["results"]}

    assert listed(member) == {mine}
    assert listed(manager) == {mine}
    assert listed(outsider) == set()
    assert listed(approver) == listed(catalog_admin) == {mine, theirs}
    assert listed(approver, "?business_unit=engineering") == {theirs}
    assert listed(approver, "?status=approved") == set()


def test_adoption_list_filters_by_unit_and_status(member, approver, other_unit, model):
    created = file_request(member)
    client_for(approver).post(f"{REQUESTS}{created['id']}/approve/")
    results = client_for(member).get(f"{ADOPTIONS}?business_unit=marketing&status=active").json()
    assert [a["model"]["slug"] for a in results["results"]] == ["mistral-small"]
    assert client_for(member).get(f"{ADOPTIONS}?business_unit=engineering").json()["count"] == 0
    assert client_for(member).get(f"{ADOPTIONS}?status=gone").status_code == 400


def _fill(count: int, approver) -> None:
    for i in range(count):
        unit = BusinessUnitFactory()
        requester = UserFactory()
        Membership.objects.create(user=requester, unit=unit)
        model = AIModelFactory()
        created = file_request(requester, model_slug=model.slug, unit_slug=unit.slug)
        if i % 2:
            client_for(approver).post(f"{REQUESTS}{created['id']}/approve/")


@pytest.mark.parametrize("size", [3, 30])
def test_list_endpoints_query_counts_do_not_grow_with_rows(
    approver, size, django_assert_max_num_queries
):
    _fill(size, approver)
    client = client_for(approver)
    client.get(REQUESTS)  # warm the user's group cache path like a real session
    with django_assert_max_num_queries(4):
        assert client.get(f"{REQUESTS}?page_size=500").json()["count"] == size
    with django_assert_max_num_queries(4):
        assert client.get(f"{ADOPTIONS}?page_size=500").json()["count"] == size // 2


def test_request_detail_query_count_is_bounded(
    member, approver, model, django_assert_max_num_queries
):
    created = file_request(member)
    client_for(approver).post(f"{REQUESTS}{created['id']}/approve/")
    with django_assert_max_num_queries(6):
        assert client_for(approver).get(f"{REQUESTS}{created['id']}/").status_code == 200
