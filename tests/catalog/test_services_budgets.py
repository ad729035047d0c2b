from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import Adoption
from catalog.services.budgets import unit_forecast, units_check_budget
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db
M = 1_000_000


def adopt(unit, model, tokens_in, tokens_out=0):
    now = timezone.now()
    return Adoption.objects.create(
        unit=unit,
        model=model,
        use_case="x",
        approved_at=now,
        expires_at=now + timedelta(days=30),
        expected_monthly_input_tokens=tokens_in,
        expected_monthly_output_tokens=tokens_out,
    )


def test_forecast_sums_adoptions_and_counts_unpriced_apart(unit):
    adopt(
        unit,
        AIModelFactory(input_price_per_mtok=Decimal("2.5"), output_price_per_mtok=Decimal("10")),
        40 * M,
        8 * M,
    )
    adopt(unit, AIModelFactory(input_price_per_mtok=None, output_price_per_mtok=None), M)
    forecast = unit_forecast(unit)
    assert forecast.total == Decimal("180.00")  # 40 × 2.5 + 8 × 10
    assert forecast.unpriced_adoptions == 1
    assert not forecast.over_budget  # budget 1000


def test_managers_are_told_once_when_the_forecast_crosses_the_budget(
    unit, manager, member, django_capture_on_commit_callbacks
):
    model = AIModelFactory(input_price_per_mtok=Decimal("10"), output_price_per_mtok=Decimal("0"))
    adopt(unit, model, 150 * M)  # $1,500 against $1,000
    with django_capture_on_commit_callbacks(execute=True):
        crossed = units_check_budget(unit_ids=[unit.pk], reason="GPT price went up.")
    assert crossed == [unit]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [manager.email]
    assert "$1,500.00" in mail.outbox[0].body and "150% used" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert units_check_budget(unit_ids=[unit.pk], reason="again") == []
    assert len(mail.outbox) == 1


def test_going_back_under_budget_rearms_the_notice(
    unit, manager, django_capture_on_commit_callbacks
):
    model = AIModelFactory(input_price_per_mtok=Decimal("10"), output_price_per_mtok=Decimal("0"))
    adopt(unit, model, 150 * M)
    units_check_budget(unit_ids=[unit.pk], reason="x")
    model.input_price_per_mtok = Decimal("1")
    model.save()
    units_check_budget(unit_ids=[unit.pk], reason="x")
    unit.refresh_from_db()
    assert unit.over_budget_since is None


def test_an_approval_that_pushes_the_forecast_over_budget_tells_the_managers(
    unit, manager, member, approver, django_capture_on_commit_callbacks
):
    from catalog.services.approvals import approval_request_approve, approval_request_create

    model = AIModelFactory(
        name="Pricey", input_price_per_mtok=Decimal("10"), output_price_per_mtok=Decimal("0")
    )
    request = approval_request_create(
        requester=member,
        model=model,
        unit=unit,
        use_case="Bulk summaries",
        data_classification="internal",
        expected_monthly_input_tokens=200 * M,  # $2,000 against $1,000
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approval_request_approve(request=request, approver=approver, comment="ok")
    budget_mails = [m for m in mail.outbox if "over its monthly AI budget" in m.subject]
    assert [m.to for m in budget_mails] == [[manager.email]]
    assert "New adoption: Pricey" in budget_mails[0].body


def test_an_over_budget_notice_says_how_many_adoptions_it_could_not_price(
    unit, manager, django_capture_on_commit_callbacks
):
    adopt(unit, AIModelFactory(input_price_per_mtok=Decimal("10")), 150 * M)
    half_priced = AIModelFactory(input_price_per_mtok=Decimal("1"), output_price_per_mtok=None)
    adopt(unit, half_priced, M, M)
    with django_capture_on_commit_callbacks(execute=True):
        units_check_budget(unit_ids=[unit.pk], reason="x")
    assert "$1,500.00" in mail.outbox[0].body
    assert "1 adoption(s) could not be priced and are not included" in mail.outbox[0].body


def test_a_lapsed_adoption_leaves_the_budget_check_before_the_daily_job(unit, manager):
    lapsed = adopt(unit, AIModelFactory(input_price_per_mtok=Decimal("10")), 150 * M)
    Adoption.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now())
    assert units_check_budget(unit_ids=[unit.pk], reason="x") == []
    assert unit_forecast(unit).total == Decimal("0.00")
