#!/usr/bin/env bash
# Failure drill: restart PostgreSQL under load; the web must answer 503 (not 500) while it is
# down and recover by itself. Needs a local cluster this user may restart (pg_ctlcluster).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${DRILL_PORT:-8766}
export DATABASE_URL=${DRILL_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/modelshelf_drill}
export DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 ALLOWED_HOSTS=127.0.0.1
export SECRET_KEY=${SECRET_KEY:-drill-$(date +%s)-not-a-production-key}
db=${DATABASE_URL##*/}
psql "${DATABASE_URL%/*}/postgres" -qtc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
  || psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"$db\""
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py shell -c "from accounts.models import User; User.objects.get_or_create(username='drill')"
token=$(.venv/bin/python manage.py create_api_token drill | tail -1)
.venv/bin/gunicorn modelshelf.wsgi --bind "127.0.0.1:$PORT" --workers 2 \
  --access-logfile /dev/null --error-logfile var/drill-gunicorn.log &
web=$!
trap 'kill $web 2>/dev/null || true' EXIT
sleep 2
codes=$(mktemp)
( end=$((SECONDS + 25)); while [ $SECONDS -lt $end ]; do
    curl -s -o /dev/null -w "healthz %{http_code}\n" "http://127.0.0.1:$PORT/healthz" >> "$codes"
    curl -s -o /dev/null -w "api %{http_code}\n" -H "Authorization: Token $token" \
      "http://127.0.0.1:$PORT/api/v1/models/?page_size=5" >> "$codes"
    sleep 0.05
  done ) &
load=$!
sleep 5
cluster=$(ls /etc/postgresql)
echo "restarting PostgreSQL $cluster…"
pg_ctlcluster --skip-systemctl-redirect "$cluster" main stop -m fast
sleep 4
pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
wait $load
echo "answers during the drill (count, endpoint, status):"
sort "$codes" | uniq -c
tail -2 "$codes" | grep -c " 200" | grep -q 2 && echo "recovered: the last answers were 200"
grep -q " 500$" "$codes" && { echo "FAIL: 500 answers during the outage"; exit 1; }
echo "no 500 answers"
