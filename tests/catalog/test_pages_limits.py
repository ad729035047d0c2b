"""The request form asks for the gateway limits, with what the expected volume implies; the
approver sets them in the queue."""

from decimal import Decimal

import pytest

from catalog.models import Adoption, ApprovalRequest
from tests.catalog.test_pages_requests import HTMX, _form, _pending
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(db):
    return AIModelFactory(name="Haiku", input_price_per_mtok=Decimal("1.000000"))


def test_the_request_form_asks_for_limits_and_says_what_the_volume_implies(client, member, model):
    client.force_login(member)

    html = client.get(f"/requests/new/?model={model.slug}").content.decode()
    hint = client.post(
        f"/requests/new/?model={model.slug}",
        _form(_validate="1", expected_monthly_input_tokens="43200000"),
        headers={**HTMX, "HX-Trigger-Name": "expected_monthly_input_tokens"},
    ).content.decode()

    for label in ("Tokens per minute limit", "Requests per minute limit", "Monthly budget (USD)"):
        assert label in html
    assert "average 1,005 tokens a minute" in hint  # (43.2M + 0.2M) / 43,200 minutes
    assert "cost about $43.60 a month" in hint


def test_the_limits_asked_in_the_form_are_on_the_request(client, member, model):
    client.force_login(member)

    client.post(f"/requests/new/?model={model.slug}", _form(tpm_limit="5000", monthly_budget="75"))

    asked = ApprovalRequest.objects.get()
    assert (asked.tpm_limit, asked.rpm_limit, asked.monthly_budget) == (5000, None, Decimal(75))


def test_a_limit_that_is_not_a_number_is_refused_on_the_form(client, member, model):
    client.force_login(member)

    response = client.post(f"/requests/new/?model={model.slug}", _form(rpm_limit="-3"))

    assert response.status_code == 400
    assert not ApprovalRequest.objects.exists()


def test_the_approver_sets_the_limits_when_approving(client, member, approver, unit, model):
    request = _pending(model, member, unit)
    request.tpm_limit = 5000
    request.save()
    client.force_login(approver)
    row = client.get("/approvals/").content.decode()

    client.post(
        f"/approvals/{request.pk}/decide/",
        {"decision": "approve", "tpm_limit": "2000", "rpm_limit": "", "monthly_budget": "40"},
    )

    assert f'id="tpm-{request.pk}"' in row and 'value="5000"' in row
    adoption = Adoption.objects.get()
    assert (adoption.tpm_limit, adoption.rpm_limit, adoption.monthly_budget) == (
        2000,
        None,
        Decimal("40.00"),
    )


def test_an_impossible_limit_in_the_queue_approves_nothing(client, member, approver, unit, model):
    request = _pending(model, member, unit)
    client.force_login(approver)

    response = client.post(
        f"/approvals/{request.pk}/decide/",
        {"decision": "approve", "tpm_limit": "0"},
        headers=HTMX,
    )

    assert response.status_code == 400
    assert "Tokens per minute" in response.content.decode()
    assert not Adoption.objects.exists()
