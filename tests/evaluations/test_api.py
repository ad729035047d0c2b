"""The evaluations API: suites in (catalog admins), runs started (202) and read."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership
from evaluations.choices import RunStatus
from evaluations.models import EvalRun, EvalSuite
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CASE = {"prompt": "Ticket: refund please", "expected": "billing", "grader": "exact"}


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_catalog_admin_posts_a_suite_validated_like_the_jsonl_import(catalog_admin, unit):
    body = {
        "slug": "triage",
        "name": "Triage",
        "specialty": "chat",
        "unit": unit.slug,
        "cases": [CASE, {"messages": [{"role": "user", "content": "x"}], "expected": 2.5,
                          "grader": "number", "tolerance": 0.1, "weight": 3}],
    }  # fmt: skip
    response = client_for(catalog_admin).post("/api/v1/eval-suites/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json() | {"created_at": None} == {
        "slug": "triage", "name": "Triage", "specialty": "chat", "unit": unit.slug,
        "description": "", "cases": 2, "created_at": None,
    }  # fmt: skip


def test_a_bad_case_is_reported_by_position_and_nothing_is_written(catalog_admin):
    body = {
        "slug": "t",
        "name": "T",
        "cases": [CASE, {"prompt": "x", "grader": "regex", "expected": "(["}, "not a case"],
    }
    response = client_for(catalog_admin).post("/api/v1/eval-suites/", body, format="json")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "case 2: expected is not a valid regular expression" in detail
    assert "case 3: a case must be a JSON object" in detail
    assert not EvalSuite.objects.exists()


@pytest.mark.parametrize("persona", ["member", "approver", "outsider"])
def test_only_catalog_admins_post_suites(request, persona):
    user = request.getfixturevalue(persona)
    body = {"slug": "t", "name": "T", "cases": [CASE]}
    assert client_for(user).post("/api/v1/eval-suites/", body, format="json").status_code == 403


def test_unit_members_start_runs_on_their_units_suite_and_get_202_with_ids(
    member, unit, chat_models, django_capture_on_commit_callbacks
):
    client = client_for(member)
    suite = EvalSuite.objects.create(slug="triage", name="Triage", unit=unit)
    suite.cases.create(position=1, messages=[{"role": "user", "content": "hi"}],
                       expected="x", grader="exact")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/eval-suites/triage/runs/",
            {"models": ["ministral-3b", "codestral", "ministral-3b"]},
            format="json",
        )
    assert response.status_code == 202, response.content
    ids = response.json()["runs"]
    assert len(ids) == 2
    listed = client.get("/api/v1/eval-runs/?suite=triage").json()["results"]
    assert sorted(r["id"] for r in listed) == sorted(ids)
    detail = client.get(f"/api/v1/eval-runs/{ids[0]}/").json()
    assert detail["status"] == RunStatus.FINISHED and detail["pass_rate"] == "0.0000"
    assert detail["results"][0] | {"latency_ms": 0, "input_tokens": 0, "output_tokens": 0} == {
        "case": 1, "passed": False, "output": "I am not sure.", "latency_ms": 0,
        "input_tokens": 0, "output_tokens": 0, "attempts": 1, "error": "", "http_status": None,
    }  # fmt: skip


def test_who_may_start_runs_and_see_private_suites(
    catalog_admin, member, outsider, other_unit, chat_models
):
    private = EvalSuite.objects.create(slug="private", name="P", unit=other_unit)
    EvalSuite.objects.create(slug="shared", name="S")
    url = "/api/v1/eval-suites/{}/runs/"
    body = {"models": ["ministral-3b"]}
    assert client_for(member).post(url.format("shared"), body, format="json").status_code == 403
    assert client_for(member).post(url.format("private"), body, format="json").status_code == 404
    seen = [s["slug"] for s in client_for(outsider).get("/api/v1/eval-suites/").json()["results"]]
    assert seen == ["shared"]
    Membership.objects.create(user=outsider, unit=other_unit)
    EvalRun.objects.create(suite=private, model=chat_models["small"])
    assert client_for(outsider).get("/api/v1/eval-runs/").json()["count"] == 1
    assert client_for(member).get("/api/v1/eval-runs/").json()["count"] == 0
    bad = client_for(catalog_admin).post(url.format("shared"), {"models": ["nope"]}, format="json")
    assert bad.status_code == 400 and "unknown models: nope" in str(bad.json())
    empty = client_for(catalog_admin).post(url.format("shared"), {"models": []}, format="json")
    assert empty.status_code == 400


def test_anonymous_callers_get_401_and_unknown_runs_404(catalog_admin):
    assert APIClient().get("/api/v1/eval-suites/").status_code == 401
    assert APIClient().post("/api/v1/eval-suites/x/runs/", {}).status_code == 401
    assert client_for(catalog_admin).get("/api/v1/eval-runs/999/").status_code == 404
    assert client_for(catalog_admin).get("/api/v1/eval-runs/abc/").status_code == 404


def test_a_run_lists_its_cost_per_thousand_cases(catalog_admin, chat_models):
    suite = EvalSuite.objects.create(slug="s", name="S")
    EvalRun.objects.create(
        suite=suite, model=chat_models["small"], cases=40, cost_usd=Decimal("0.002"),
        started_by=UserFactory(username="zed"),
    )  # fmt: skip
    (run,) = client_for(catalog_admin).get("/api/v1/eval-runs/").json()["results"]
    assert run["cost_per_1000_cases"] == "0.050000" and run["started_by"] == "zed"


def test_a_company_wide_suite_lists_its_unit_as_null_which_the_schema_allows(member, sql_suite):
    from tests.openapi_support import generated_schema

    (listed,) = client_for(member).get("/api/v1/eval-suites/").json()["results"]
    assert listed["unit"] is None
    unit = generated_schema()["components"]["schemas"]["EvalSuite"]["properties"]["unit"]
    assert unit["nullable"] is True
