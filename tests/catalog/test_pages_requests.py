"""Requesting a model from the browser, and the approvers' queue deciding it in place."""

import pytest

from catalog.choices import AdoptionStatus, DataClassification, ModelStatus, RequestStatus
from catalog.models import Adoption, ApprovalRequest
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def model(db):
    return AIModelFactory(name="Haiku", max_data_classification=DataClassification.INTERNAL)


def _form(**changes):
    data = {
        "business_unit": "marketing",
        "use_case": "Ticket triage",
        "data_classification": "internal",
        "expected_monthly_input_tokens": "1000000",
        "expected_monthly_output_tokens": "200000",
        "justification": "Cheap and fast",
    }
    return data | changes


def _pending(model, member, unit):
    return ApprovalRequest.objects.create(
        model=model, unit=unit, requester=member, use_case="Ticket triage"
    )


def test_member_submits_a_request_and_sees_a_confirmation(client, member, model):
    client.force_login(member)
    page = client.get(f"/requests/new/?model={model.slug}").content.decode()
    for label in ["Business unit", "Use case", "Data classification", "Justification"]:
        assert f">{label}</label>" in page
    assert "Submit request" in page
    response = client.post(f"/requests/new/?model={model.slug}", _form(), follow=True)
    request = ApprovalRequest.objects.get()
    assert response.redirect_chain[-1][0] == f"/requests/{request.pk}/"
    html = response.content.decode()
    assert "Request submitted" in html and "Pending" in html and "Ticket triage" in html
    assert request.status == RequestStatus.PENDING and request.requester == member


def test_inline_validation_answers_for_the_changed_field_only(client, member, model):
    client.force_login(member)
    url = f"/requests/new/?model={model.slug}"
    too_sensitive = _form(data_classification="confidential", use_case="", _validate="1")
    response = client.post(
        url, too_sensitive, headers={**HTMX, "HX-Trigger-Name": "data_classification"}
    )
    html = response.content.decode()
    assert 'id="error-data_classification"' in html and "cleared for internal data" in html
    assert "Use case" not in html
    fine = client.post(url, _form(_validate="1"), headers={**HTMX, "HX-Trigger-Name": "use_case"})
    assert 'role="alert"' not in fine.content.decode()
    assert not ApprovalRequest.objects.exists()


def test_service_refusals_show_on_the_form(client, member, unit, model):
    client.force_login(member)
    review = AIModelFactory(name="Draft", status=ModelStatus.UNDER_REVIEW)
    response = client.post(f"/requests/new/?model={review.slug}", _form())
    assert response.status_code == 400
    assert "still under review" in response.content.decode()
    _pending(model, member, unit)
    again = client.post(f"/requests/new/?model={model.slug}", _form())
    assert again.status_code == 400 and "already has a pending request" in again.content.decode()


def test_someone_without_a_unit_is_told_so(client, outsider, model):
    client.force_login(outsider)
    html = client.get(f"/requests/new/?model={model.slug}").content.decode()
    assert "not a member of any business unit" in html and "Submit request" not in html


def test_my_requests_show_who_decided_and_why(client, member, approver, unit, model):
    request = _pending(model, member, unit)
    client.force_login(approver)
    client.post(f"/approvals/{request.pk}/decide/", {"decision": "reject", "comment": "Use Sonnet"})
    client.force_login(member)
    html = client.get("/requests/").content.decode()
    assert "Rejected" in html and "<strong>bob</strong>" in html and "Use Sonnet" in html


def test_requester_withdraws_a_pending_request(client, member, unit, model):
    request = _pending(model, member, unit)
    client.force_login(member)
    client.post(f"/requests/{request.pk}/withdraw/")
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN


def test_someone_elses_request_is_404(client, member, outsider, unit, model):
    request = _pending(model, member, unit)
    client.force_login(outsider)
    assert client.get(f"/requests/{request.pk}/").status_code == 404
    assert client.post(f"/requests/{request.pk}/withdraw/").status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_approvals_queue_is_404_to_non_approvers(client, member, unit, model, method):
    request = _pending(model, member, unit)
    client.force_login(member)
    assert getattr(client, method)("/approvals/").status_code in (404, 405)
    decide = client.post(f"/approvals/{request.pk}/decide/", {"decision": "approve"})
    assert decide.status_code == 404
    assert ApprovalRequest.objects.get().status == RequestStatus.PENDING


def test_each_queue_row_has_its_own_comment_box(client, member, approver, unit, model):
    _pending(model, member, unit)
    _pending(AIModelFactory(), member, unit)
    client.force_login(approver)
    html = client.get("/approvals/").content.decode()
    ids = [r.pk for r in ApprovalRequest.objects.all()]
    for pk in ids:
        assert f'<label for="comment-{pk}">Comment</label>' in html
        assert f'id="comment-{pk}"' in html
    assert html.count(">Approve</button>") == 2 and html.count(">Reject</button>") == 2


def test_approving_in_place_returns_the_updated_row_and_adopts_the_model(
    client, member, approver, unit, model
):
    request = _pending(model, member, unit)
    client.force_login(approver)
    response = client.post(
        f"/approvals/{request.pk}/decide/",
        {"decision": "approve", "comment": "Fine for triage"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith(f'<tr id="approval-{request.pk}"')
    assert "Approved" in html and "Fine for triage" in html and "<textarea" not in html
    adoption = Adoption.objects.get()
    assert adoption.unit == unit and adoption.status == AdoptionStatus.ACTIVE
    unit_page = client.get(f"/business-units/{unit.slug}/").content.decode()
    assert "Haiku" in unit_page and "Ticket triage" in unit_page


def test_rejecting_without_a_comment_keeps_the_row_open_with_the_reason(
    client, member, approver, unit, model
):
    request = _pending(model, member, unit)
    client.force_login(approver)
    response = client.post(f"/approvals/{request.pk}/decide/", {"decision": "reject"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 400
    assert "needs a comment" in html and f'id="comment-{request.pk}"' in html
    assert ApprovalRequest.objects.get().status == RequestStatus.PENDING


def test_a_second_decision_gets_409_and_shows_the_first(client, member, approver, unit, model):
    request = _pending(model, member, unit)
    client.force_login(approver)
    client.post(f"/approvals/{request.pk}/decide/", {"decision": "approve"}, headers=HTMX)
    again = client.post(
        f"/approvals/{request.pk}/decide/", {"decision": "reject", "comment": "No"}, headers=HTMX
    )
    assert again.status_code == 409
    assert "already approved" in again.content.decode()


def test_approver_cannot_decide_their_own_request(client, approver, unit, model):
    from accounts.models import Membership

    Membership.objects.create(user=approver, unit=unit)
    _pending(model, approver, unit)
    client.force_login(approver)
    html = client.get("/approvals/").content.decode()
    assert "Your own request" in html and ">Approve</button>" not in html
