"""Evaluation runs as Celery tasks: ids in, the service does the work."""

from celery import Task, shared_task

from evaluations.services.runs import run_execute


@shared_task(bind=True)
def run_eval(self: Task, run_id: int) -> None:
    """Ask one run's missing cases; a long run continues in a fresh task before the time limit.

    Acknowledged late (project-wide): a killed worker's run is redelivered and resumes.
    """
    if not run_execute(run_id=run_id):
        run_eval.delay(run_id)
