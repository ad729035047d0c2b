"""Loaded with `-p tests.testenv` before Django starts: embedded defaults for the test run.

CI overrides DATABASE_URL and CELERY_BROKER_URL to point at real servers (see .ci/run).
"""

import os
from pathlib import Path

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
# The fake vendor and the other test servers listen on 127.0.0.1: the outbound policy refuses
# loopback unless listed, as production lists nothing. 127.0.0.2 stays refused (the trust
# boundary's tests listen there).
os.environ.setdefault("OUTBOUND_ALLOWED_HOSTS", "127.0.0.1")
# Under pytest-xdist each worker has its own test database, so its own cache keys too.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["CACHE_KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "") + worker
os.environ.setdefault(
    "MODELSHELF_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test")
)
