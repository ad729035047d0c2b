"""What a vendor job did, summed over the JobRun rows it wrote (one per vendor or source), and
the rules every run follows: it ends with `finished_at` set, and one left open by a killed
worker is closed as interrupted by the next run of its kind."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from catalog.models import JobRun
from catalog.vendors.base import MAX_PROBLEMS


@dataclass
class JobResult:
    """`retry_vendors` failed transiently and are worth another try after `retry_after`."""

    runs: list[JobRun] = field(default_factory=list)
    retry_vendors: list[str] = field(default_factory=list)
    retry_after: float | None = None

    @property
    def checked(self) -> int:
        return sum(r.checked for r in self.runs)

    @property
    def changed(self) -> int:
        return sum(r.changed for r in self.runs)

    @property
    def flagged(self) -> int:
        return sum(r.flagged for r in self.runs)

    @property
    def errors(self) -> list[dict[str, object]]:
        return [e for r in self.runs for e in r.errors]


def job_runs_close_interrupted(*, kind: str) -> int:
    """Close runs of `kind` still open after the task time limit: their worker died (kill -9,
    OOM, a lost machine) and nothing else will ever finish them. Returns how many."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    error = {
        "error": "interrupted: the run did not finish within the task time limit",
        "permanent": False,
    }
    return JobRun.objects.filter(kind=kind, finished_at__isnull=True, started_at__lt=cutoff).update(
        finished_at=now, errors=[error]
    )


def problem_records(problems: list[str], **context: object) -> list[dict[str, object]]:
    """Per-item problems of one answer as JobRun errors: the first few, then how many more."""
    records: list[dict[str, object]] = [
        {**context, "error": problem, "permanent": True} for problem in problems[:MAX_PROBLEMS]
    ]
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        records.append({**context, "error": f"and {more} more such items", "permanent": True})
    return records
