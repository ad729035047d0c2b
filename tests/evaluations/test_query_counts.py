"""Eval pages and list endpoints run the same number of queries at two catalog sizes."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from evaluations.choices import RunStatus
from evaluations.models import EvalRun, EvalSuite
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db
URLS = [
    "/evals/",
    "/evals/suite-0/",
    "/landscape/",
    "/api/v1/eval-suites/",
    "/api/v1/eval-runs/",
]


def grow(n: int, admin) -> None:
    """n more suites, models and finished runs (with a result each) on suite-0."""
    start = EvalSuite.objects.count()
    for i in range(start, start + n):
        suite = EvalSuite.objects.create(slug=f"suite-{i}", name=f"Suite {i}")
        case = suite.cases.create(position=1, messages=[{"role": "user", "content": "q"}],
                                  expected="a", grader="exact")  # fmt: skip
        model = AIModelFactory(parameters=(i + 1) * 10**9, specialties=["chat"],
                               family="GPT-9", release_date="2024-01-01")  # fmt: skip
        model.vendor.api_base_url = "http://127.0.0.1:9/v1"
        model.vendor.save()
        run = EvalRun.objects.create(
            suite=EvalSuite.objects.get(slug="suite-0"), model=model, started_by=admin,
            status=RunStatus.FINISHED, cases=1, done=1, pass_rate=Decimal("0.5"),
            cost_usd=Decimal("0.01"), errors=[{"case": 1, "error": "x"}],
        )  # fmt: skip
        run.results.create(case=case, output="a", passed=True)


def counts(client, api) -> dict[str, int]:
    result = {}
    for url in URLS:
        caller = api if url.startswith("/api/") else client
        caller.get(url)  # warm per-user caches (group names) first
        with CaptureQueriesContext(connection) as queries:
            response = caller.get(url)
        assert response.status_code == 200, url
        result[url] = len(queries)
    return result


def test_eval_pages_and_lists_do_not_grow_queries_with_the_catalog(client, catalog_admin):
    client.force_login(catalog_admin)
    api = APIClient()
    api.force_authenticate(catalog_admin)
    grow(2, catalog_admin)
    small = counts(client, api)
    grow(8, catalog_admin)
    assert counts(client, api) == small
