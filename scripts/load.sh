#!/usr/bin/env bash
# `make load`: 50 simulated users for 60 s against gunicorn + PostgreSQL + Redis on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${LOAD_PORT:-8765}
USERS=${LOAD_USERS:-50}
DURATION=${LOAD_DURATION:-60s}
export DATABASE_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/modelshelf_load}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/1}
export DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 ALLOWED_HOSTS=127.0.0.1
export SECRET_KEY=${SECRET_KEY:-load-test-$(date +%s)-not-a-production-key}
db=${DATABASE_URL##*/}
psql "${DATABASE_URL%/*}/postgres" -qtc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
  || psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"$db\""
$PY manage.py migrate --no-input -v0
$PY manage.py seed_demo --force -v0
$PY manage.py collectstatic --no-input -v0

LOAD_CREDENTIALS=$($PY loadtest/credentials.py victor alice bob)
export LOAD_CREDENTIALS

.venv/bin/gunicorn modelshelf.wsgi --bind "127.0.0.1:$PORT" --workers 4 --threads 2 \
  --access-logfile /dev/null --error-logfile var/load-gunicorn.log &
web=$!
trap 'kill $web 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

.venv/bin/locust -f loadtest/locustfile.py --headless --users "$USERS" --spawn-rate 10 \
  --run-time "$DURATION" --host "http://127.0.0.1:$PORT" --only-summary --csv var/load \
  --exit-code-on-error 1
