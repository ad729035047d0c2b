"""Approval requests cite evaluations of the requested model as evidence."""

from datetime import date

import pytest

from catalog.models import ApprovalRequest, Evaluation
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(db):
    return AIModelFactory(slug="haiku", name="Haiku")


def evaluation(model, task="mmlu") -> Evaluation:
    return Evaluation.objects.create(
        model=model,
        task=task,
        metric="accuracy",
        score="0.75",
        source="card",
        date=date(2024, 3, 4),
    )


def ask(client, user, **extra):
    client.force_login(user)
    body = {
        "model": "haiku",
        "business_unit": "marketing",
        "use_case": "Summaries",
        "data_classification": "internal",
        **extra,
    }
    return client.post("/api/v1/approval-requests/", body, content_type="application/json")


def test_a_request_cites_evaluations_and_shows_them(client, member, model):
    cited = evaluation(model)
    response = ask(client, member, evidence=[cited.pk])
    assert response.status_code == 201
    assert [e["task"] for e in response.json()["evidence"]] == ["mmlu"]
    assert list(ApprovalRequest.objects.get().evidence.all()) == [cited]


def test_evidence_about_another_model_is_refused(client, member, model):
    other = evaluation(AIModelFactory(slug="other"))
    response = ask(client, member, evidence=[other.pk])
    assert response.status_code == 400
    assert "evidence" in response.json()
    assert not ApprovalRequest.objects.exists()


@pytest.mark.parametrize("bad", [[999999], ["x"], [0], [10**30]])
def test_unknown_or_malformed_evidence_ids_are_400(client, member, model, bad):
    response = ask(client, member, evidence=bad)
    assert response.status_code == 400
    assert "evidence" in response.json()
