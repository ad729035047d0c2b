#!/usr/bin/env bash
# Failure drills of the job system (they are tests, run here on their own and verbosely):
# kill -9 the worker mid-sync, and crash the broker (a private, persistent redis-server)
# mid-sync. Needs PostgreSQL and Redis as in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/modelshelf}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/1}
exec .venv/bin/python -m pytest tests/catalog/test_worker_jobs.py -k drill -s -q
