"""Queries per list request stay flat from 100 to 10,000 models, whatever the page size."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bench.bench_api import seed_catalog
from catalog.choices import AvailabilityStatus, PriceSource
from catalog.models import Adoption, AvailabilityCheck, PriceObservation
from tests.catalog.api_support import token_client
from tests.factories import BusinessUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

# Query budget per endpoint: token lookup, then what the endpoint itself needs.
BUDGETS = {
    # count, page of ids, the page's rows, their specialties
    "/api/v1/models/?page_size=500": 5,
    # + one lookup per slug filter (vendor, specialty, business_unit) to validate it
    "/api/v1/models/?page_size=500&vendor=bench-vendor-1&specialty=chat&business_unit=marketing"
    "&status=approved&max_input_price=20&min_context=1000&available=false&open_weights=false"
    "&region=eu&data_classification=internal&deployment=vendor_api&search=bench"
    "&ordering=-input_price,name": 8,
    "/api/v1/vendors/?page_size=500": 3,
    "/api/v1/specialties/?page_size=500": 3,
    # count, page, the page's active adoptions for the forecast
    "/api/v1/business-units/?page_size=500": 4,
    "/api/v1/business-units/marketing/": 3,
    # unit, the ETag's fingerprint, count, page (adoptions with model and vendor joined)
    "/api/v1/business-units/marketing/models/?page_size=500": 5,
    "/api/v1/business-units/marketing/models/?format=litellm": 4,
    # model, count, page
    "/api/v1/models/bench-model-00001/prices/?page_size=500": 4,
    "/api/v1/models/bench-model-00001/prices/?at=2999-01-01": 3,
    # model, count, page, then the uptime timeline and the state before it
    "/api/v1/models/bench-model-00001/availability/?page_size=500": 6,
    "/api/v1/models/bench-model-00001/": 3,
}


def build_catalog(size: int) -> None:
    """`size` models, a unit using size/20 of them, and a ledger of size/20 rows each kind."""
    ids = seed_catalog(size)
    unit = BusinessUnitFactory(slug="marketing")
    for n in range(20):
        BusinessUnitFactory(slug=f"unit-{n}")
    now = timezone.now()
    Adoption.objects.bulk_create(
        Adoption(
            unit=unit,
            model_id=model_id,
            use_case="bulk",
            approved_at=now,
            expires_at=now + timedelta(days=30),
            expected_monthly_input_tokens=1_000_000,
        )
        for model_id in ids[: size // 20]
    )
    model_id = ids[1]
    PriceObservation.objects.bulk_create(
        PriceObservation(
            model_id=model_id,
            observed_at=now - timedelta(hours=n),
            input_price_per_mtok=Decimal(n),
            source=PriceSource.MANUAL,
        )
        for n in range(size // 20)
    )
    statuses = [AvailabilityStatus.UP, AvailabilityStatus.DOWN]
    AvailabilityCheck.objects.bulk_create(
        AvailabilityCheck(model_id=model_id, checked_at=now - timedelta(hours=n), status=s)
        for n, s in zip(range(size // 20), statuses * size, strict=False)
    )


@pytest.mark.parametrize("size", [100, 10_000])
def test_list_queries_do_not_grow_with_the_catalog(size, django_assert_max_num_queries):
    build_catalog(size)
    api = token_client(UserFactory(username="reader"))
    for url, budget in BUDGETS.items():
        with django_assert_max_num_queries(budget, info=url):
            response = api.get(url)
        assert response.status_code == 200, (url, response.content[:300])
    full_page = api.get("/api/v1/models/?page_size=500").json()
    assert full_page["count"] == size and len(full_page["results"]) == min(size, 500)
