"""Eval runs a request can cite as evidence, from whichever app runs evaluations.

catalog imports nothing of that app: the app registers its source here when it starts
(`AppConfig.ready`), and the request form asks the source. Without one, the form has no run
field. A cited run becomes evidence as the API's does: the Evaluation it recorded.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from catalog.models import AIModel, Evaluation


@dataclass(frozen=True)
class CitableRun:
    """A finished run of one model, as the request form lists it."""

    id: int
    suite: str
    finished: str
    pass_rate: Decimal
    cost_per_1000_cases: Decimal | None
    latency_p50_ms: int | None
    url: str


class RunSource(Protocol):
    def citable_runs(self, model: AIModel, user: Any) -> list[CitableRun]:
        """The model's finished runs `user` may see and cite, newest first."""
        ...

    def run_evidence(self, model: AIModel, run_id: int, user: Any) -> Evaluation:
        """The Evaluation run `run_id` recorded; InvalidRequest (field `eval_run`) when it is
        not a finished run of `model` that `user` may see."""
        ...


_source: RunSource | None = None


def register_run_source(source: RunSource) -> None:
    global _source
    _source = source


def run_source() -> RunSource | None:
    return _source
