"""Jobs and notifications are queued by name from any process, not only a worker."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
from celery import current_app
assert "core.tasks.deliver_email" not in current_app.tasks
from core.jobs import enqueue
enqueue("core.tasks.deliver_email", ["a@example.com"], "subject", "body")
"""


def test_a_web_process_finds_every_task_it_queues_by_name(tmp_path):
    """A fresh process that loaded the URLs (as gunicorn does) but imported no task module:
    Celery's autodiscovery is lazy there, and enqueue must still find the task."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "modelshelf.settings",
        "DEBUG": "1",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "CELERY_BROKER_URL": "memory://",
        "MODELSHELF_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
