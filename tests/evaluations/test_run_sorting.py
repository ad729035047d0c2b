# ruff: noqa: F811 - fixtures imported from the evaluations conftest are requested by name
"""The runs table sorts by its column headers (issue 28, item 7): buttons that submit
`?sort=`, so the order holds without JS, reverses on a second press and keeps unknowns last."""

from decimal import Decimal

import pytest

from evaluations.choices import RunStatus
from evaluations.models import EvalRun
from tests.evaluations.conftest import chat_models, fake, sql_suite  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(chat_models, sql_suite):
    """Three finished runs (small 80 % cheapest, code 92.5 %, frontier 95 % dearest) and one
    still running (no pass rate, no cost yet)."""
    for key, rate, cost in [
        ("small", "0.80", "0.0004"), ("code", "0.925", "0.003"), ("frontier", "0.95", "0.04"),
    ]:  # fmt: skip
        EvalRun.objects.create(
            suite=sql_suite, model=chat_models[key], status=RunStatus.FINISHED, cases=40,
            done=40, pass_rate=Decimal(rate), cost_usd=Decimal(cost),
        )  # fmt: skip
    EvalRun.objects.create(
        suite=sql_suite, model=chat_models["claude"], status=RunStatus.RUNNING, cases=40, done=3
    )
    return chat_models


def _order(client, **query) -> list[str]:
    """The runs' model names in the order the table lists them."""
    html = client.get("/evals/sql-from-questions/", query).content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    names = [run.model.name for run in EvalRun.objects.select_related("model")]
    return sorted(names, key=lambda name: body.index(f">{name}</a>"))


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("-pass_rate", "frontier", "claude"),  # best first; the running run last
        ("pass_rate", "small", "claude"),  # worst first; still last
        ("cost", "small", "claude"),
        ("-cost", "frontier", "claude"),
    ],
)
def test_a_sort_orders_the_runs_with_unknowns_last(client, member, runs, sort, first, last):
    client.force_login(member)
    order = _order(client, sort=sort)
    assert order[0] == runs[first].name and order[-1] == runs[last].name


def test_the_sorted_header_is_marked_and_its_button_reverses_it(client, member, runs):
    client.force_login(member)
    html = client.get("/evals/sql-from-questions/", {"sort": "-pass_rate"}).content.decode()
    assert 'aria-sort="descending"' in html
    assert '<button type="submit" name="sort" value="pass_rate" class="sort-button">' in html
    assert 'hx-get="/evals/sql-from-questions/?sort=-pass_rate"' in html  # the poll keeps it


def test_an_unknown_sort_keeps_the_newest_first(client, member, runs):
    client.force_login(member)
    html = client.get("/evals/sql-from-questions/", {"sort": "<script>"}).content.decode()
    assert "aria-sort" not in html and _order(client)[0] == runs["claude"].name
