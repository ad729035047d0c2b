from evaluations.models.runs import EvalResult, EvalRun
from evaluations.models.suites import EvalCase, EvalSuite

__all__ = ["EvalCase", "EvalResult", "EvalRun", "EvalSuite"]
