"""An approval row shows the unit's context (issue 28, item 5): what it already uses for the
same specialty, its forecast against budget with this approval, and duplicates."""

from decimal import Decimal

import pytest

from catalog.models import ApprovalRequest
from tests.catalog.test_pages_dashboards import _adopt
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


def _ask(member, unit, model, use_case, tokens_in):
    return ApprovalRequest.objects.create(
        model=model,
        unit=unit,
        requester=member,
        use_case=use_case,
        data_classification="internal",
        expected_monthly_input_tokens=tokens_in,
    )


def test_a_row_shows_the_units_models_forecast_with_this_and_duplicate_use_cases(
    client, approver, member, unit
):
    unit.monthly_budget = Decimal("100.00")
    unit.save()
    codestral = AIModelFactory(name="Codestral", specialties=["code"], status="approved")
    devstral = AIModelFactory(
        name="Devstral Small", specialties=["code"], input_price_per_mtok=Decimal("10")
    )
    _adopt(unit, AIModelFactory(name="Qwen Coder", specialties=["code"]), "Code review", 0, 0)
    _adopt(unit, AIModelFactory(name="Embedder", specialties=["embedding"]), "Search", 0, 0)
    _ask(member, unit, devstral, "IDE completion", 12_000_000)  # $120 a month
    _ask(member, unit, codestral, "ide  completion", 0)

    client.force_login(approver)
    page = client.get("/approvals/").content.decode()
    assert "Marketing uses for code:" in page and "Qwen Coder" in page
    assert "Embedder" not in page  # another specialty
    assert "$120.00" in page and "of $100.00 budget (120 %)" in page and "over budget" in page
    assert page.count("Also waiting for the same use case") == 2
    assert "Evidence cited:" in page and "none cited" in page
