#!/usr/bin/env bash
# Start Modelshelf's processes in the foreground: web, Celery worker and beat.
# Ctrl-C (or any one of them exiting) stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${PORT:-8000}
mkdir -p var

pids=()
stop() {
  trap - EXIT INT TERM
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

# The fake vendor stands in for every vendor API on loopback, so the demo's jobs run offline.
FAKE_VENDOR_PORT=${FAKE_VENDOR_PORT:-8001}
export MODELSHELF_FAKE_VENDOR_KEY=${MODELSHELF_FAKE_VENDOR_KEY:-offline-demo}
# The outbound policy refuses loopback: the demo lists its fake vendor, and only that port.
export OUTBOUND_ALLOWED_HOSTS=${OUTBOUND_ALLOWED_HOSTS:-127.0.0.1:${FAKE_VENDOR_PORT}}
# The fake gateway's keys (fakevendor/gateway.py): its admin key and one per demo unit's team.
export GATEWAY_ADMIN_KEY=${GATEWAY_ADMIN_KEY:-sk-admin}
export GATEWAY_MARKETING_KEY=${GATEWAY_MARKETING_KEY:-sk-team-marketing}
export GATEWAY_ENGINEERING_KEY=${GATEWAY_ENGINEERING_KEY:-sk-team-engineering}
$PY manage.py fake_vendor --port "${FAKE_VENDOR_PORT}" --price-drift 0.02 \
  --suites evaluations/demo_suites & pids+=($!)
# Demo usage from the fake's usage endpoints, so unit pages show actual spend and findings.
$PY manage.py usage_demo --url "http://127.0.0.1:${FAKE_VENDOR_PORT}" || echo "usage demo skipped"
# The demo gateway: teams set from the allow-lists, Engineering's edited by hand (a leak).
$PY manage.py gateway_demo --url "http://127.0.0.1:${FAKE_VENDOR_PORT}" || echo "gateway demo skipped"
$PY -m celery -A modelshelf worker --loglevel=WARNING --concurrency=2 & pids+=($!)
$PY -m celery -A modelshelf beat --loglevel=WARNING --schedule var/celerybeat-schedule & pids+=($!)
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload & pids+=($!)

cat <<BANNER

  Modelshelf is running: http://127.0.0.1:${PORT}/
  Log in as alice (member, Marketing), frank (manager, Marketing), mallory (member, Engineering),
  bob or eve (approvers), carol (catalog admin, /admin/), victor (no unit).
  Password: ${DEMO_PASSWORD:-modelshelf-demo}
  API docs: http://127.0.0.1:${PORT}/api/v1/docs/    Health: http://127.0.0.1:${PORT}/healthz
  Fake vendor (offline jobs): http://127.0.0.1:${FAKE_VENDOR_PORT}/
  Gateways (as carol): http://127.0.0.1:${PORT}/gateways/ shows Engineering's team leaking.
  Press Ctrl-C to stop everything.
BANNER
if [[ -n "${OIDC_ISSUER:-}" ]]; then
  echo "  Single sign-on: on, with ${OIDC_ISSUER} (\"Sign in with SSO\" on the login page)."
else
  cat <<SSO
  Single sign-on: off. To try it, start the test provider in another terminal:
    .venv/bin/python manage.py oidc_provider
  then restart with:
    OIDC_ISSUER=http://127.0.0.1:9400 OIDC_CLIENT_ID=modelshelf OIDC_CLIENT_SECRET=dev \\
    OIDC_APPROVER_GROUPS=approvers OIDC_CATALOG_ADMIN_GROUPS=catalog-admins make run
SSO
fi
echo
wait -n
