"""/api/v1/ for gateways: configuration as code for catalog admins, findings for whoever may see
the unit, and plan and apply against the fake LiteLLM gateway over real HTTP."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Membership
from gateways.choices import FindingKind
from gateways.models import Gateway, GatewayFinding, GatewayProbe, TeamUpdate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_catalog_admin_configures_a_gateway_and_its_probes_as_code(catalog_admin, unit):
    api = client_for(catalog_admin)

    gateway = api.post(
        "/api/v1/gateways/",
        {"name": "Proxy", "kind": "litellm", "base_url": "https://llm.example.com",
         "admin_key_env": "GATEWAY_ADMIN_KEY"},
        format="json",
    )  # fmt: skip
    probe = api.post(
        "/api/v1/gateway-probes/",
        {"gateway": gateway.json()["id"], "business_unit": "marketing",
         "key_env": "GATEWAY_MARKETING_KEY", "team_id": "team-mkt"},
        format="json",
    )  # fmt: skip

    assert (gateway.status_code, probe.status_code) == (201, 201)
    assert probe.json()["business_unit"] == "marketing"
    assert api.delete(f"/api/v1/gateway-probes/{probe.json()['id']}/").status_code == 204


@pytest.mark.parametrize(
    ("field", "value"),
    [("base_url", "ftp://llm.example.com"), ("base_url", "not a url"),
     ("admin_key_env", "GATEWAY_TOKEN"), ("admin_key_env", "lowercase_key"), ("name", 7)],
)  # fmt: skip
def test_a_gateway_with_a_bad_field_is_refused_naming_it(catalog_admin, field, value):
    body = {"name": "Proxy", "base_url": "https://llm.example.com"} | {field: value}

    response = client_for(catalog_admin).post("/api/v1/gateways/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Gateway.objects.exists()


def test_a_probe_key_variable_outside_the_pattern_is_refused(catalog_admin, unit):
    gateway = Gateway.objects.create(name="Proxy", base_url="https://llm.example.com")

    response = client_for(catalog_admin).post(
        "/api/v1/gateway-probes/",
        {"gateway": gateway.pk, "business_unit": "marketing", "key_env": "DATABASE_URL"},
        format="json",
    )

    assert response.status_code == 400 and "key_env" in response.json()


@pytest.mark.parametrize("persona", ["member", "manager", "approver", "outsider"])
def test_only_catalog_admins_see_a_gateways_configuration(request, persona):
    Gateway.objects.create(name="Proxy", base_url="https://llm.example.com")

    response = client_for(request.getfixturevalue(persona)).get("/api/v1/gateways/")

    assert response.status_code == 403


def test_findings_are_seen_by_the_units_people_approvers_and_catalog_admins(
    gateway, member, manager, approver, catalog_admin, outsider, other_unit
):
    for probe in GatewayProbe.objects.all():
        GatewayFinding.objects.create(
            gateway=gateway, probe=probe, unit=probe.unit, kind=FindingKind.DRIFT,
            model_name="x", detail="d", first_seen=timezone.now(), last_seen=timezone.now(),
        )  # fmt: skip
    engineer = UserFactory(username="mallory")
    Membership.objects.create(user=engineer, unit=other_unit, role=Membership.Role.MEMBER)

    def units(user) -> list[str]:
        rows = client_for(user).get("/api/v1/gateway-findings/").json()["results"]
        return sorted(row["business_unit"] for row in rows)

    assert units(member) == units(manager) == ["marketing"]
    assert units(engineer) == ["engineering"]
    assert units(approver) == units(catalog_admin) == ["engineering", "marketing"]
    assert units(outsider) == []


def test_findings_filter_by_kind_and_refuse_an_unknown_one(gateway, catalog_admin):
    api = client_for(catalog_admin)

    assert api.get("/api/v1/gateway-findings/?kind=gateway_leak").status_code == 200
    response = api.get("/api/v1/gateway-findings/?kind=gateway_blip")
    assert response.status_code == 400 and "kind" in response.json()


def test_check_now_answers_202_and_checks_after_the_request(
    gateway, fake, catalog_admin, django_capture_on_commit_callbacks
):
    fake.gateway.team("marketing").models = ["drafts", "codestral"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(catalog_admin).post(f"/api/v1/gateways/{gateway.pk}/check/")

    assert response.status_code == 202
    assert GatewayFinding.objects.get().model_name == "codestral"


def test_the_plan_says_what_apply_would_change_in_each_team(gateway, fake, catalog_admin):
    fake.gateway.team("marketing").models = ["drafts", "codestral"]
    fake.gateway.team("engineering").models = ["codestral"]

    plan = client_for(catalog_admin).get(f"/api/v1/gateways/{gateway.pk}/plan/").json()

    by_unit = {row["business_unit"]: row for row in plan}
    assert (by_unit["marketing"]["add"], by_unit["marketing"]["remove"]) == ([], ["codestral"])
    assert by_unit["marketing"]["limits"] == {
        "max_budget": {"from": None, "to": 1000.0},
        "budget_duration": {"from": None, "to": "30d"},
    }
    assert by_unit["engineering"]["add"] == by_unit["engineering"]["remove"] == []


def test_apply_sends_team_updates_and_records_who_asked(
    gateway, fake, catalog_admin, django_capture_on_commit_callbacks
):
    fake.gateway.team("marketing").models = ["drafts", "codestral"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(catalog_admin).post(f"/api/v1/gateways/{gateway.pk}/apply/")

    assert response.status_code == 202
    assert fake.gateway.team("marketing").models == ["drafts"]
    assert {u.team_id for u in TeamUpdate.objects.all()} == {"marketing", "engineering"}
    update = TeamUpdate.objects.get(team_id="marketing")
    assert (update.requested_by, update.http_status, update.error) == (catalog_admin, 200, "")
    assert "sk-" not in str(update.body)
    plan = client_for(catalog_admin).get(f"/api/v1/gateways/{gateway.pk}/plan/").json()
    assert all(not (r["add"] or r["remove"] or r["limits"]) for r in plan)


def test_a_plan_without_an_admin_key_variable_is_refused_naming_it(gateway, catalog_admin):
    Gateway.objects.update(admin_key_env="")

    response = client_for(catalog_admin).get(f"/api/v1/gateways/{gateway.pk}/plan/")

    assert response.status_code == 400 and "admin_key_env" in response.json()


def test_a_team_the_admin_key_cannot_read_is_planned_as_an_error(
    gateway, monkeypatch, catalog_admin
):
    monkeypatch.setenv("GATEWAY_ADMIN_KEY", "sk-team-marketing")  # not an admin key

    plan = client_for(catalog_admin).get(f"/api/v1/gateways/{gateway.pk}/plan/").json()

    assert all("HTTP 401" in row["error"] for row in plan)
    assert "sk-team" not in str(plan)


def test_the_command_checks_with_a_progress_bar(gateway, fake, capsys):
    fake.gateway.team("engineering").models = ["codestral", "drafts"]

    call_command("check_gateways")

    out, err = capsys.readouterr()
    assert "2 units checked, 1 findings opened" in out
    assert "Checking gateways" in err and "2/2" in err
