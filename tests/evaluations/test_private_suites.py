"""A unit's private eval suite stays in the unit: its runs and the Evaluations they write are
seen, cited and counted as evidence only by the unit's people, approvers and catalog admins."""

import re

import pytest

from accounts.models import Membership
from catalog.choices import ModelStatus
from catalog.models import ApprovalRequest, Evaluation, Specialty
from catalog.services.rightsizing import Need, recommend
from evaluations.models import EvalRun
from evaluations.services.runs import runs_start
from tests.catalog.api_support import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
FORM = {
    "use_case": "Turn questions into SQL",
    "data_classification": "internal",
    "expected_monthly_input_tokens": "1000",
    "expected_monthly_output_tokens": "200",
    "justification": "Scored well on our suite",
}


@pytest.fixture
def private_run(chat_models, sql_suite, unit, django_capture_on_commit_callbacks):
    """Marketing's private copy of the SQL suite, run on the code specialist over the fake."""
    sql_suite.unit = unit
    sql_suite.save()
    code = chat_models["code"]
    code.status = ModelStatus.APPROVED
    code.save()
    code.specialties.add(Specialty.objects.get(slug="code"))
    with django_capture_on_commit_callbacks(execute=True):
        (run,) = runs_start(suite=sql_suite, models=[code])
    return EvalRun.objects.select_related("evaluation", "model").get(pk=run.pk)


@pytest.fixture
def mallory(other_unit):
    user = UserFactory(username="mallory")
    Membership.objects.create(user=user, unit=other_unit, role=Membership.Role.MEMBER)
    return user


def test_a_private_runs_evaluation_is_tagged_with_its_unit(private_run, unit):
    assert private_run.evaluation is not None
    assert private_run.evaluation.unit == unit


def test_an_outsider_neither_sees_nor_cites_the_run_on_the_request_form(
    client, mallory, private_run
):
    client.force_login(mallory)
    url = f"/requests/new/?model={private_run.model.slug}"
    html = client.get(url).content.decode()
    assert "sql-from-questions" not in html.lower() and "SQL from questions" not in html
    assert re.findall(r'name="eval_run" value="(\d+)"', html) == []
    response = client.post(url, FORM | {"business_unit": "engineering", "eval_run": private_run.pk})
    assert response.status_code == 400
    error = re.search(r'id="error-eval_run"[^>]*>(.*?)</', response.content.decode(), re.S)
    assert error and f"There is no eval run #{private_run.pk}" in error.group(1)
    assert not ApprovalRequest.objects.exists()


def test_an_outsider_cannot_cite_its_evaluation_through_the_api(mallory, private_run):
    response = token_client(mallory).post(
        "/api/v1/approval-requests/",
        {
            **FORM,
            "model": private_run.model.slug,
            "business_unit": "engineering",
            "evidence": [private_run.evaluation.pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["evidence"]
    assert "no evaluation with id" in response.json()["evidence"][0]


def test_someone_in_both_units_cannot_carry_it_into_the_other_units_request(
    member, other_unit, private_run
):
    Membership.objects.create(user=member, unit=other_unit, role=Membership.Role.MEMBER)
    body = {**FORM, "model": private_run.model.slug, "evidence": [private_run.evaluation.pk]}
    api = token_client(member)
    refused = api.post(
        "/api/v1/approval-requests/",
        body | {"business_unit": "engineering"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and list(refused.json()) == ["evidence"]
    filed = api.post(
        "/api/v1/approval-requests/", body | {"business_unit": "marketing"}, format="json"
    )
    assert filed.status_code == 201, filed.content


def test_min_score_counts_a_private_evaluation_for_its_own_unit_only(
    approver, unit, other_unit, private_run
):
    floor = (("sql-from-questions", private_run.pass_rate - 1),)
    model = private_run.model

    def verdict(for_unit, viewer):
        found = recommend(
            Need(specialty="code", unit=for_unit, min_scores=floor, viewer=viewer), limit=50
        )
        listed = {c.model.pk: c for c in [*found.results, *found.excluded]}
        return listed[model.pk]

    own = verdict(unit, approver)
    assert not any("sql-from-questions evaluation" in e for e in own.exclusions)
    other = verdict(other_unit, approver)  # an approver sees it, but it is not Engineering's
    assert "no sql-from-questions evaluation" in other.exclusions
    assert "no sql-from-questions evaluation" in verdict(unit, None).exclusions


def test_the_evaluation_is_hidden_from_outsiders_everywhere_it_is_listed(
    mallory, approver, member, private_run
):
    assert not Evaluation.objects.visible_to(mallory).exists()
    assert Evaluation.objects.visible_to(member).get() == private_run.evaluation
    assert Evaluation.objects.visible_to(approver).get() == private_run.evaluation
    assert not EvalRun.objects.visible_to(mallory).exists()
