"""A web process imports no task module: queueing by name must still find the task."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WEB_PROCESS = """
import django
django.setup()
from celery import current_app
from core.jobs import enqueue
names = ["core.tasks.deliver_email", "catalog.tasks.jobs.sync_prices", "evaluations.tasks.run_eval"]
print("known before:", sorted(n for n in names if n in current_app.tasks))
enqueue("core.tasks.deliver_email", ["a@example.com"], "subject", "body")
print("known after:", sorted(n for n in names if n in current_app.tasks))
"""


def test_a_process_that_imported_no_task_module_queues_a_task_by_name():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "modelshelf.settings",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "EMAIL_URL": "dummy://",
    }
    done = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    before, after = done.stdout.splitlines()[-2:]
    assert before == "known before: []"  # as in gunicorn: nothing imported the tasks
    assert "core.tasks.deliver_email" in after and "catalog.tasks.jobs.sync_prices" in after
