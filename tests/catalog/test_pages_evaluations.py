"""Evaluation scores on the model page and, one row per task, on the compare page."""

import re
from datetime import date

import pytest

from catalog.models import Evaluation
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browse(client, member):
    client.force_login(member)
    return client


def evaluate(model, task, score, metric="accuracy", source="HELM", day=date(2026, 3, 1)):
    return Evaluation.objects.create(
        model=model, task=task, metric=metric, score=score, source=source, date=day
    )


def test_model_page_lists_its_evaluation_scores(browse):
    model = AIModelFactory(name="Sonnet")
    evaluate(model, "mmlu", "0.8600", source="HELM lite")
    evaluate(
        model, "gsm8k", "100.0000", metric="pass@1", source="vendor card", day=date(2026, 2, 9)
    )
    html = browse.get(f"/models/{model.slug}/").content.decode()
    section = html.split("<h2>Evaluations</h2>", 1)[1].split("</article>", 1)[0]
    rows = re.findall(
        r"<tr><td>(.*?)</td><td>(.*?)</td><td class=\"num\">(.*?)</td>"
        r"<td>(.*?)</td><td>(.*?)</td></tr>",
        section,
    )
    assert rows == [
        ("gsm8k", "pass@1", "100", "vendor card", "9 Feb 2026"),
        ("mmlu", "accuracy", "0.86", "HELM lite", "1 Mar 2026"),
    ]


def test_model_page_without_evaluations_says_so(browse):
    model = AIModelFactory()
    assert "No evaluation scores recorded." in browse.get(f"/models/{model.slug}/").content.decode()


def test_compare_shows_a_row_per_task_with_differences_highlighted(browse):
    a, b = AIModelFactory(name="A"), AIModelFactory(name="B")
    evaluate(a, "mmlu", "0.86")
    evaluate(a, "mmlu", "0.80", source="other")  # the best score per task is shown
    evaluate(b, "mmlu", "0.86")
    evaluate(a, "humaneval", "0.5", metric="pass@1")
    html = browse.get("/compare/", {"m": [a.slug, b.slug]}).content.decode()
    assert re.search(
        r'<tr class="differs">\s*<th scope="row">Eval: humaneval <span class="differs-badge">'
        r"differs</span></th>\s*<td>0.5 pass@1</td><td>—</td>",
        html,
    )
    assert re.search(
        r'<tr>\s*<th scope="row">Eval: mmlu</th>\s*<td>0.86 accuracy</td><td>0.86 accuracy</td>',
        html,
    )
    assert html.index("Eval: humaneval") < html.index("Eval: mmlu")
