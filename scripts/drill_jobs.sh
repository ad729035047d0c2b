#!/usr/bin/env bash
# Failure drills of the job system (they are tests, run here on their own and verbosely):
# kill -9 the worker mid-sync, and crash the broker (a private, persistent redis-server)
# mid-sync. Needs PostgreSQL, Redis and RabbitMQ as in CI: the drills run once per broker
# (CELERY_BROKER_URL names just one); the broker-crash drill is Redis's own.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/modelshelf}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/1}
brokers=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0 amqp://guest:guest@127.0.0.1:5672//}
for broker in $brokers; do
  echo "--- drills on $broker"
  CELERY_BROKER_URL=$broker .venv/bin/python -m pytest tests/catalog/test_worker_jobs.py -k drill -s -q
done
