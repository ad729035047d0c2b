"""NUL characters never reach the database: PostgreSQL refuses them in text, so every page and
API call answers 400 naming the field (404 for a path), never 500. Run on SQLite by default and
on PostgreSQL when DATABASE_URL names it (CI does)."""

import pytest

from catalog.choices import RequestStatus
from catalog.models import ApprovalRequest
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(db):
    return AIModelFactory(name="Haiku", slug="haiku")


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/requests/new/?model=%00", "model"),
        ("/compare/?m=haiku&m=%00", "m"),
        ("/?search=ha%00ku", "search"),
        ("/status/?vendor=%00", "vendor"),
        ("/recommend/?specialty=%00", "specialty"),
    ],
)
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(client, member, model, url, field):
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 400
    assert (
        f"<strong>{field}</strong>: Null characters are not allowed." in response.content.decode()
    )


def test_a_nul_in_a_decision_comment_is_a_400_and_decides_nothing(
    client, member, approver, unit, model
):
    request = ApprovalRequest.objects.create(
        model=model, unit=unit, requester=member, use_case="Ticket triage"
    )
    client.force_login(approver)
    response = client.post(
        f"/approvals/{request.pk}/decide/", {"decision": "approve", "comment": "ok\x00"}
    )
    assert response.status_code == 400
    assert "<strong>comment</strong>" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_a_nul_in_the_login_form_is_a_400_not_a_lockout_lookup(client):
    response = client.post("/accounts/login/", {"username": "ali\x00ce", "password": "x"})
    assert response.status_code == 400
    assert "<strong>username</strong>" in response.content.decode()


def test_api_answers_nul_parameters_with_a_json_400_and_nul_paths_with_404(client, member, model):
    client.force_login(member)
    response = client.get("/api/v1/models/?search=%00")
    assert response.status_code == 400
    assert list(response.json()) == ["search"]
    response = client.get("/api/v1/models/%00/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
