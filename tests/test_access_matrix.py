"""Who may do what: every persona against every API endpoint and page, one row per expectation.

Personas (DESIGN.md, Roles and rules): anonymous; victor (no unit); alice (member of Marketing,
the requester); frank (manager of Marketing); mallory (member of Engineering); bob (approver);
carol (catalog admin, staff). Each row runs on fresh data: a pending request by alice, an active
Marketing adoption, an approved model, a vendor with no live endpoints.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import APPROVERS_GROUP, CATALOG_ADMINS_GROUP, Membership
from catalog.models import Adoption, ApprovalRequest, Evaluation
from evaluations.choices import RunStatus
from evaluations.models import EvalRun, EvalSuite
from gateways.models import Gateway
from tests.factories import AIModelFactory, BusinessUnitFactory, UserFactory, VendorFactory

PERSONAS = ["anonymous", "victor", "alice", "frank", "mallory", "bob", "carol"]
ALL = dict.fromkeys(PERSONAS[1:], 200) | {"anonymous": 401}
PAGE = dict.fromkeys(PERSONAS[1:], 200) | {"anonymous": 302}


def only(allowed: dict[str, int], others: int, anonymous: int = 401) -> dict[str, int]:
    return {p: allowed.get(p, others) for p in PERSONAS[1:]} | {"anonymous": anonymous}


NEW_MODEL = {"name": "New", "slug": "new-model", "vendor": "acme", "vendor_model_id": "new-1"}
NEW_REQUEST = {
    "model": "free",
    "business_unit": "marketing",
    "use_case": "Summaries",
    "data_classification": "internal",
}
# (method, path, body, {persona: status})
API = [
    ("get", "/api/v1/vendors/", None, ALL),
    ("get", "/api/v1/vendors/acme/", None, ALL),
    ("patch", "/api/v1/vendors/acme/", {"name": "Acme AI"}, only({"carol": 200}, 403)),
    ("post", "/api/v1/vendors/acme/sync-prices/", {}, only({"carol": 202}, 403)),
    ("post", "/api/v1/vendors/acme/check-availability/", {}, only({"carol": 202}, 403)),
    ("get", "/api/v1/specialties/", None, ALL),
    ("get", "/api/v1/models/", None, ALL),
    ("get", "/api/v1/models/used/", None, ALL),
    ("get", "/api/v1/models/used/prices/", None, ALL),
    ("get", "/api/v1/models/used/availability/", None, ALL),
    ("post", "/api/v1/models/", NEW_MODEL, only({"carol": 201}, 403)),
    ("patch", "/api/v1/models/used/", {"family": "F"}, only({"carol": 200}, 403)),
    ("delete", "/api/v1/models/free/", None, only({"carol": 204}, 403)),
    ("delete", "/api/v1/models/used/", None, only({"carol": 409}, 403)),
    ("get", "/api/v1/business-units/", None, ALL),
    ("get", "/api/v1/business-units/marketing/", None, ALL),
    ("get", "/api/v1/business-units/marketing/models/", None, ALL),
    ("get", "/api/v1/business-units/marketing/savings/", None, ALL),
    ("get", "/api/v1/recommendations/?specialty=chat", None, ALL),
    ("get", "/api/v1/approval-requests/", None, ALL),
    (
        "get",
        "/api/v1/approval-requests/{request}/",
        None,
        only({"alice": 200, "frank": 200, "bob": 200, "carol": 200}, 404),
    ),
    (
        "post",
        "/api/v1/approval-requests/",
        NEW_REQUEST,
        only({"alice": 201, "frank": 201}, 403),
    ),
    (
        "post",
        "/api/v1/approval-requests/{request}/approve/",
        {"comment": "ok"},
        only({"bob": 200, "mallory": 404, "victor": 404}, 403),
    ),
    (
        "post",
        "/api/v1/approval-requests/{request}/reject/",
        {"comment": "no"},
        only({"bob": 200, "mallory": 404, "victor": 404}, 403),
    ),
    ("post", "/api/v1/approval-requests/{request}/withdraw/", {}, only({"alice": 200}, 404)),
    ("get", "/api/v1/adoptions/", None, ALL),
    ("post", "/api/v1/adoptions/{adoption}/revoke/", {}, only({"frank": 200, "carol": 200}, 403)),
    ("post", "/api/v1/adoptions/{adoption}/renew/", {}, only({"bob": 200}, 403)),
    ("patch", "/api/v1/adoptions/{adoption}/", {"alias": "copy"}, only({"frank": 200}, 403)),
    (
        "patch",
        "/api/v1/adoptions/{adoption}/",
        {"tpm_limit": 1000},
        only({"bob": 200, "carol": 200}, 403),
    ),
    ("get", "/api/v1/gateways/", None, only({"carol": 200}, 403)),
    ("get", "/api/v1/gateways/{gateway}/", None, only({"carol": 200}, 403)),
    ("patch", "/api/v1/gateways/{gateway}/", {"active": False}, only({"carol": 200}, 403)),
    ("post", "/api/v1/gateways/{gateway}/check/", {}, only({"carol": 202}, 403)),
    ("post", "/api/v1/gateways/{gateway}/apply/", {}, only({"carol": 202}, 403)),
    ("get", "/api/v1/gateway-probes/", None, only({"carol": 200}, 403)),
    ("get", "/api/v1/gateway-findings/", None, ALL),
    ("get", "/api/v1/job-runs/", None, only({"carol": 200}, 403)),
    ("get", "/api/v1/schema/", None, ALL),
]
PAGES = [
    ("/", PAGE),
    ("/models/used/", PAGE),
    ("/compare/?m=used&m=free", PAGE),
    ("/requests/", PAGE),
    ("/requests/new/?model=free", PAGE),
    (
        "/requests/{request}/",
        only({"alice": 200, "frank": 200, "bob": 200, "carol": 200}, 404, 302),
    ),
    ("/approvals/", only({"bob": 200}, 404, 302)),
    ("/gateways/", only({"carol": 200}, 404, 302)),
    ("/business-units/marketing/", PAGE),
    ("/status/", PAGE),
    ("/accounts/profile/", PAGE),
    ("/admin/", only({"carol": 200}, 302, 302)),
    ("/healthz", dict.fromkeys(PERSONAS, 200)),
]


@pytest.fixture
def world(db):
    marketing = BusinessUnitFactory(slug="marketing", name="Marketing")
    engineering = BusinessUnitFactory(slug="engineering", name="Engineering")
    people = {name: UserFactory(username=name) for name in PERSONAS[1:]}
    Membership.objects.create(user=people["alice"], unit=marketing, role="member")
    Membership.objects.create(user=people["frank"], unit=marketing, role="manager")
    Membership.objects.create(user=people["mallory"], unit=engineering, role="member")
    people["bob"].groups.add(Group.objects.get_or_create(name=APPROVERS_GROUP)[0])
    people["carol"].groups.add(Group.objects.get_or_create(name=CATALOG_ADMINS_GROUP)[0])
    people["carol"].is_staff = people["carol"].is_superuser = True
    people["carol"].save()
    vendor = VendorFactory(slug="acme")
    used = AIModelFactory(slug="used", vendor=vendor, specialties=["chat"])
    AIModelFactory(slug="free", vendor=vendor, specialties=["chat"])
    request = ApprovalRequest.objects.create(
        model=AIModelFactory(slug="asked", vendor=vendor),
        unit=marketing,
        requester=people["alice"],
        use_case="Drafts",
    )
    now = timezone.now()
    adoption = Adoption.objects.create(
        unit=marketing, model=used, use_case="Copy", approved_at=now, expires_at=now + timedelta(1)
    )
    # Marketing's private suite, with a finished run of `used` and the Evaluation it wrote.
    secret = EvalSuite.objects.create(slug=SECRET, name=SECRET.title(), unit=marketing)
    evaluation = Evaluation.objects.create(
        model=used, task=SECRET, metric="pass_rate", score="0.9", source="modelshelf",
        date=now.date(), unit=marketing,
    )  # fmt: skip
    run = EvalRun.objects.create(
        suite=secret, model=used, status=RunStatus.FINISHED, finished_at=now, cases=1, done=1,
        passed=1, pass_rate="1", evaluation=evaluation,
    )  # fmt: skip
    gateway = Gateway.objects.create(name="Proxy", base_url="https://llm.example.com")
    ids = {"request": request.pk, "adoption": adoption.pk, "run": run.pk, "gateway": gateway.pk}
    return {"people": people, "ids": ids}


def _client(world, persona: str, api: bool):
    client = APIClient()
    if persona != "anonymous":
        client.force_login(world["people"][persona])
    return client


API_CASES = [
    pytest.param(method, path, body, persona, expected[persona], id=f"{persona} {method} {path}")
    for method, path, body, expected in API
    for persona in PERSONAS
]


@pytest.mark.parametrize(("method", "path", "body", "persona", "expected"), API_CASES)
def test_api_access(
    world, method, path, body, persona, expected, django_capture_on_commit_callbacks
):
    client = _client(world, persona, api=True)
    url = path.format(**world["ids"])
    with django_capture_on_commit_callbacks(execute=False):
        response = getattr(client, method)(url, body, format="json")
    assert response.status_code == expected, response.content[:300]


PAGE_CASES = [
    pytest.param(path, persona, expected[persona], id=f"{persona} {path}")
    for path, expected in PAGES
    for persona in PERSONAS
]


@pytest.mark.parametrize(("path", "persona", "expected"), PAGE_CASES)
def test_page_access(world, path, persona, expected):
    response = _client(world, persona, api=False).get(path.format(**world["ids"]))
    assert response.status_code == expected


# A unit's private eval suite: every page and API route that can show one of its runs or the
# Evaluations they wrote, read as each persona. Marketing's people, approvers and catalog
# admins see it; everyone else sees no trace of it (404 where the route names it).
SECRET = "marketing-secret-launch-plan"
SEES_PRIVATE = {"alice", "frank", "bob", "carol"}
PRIVILEGED = {"bob", "carol"}  # in no unit: the request form offers them nothing to cite
FLOOR = f"specialty=chat&business_unit=marketing&min_score={SECRET}:0.5"
# (path, client kind, status for those who may not see it, what betrays it in the body)
PRIVATE_ROUTES = [
    ("/models/used/", "page", 200, SECRET),
    ("/compare/?m=used&m=free", "page", 200, SECRET),
    ("/requests/new/?model=used", "page", 200, SECRET),  # lists runs to members of a unit
    ("/evals/", "page", 200, SECRET),
    (f"/evals/{SECRET}/", "page", 404, SECRET),
    ("/landscape/", "page", 200, SECRET),
    (f"/recommend/?{FLOOR}&submitted=1", "page", 200, f"{SECRET} pass_rate"),
    ("/api/v1/eval-suites/", "api", 200, SECRET),
    (f"/api/v1/eval-suites/{SECRET}/", "api", 404, SECRET),
    ("/api/v1/eval-runs/", "api", 200, SECRET),
    ("/api/v1/eval-runs/{run}/", "api", 404, SECRET),
    (f"/api/v1/recommendations/?{FLOOR}", "api", 200, f"{SECRET} pass_rate"),
]
PRIVATE_CASES = [
    pytest.param(path, kind, hidden_status, marker, persona, id=f"{persona} private {path}")
    for path, kind, hidden_status, marker in PRIVATE_ROUTES
    for persona in PERSONAS
]


@pytest.mark.parametrize(("path", "kind", "hidden_status", "marker", "persona"), PRIVATE_CASES)
def test_a_private_suite_shows_only_to_its_unit_approvers_and_catalog_admins(
    world, path, kind, hidden_status, marker, persona
):
    response = _client(world, persona, api=kind == "api").get(path.format(**world["ids"]))
    body = response.content.decode().lower()
    if persona == "anonymous":
        assert response.status_code == (401 if kind == "api" else 302)
    elif persona in SEES_PRIVATE:
        assert response.status_code == 200
        # The landscape shows no evaluations at all; the request form is for unit members.
        if path != "/landscape/" and not (path.startswith("/requests/") and persona in PRIVILEGED):
            assert marker.lower() in body
    else:
        assert response.status_code == hidden_status
        assert marker.lower() not in body


def test_denials_are_logged(world, caplog):
    client = _client(world, "victor", api=True)
    with caplog.at_level("WARNING", logger="django.request"):
        client.get("/api/v1/job-runs/")
        client.get(f"/api/v1/approval-requests/{world['ids']['request']}/")
    logged = [r.getMessage() for r in caplog.records]
    assert any("Forbidden" in m and "/api/v1/job-runs/" in m for m in logged)
    assert any("Not Found" in m and "/approval-requests/" in m for m in logged)
