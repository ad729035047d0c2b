"""One eval score reads the same on every page (issue 28, item 8): it read 72 %, 72.5 % and
0.725 on three of them."""

from decimal import Decimal

import pytest

from catalog.models import Evaluation
from catalog.templatetags.catalog_ui import eval_score, percent
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


def test_a_pass_rate_is_a_percent_with_its_decimal_and_other_metrics_stay_as_they_are():
    assert percent(Decimal("0.7250")) == "72.5 %" and percent(Decimal("0.85")) == "85 %"
    assert eval_score(Evaluation(metric="pass_rate", score=Decimal("0.725"))) == "72.5 %"
    assert eval_score(Evaluation(metric="accuracy", score=Decimal("0.8600"))) == "0.86"


def test_the_model_page_and_compare_say_the_same_pass_rate(client, member):
    model = AIModelFactory(name="Small")
    other = AIModelFactory(name="Big")
    for m in (model, other):
        Evaluation.objects.create(
            model=m, task="triage", metric="pass_rate", score=Decimal("0.725"), source="suite",
            date="2026-12-01",
        )  # fmt: skip
    client.force_login(member)
    assert "72.5 %" in client.get(f"/models/{model.slug}/").content.decode()
    compared = client.get(f"/compare/?m={model.slug}&m={other.slug}").content.decode()
    assert "72.5 % pass rate" in compared and "0.725" not in compared
