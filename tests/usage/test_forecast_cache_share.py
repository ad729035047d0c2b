"""The usage months forecast an adoption with its expected cache share, as its request did: that
share of the input at the cache-read rate of each day's price (at the input rate where none is
known), so the unit's month, its API and its page agree with the adoption's own forecast."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.choices import PriceSource
from catalog.models import Adoption, PriceObservation
from catalog.models.costs import PriceComponents
from tests.catalog.api_support import token_client
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db
M = 1_000_000
OCTOBER = "/api/v1/business-units/marketing/usage/?month=2026-10"


def sonnet(cache_read: str | None) -> object:
    """$3 in, $15 out: 10M in and 1M out is $45.00 a month, $20.70 with 90 % cache reads at
    $0.30 (1M uncached × $3 + 9M × $0.30 + 1M × $15)."""
    return AIModelFactory(
        slug="sonnet",
        vendor_model_id="sonnet-4",
        input_price_per_mtok=Decimal("3"),
        output_price_per_mtok=Decimal("15"),
        cache_read_price_per_mtok=None if cache_read is None else Decimal(cache_read),
    )


def adopt(unit, model, cache_share: str, approved: datetime, expires: datetime) -> Adoption:
    adoption = Adoption.objects.create(
        unit=unit,
        model=model,
        use_case="Answer questions over a long shared manual",
        approved_at=approved,
        expires_at=expires,
        expected_monthly_input_tokens=10 * M,
        expected_monthly_output_tokens=1 * M,
        expected_cache_share=Decimal(cache_share),
    )
    return adoption


def adopt_for_october(unit, model, cache_share: str) -> Adoption:
    return adopt(
        unit,
        model,
        cache_share,
        approved=datetime(2026, 9, 1, tzinfo=UTC),
        expires=datetime(2027, 9, 1, tzinfo=UTC),
    )


def october_forecast(member) -> tuple[str, str]:
    body = token_client(member).get(OCTOBER).json()
    [row] = body["results"]
    return row["forecast_cost"], body["totals"]["forecast_cost"]


@pytest.mark.parametrize(
    ("cache_read", "share", "forecast"),
    [
        ("0.30", "0.9", "20.70"),
        ("0.30", "0", "45.00"),  # no share: the forecast it always had
        (None, "0.9", "45.00"),  # no cache-read price: the share at the input rate, never free
    ],
)
def test_the_unit_month_api_forecasts_the_cache_share_at_the_cache_read_rate(
    unit, member, cache_read, share, forecast
):
    adoption = adopt_for_october(unit, sonnet(cache_read), share)

    assert october_forecast(member) == (forecast, forecast)
    assert adoption.estimated_monthly_cost == Decimal(forecast)  # the request's own figure


def test_a_past_month_prices_the_cache_share_at_the_cache_read_rate_of_its_days(unit, member):
    model = sonnet(cache_read="0.30")
    PriceObservation.entry(
        model_id=model.pk,
        prices=PriceComponents(
            input=Decimal("3"), output=Decimal("15"), cache_read=Decimal("0.30")
        ),
        observed_at=datetime(2026, 1, 1, tzinfo=UTC),
        source=PriceSource.MANUAL,
    ).save()
    adopt_for_october(unit, model, "0.9")
    model.cache_read_price_per_mtok = Decimal("0.60")  # repriced today, the ledger not yet
    model.save()

    assert october_forecast(member) == ("20.70", "20.70")  # October's cache price, not today's


def test_the_unit_page_forecasts_this_month_with_the_cache_share(client, unit, member):
    now = timezone.now()
    adopt(unit, sonnet("0.30"), "0.9", now - timedelta(days=400), now + timedelta(days=400))
    client.force_login(member)

    page = client.get("/business-units/marketing/").content.decode()

    months = page[page.index('aria-label="Spend by month"') :].split("</table>")[0]
    this_month = months.split("</tr>")[-2]
    assert f"{now:%b %Y}" in this_month
    assert '<td class="num key">$20.70</td>' in this_month
