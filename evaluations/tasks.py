"""Evaluation runs as Celery tasks: ids in, the service does the work."""

from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from evaluations.services.runs import run_execute


@shared_task(bind=True)
def run_eval(self: Task[Any, Any], run_id: int) -> None:
    """Ask one run's missing cases; a long run continues in a fresh task before the time limit.

    Acknowledged late (project-wide): a killed worker's run is redelivered and resumes. Calls
    in flight when the soft time limit strikes are dropped and asked again by the next task.
    """
    try:
        closed = run_execute(run_id=run_id)
    except SoftTimeLimitExceeded:
        closed = False
    if not closed:
        run_eval.delay(run_id)
