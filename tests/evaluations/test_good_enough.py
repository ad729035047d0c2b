"""The runs table marks the cheapest model within 5 points of the best pass rate (issue 28,
item 7): good enough, and what to request."""

from decimal import Decimal

from evaluations.choices import RunStatus
from evaluations.models import EvalRun
from evaluations.views.suites import good_enough_run


def _run(model_id: int, rate: str, cost: str, status: str = RunStatus.FINISHED) -> EvalRun:
    return EvalRun(
        model_id=model_id, status=status, cases=100, pass_rate=Decimal(rate), cost_usd=Decimal(cost)
    )


def test_the_cheapest_within_five_points_of_the_best_is_picked_from_each_models_latest_run():
    big = _run(1, "0.95", "9.00")
    small = _run(2, "0.91", "0.40")  # 4 points below the best, far cheaper: good enough
    tiny = _run(3, "0.89", "0.10")  # 6 points below: not good enough, however cheap
    small_before = _run(2, "0.50", "0.40")  # an older run of the small model: not its latest
    assert good_enough_run([big, small, tiny, small_before]) is small


def test_no_finished_priced_run_picks_nothing():
    assert good_enough_run([_run(1, "0.9", "1.00", RunStatus.RUNNING)]) is None
    unpriced = EvalRun(model_id=1, status=RunStatus.FINISHED, cases=10, pass_rate=Decimal("0.9"))
    assert good_enough_run([unpriced]) is None
