"""Every page costs the same number of queries with 100 or 10,000 models in the catalog."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from catalog.models import Adoption, AIModel, ApprovalRequest
from core.choices import JobKind
from core.models import JobRun
from tests.catalog.pages import add_history, bulk_catalog

pytestmark = pytest.mark.django_db

# Page → (most queries for the page, most for its htmx request), the user included (the session
# comes from the cache), in this order: the catalog's counts and filter choices are cached per
# catalog generation, so an earlier page may have read them. Full pages read the bar's groups
# and units in one query (issue 15).
BUDGET = {
    "/": (6, 2),
    "/?search=Model&vendor=bulk-vendor-1&status=any": (7, 3),
    # + 1 under "available": the count of not-monitored models it leaves out (issue 15 item 3).
    "/?specialty=code&size_class=small&max_input_price=5&available=true&ordering=-input_price": (
        6,
        3,
    ),
    "/?page=3&ordering=context_window": (4, 2),
    "/models/bulk-model-00000/": (11, 3),
    "/compare/?m=bulk-model-00000&m=bulk-model-00003&m=bulk-model-00006&m=bulk-model-00009": (
        5,
        5,
    ),
    "/requests/": (5, 5),
    # + 1 for the model's finished eval runs the form offers as evidence.
    "/requests/new/?model=bulk-model-00000": (6, 6),
    # + 2 for the usage panel (months of usage, findings); + 1 for the adopted models'
    # evaluations, which the savings compare to say what switching gives up (issue 15 item 6);
    # + 2 for each month's own forecast: the adoptions that covered the months, their prices.
    # + 1: whether its gateways enforce its list.
    "/business-units/marketing/": (21, 21),
    "/status/": (7, 7),
    "/recommend/": (4, 1),
    # Every chat model is judged (10,000 of them at the larger size) in a fixed number of queries.
    "/recommend/?specialty=chat&monthly_input_tokens=50000000&monthly_output_tokens=10000000"
    "&min_context=16000&business_unit=marketing&min_score=mmlu:0.5": (10, 7),
    "/accounts/profile/": (4, 4),
}
# + the queue size and units in the bar, + 1 for the cited evidence of the rows, + 3 for each
# row's unit context (issue 28): the requested models' specialties, the units' adoptions and
# their models' specialties, read once for the whole queue.
APPROVER_BUDGET = {"/approvals/": (10, 10)}
# The catalog's rows carry their specialties on PostgreSQL (an array per row); elsewhere they
# are read in a query of their own.
SPECIALTIES = 0 if connection.vendor == "postgresql" else 1


def _catalog(path: str) -> int:
    """The extra query a catalog table costs off PostgreSQL."""
    return SPECIALTIES if path == "/" or path.startswith("/?") else 0


def _populate(size, member, approver, unit):
    models = bulk_catalog(size)
    add_history(models[0])
    now = timezone.now()
    for model in models[:20:3]:
        request = ApprovalRequest.objects.create(
            model=model, unit=unit, requester=member, use_case="Drafts", status="approved"
        )
        Adoption.objects.create(
            unit=unit,
            model=model,
            use_case="Drafts",
            approval=request,
            approved_at=now,
            expires_at=now + timedelta(days=365),
            expected_monthly_input_tokens=10_000_000,
        )
    for model in models[1:20:3]:
        ApprovalRequest.objects.create(model=model, unit=unit, requester=member, use_case="Try")
    for hours in range(5):
        JobRun.objects.create(
            kind=JobKind.SYNC_PRICES, started_at=now - timedelta(hours=hours), finished_at=now
        )


@pytest.mark.parametrize("size", [100, 10_000])
def test_pages_run_a_fixed_number_of_queries_whatever_the_catalog_size(
    client, member, approver, unit, size, django_assert_max_num_queries
):
    _populate(size, member, approver, unit)
    for persona, budget in ((member, BUDGET), (approver, APPROVER_BUDGET)):
        client.force_login(persona)
        for path, (page_most, fragment_most) in budget.items():
            with django_assert_max_num_queries(page_most + _catalog(path), info=path):
                assert client.get(path).status_code == 200, path
            with django_assert_max_num_queries(fragment_most + _catalog(path), info=f"htmx {path}"):
                fragment = client.get(path, headers={"HX-Request": "true"})
            assert fragment.status_code == 200, path
    client.force_login(member)
    with django_assert_max_num_queries(5 + SPECIALTIES):
        fragment = client.get(
            "/?vendor=bulk-vendor-2&specialty=chat&status=any", headers={"HX-Request": "true"}
        )
    assert b"<html" not in fragment.content
    assert fragment.content.count(b'name="m"') == min(50, size // 5)


def _unmasked(html: str) -> str:
    """The page without its CSRF token, masked differently on every response."""
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)


@pytest.mark.parametrize("size, vendors", [(100, 5), (10_000, 2_000)])
def test_the_catalog_page_costs_the_same_queries_with_thousands_of_vendors(
    client, member, size, vendors, django_assert_num_queries
):
    """The vendor choices grow with the catalog; they are read once per catalog change."""
    bulk_catalog(size, vendors=vendors)
    client.force_login(member)
    url = "/?specialty=chat&max_input_price=5&ordering=-context_window"
    # The user, the specialty, the count, the rows, the bar, the vendor and specialty choices.
    with django_assert_num_queries(7 + SPECIALTIES):
        first = client.get(url).content.decode()
    with django_assert_num_queries(4 + SPECIALTIES):  # the count and the choices from the cache
        again = client.get(url).content.decode()
    assert _unmasked(again) == _unmasked(first)
    assert first.count('<option value="bulk-vendor-') == vendors


@pytest.mark.parametrize("successors, queries", [(0, 3), (1, 4), (20, 4)])
def test_the_catalog_rows_successors_cost_one_query_when_any(
    client, member, successors, queries, django_assert_num_queries
):
    models = bulk_catalog(60)
    for model in models[:successors]:
        AIModel.objects.filter(pk=model.pk).update(
            successor=models[-1], deprecation_date=timezone.localdate() + timedelta(days=9)
        )
    client.force_login(member)
    client.get("/?status=any")  # the count and the filter choices, now cached
    # The user, the rows, their successors if any, the bar.
    with django_assert_num_queries(queries + SPECIALTIES):
        html = client.get("/?status=any").content.decode()
    assert html.count('→ <a href="/models/bulk-model-00059/">Bulk Model 00059</a>') == successors
