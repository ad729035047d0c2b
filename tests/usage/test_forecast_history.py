"""A month's forecast is the one it had (issue 25, items 4 and 6): counted once per adoption
whatever names its usage came under, and made of the adoptions in force on each of its days at
that day's prices, so approving, revoking or repricing later never rewrites it."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from catalog.choices import AdoptionStatus, PriceSource
from catalog.models import Adoption, PriceObservation
from catalog.models.costs import PriceComponents
from tests.factories import AIModelFactory, VendorFactory
from usage.choices import SourceKind
from usage.models import UsageAccount, UsageRecord, UsageSource
from usage.services.reports import totals, unit_month, unit_months

pytestmark = pytest.mark.django_db
OCTOBER = date(2026, 10, 1)
M = 1_000_000


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@pytest.fixture
def gpt4o(db):
    """$1 per million input tokens since January: 100M tokens a month is $100."""
    model = AIModelFactory(
        vendor=VendorFactory(slug="openai"), slug="gpt-4o", vendor_model_id="gpt-4o"
    )
    price(model, date(2026, 1, 1), "1")
    return model


def price(model, day: date, input_price: str) -> None:
    PriceObservation.entry(
        model_id=model.pk,
        prices=PriceComponents(input=Decimal(input_price), output=Decimal(0)),
        observed_at=at(day),
        source=PriceSource.MANUAL,
    ).save()


def adopt(unit, model, approved: date) -> Adoption:
    return Adoption.objects.create(
        unit=unit,
        model=model,
        use_case="Drafting",
        approved_at=at(approved),
        expires_at=at(date(2027, 10, 1)),
        expected_monthly_input_tokens=100 * M,
    )


def forecasts(unit) -> list[tuple[str, Decimal | None]]:
    return [(row.vendor_model_id, row.forecast_cost) for row in unit_month(unit.pk, OCTOBER)]


def test_a_forecast_counts_once_however_many_names_the_usage_came_under(unit, gpt4o):
    adopt(unit, gpt4o, date(2026, 9, 1))
    source = UsageSource.objects.create(name="Gateway", kind=SourceKind.LITELLM)
    account = UsageAccount.objects.create(source=source, external_id="t", unit=unit)
    for name in ("gpt-4o", "openai/gpt-4o"):
        UsageRecord.objects.create(
            source=source, account=account, unit=unit, day=date(2026, 10, 5),
            vendor_model_id=name, model=gpt4o, input_tokens=M, list_cost=Decimal(1),
            ingested_at=at(date(2026, 10, 6)),
        )  # fmt: skip

    rows = unit_month(unit.pk, OCTOBER)

    assert [(r.vendor_model_id, r.forecast_cost) for r in rows] == [
        ("gpt-4o", Decimal("100.00")),
        ("openai/gpt-4o", None),
    ]
    assert totals(rows)["forecast_cost"] == Decimal("100.00")  # not $200


def test_a_month_counts_only_the_days_an_adoption_was_in_force(unit, gpt4o):
    adopt(unit, gpt4o, date(2026, 10, 16))  # 16 of October's 31 days

    assert forecasts(unit) == [("gpt-4o", Decimal("51.61"))]
    assert unit_month(unit.pk, date(2026, 9, 1)) == []


def test_repricing_changes_the_forecast_from_that_day_on_only(unit, gpt4o):
    adopt(unit, gpt4o, date(2026, 9, 1))
    price(gpt4o, date(2026, 10, 26), "2")  # the last 6 days at $200 a month

    assert forecasts(unit) == [("gpt-4o", Decimal("119.35"))]  # (25 × 100 + 6 × 200) / 31
    september = unit_month(unit.pk, date(2026, 9, 1))
    assert [r.forecast_cost for r in september] == [Decimal("100.00")]


def test_revoking_ends_the_forecast_on_the_day_of_the_revoking(unit, gpt4o):
    adoption = adopt(unit, gpt4o, date(2026, 9, 1))
    adoption.status = AdoptionStatus.REVOKED
    adoption.save()
    adoption.history.filter(status=AdoptionStatus.REVOKED).update(
        history_date=at(date(2026, 10, 21))
    )

    assert forecasts(unit) == [("gpt-4o", Decimal("64.52"))]  # 20 of 31 days
    assert unit_month(unit.pk, date(2026, 11, 1)) == []


def test_the_unit_page_shows_each_month_the_forecast_it_had(unit, gpt4o):
    adopt(unit, gpt4o, date(2026, 10, 16))

    figures = unit_months(unit, [date(2026, 9, 1), OCTOBER, date(2026, 11, 1)])

    assert [f.forecast for f in figures] == [
        Decimal("0.00"),
        Decimal("51.61"),
        Decimal("100.00"),
    ]
