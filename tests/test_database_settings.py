"""PostgreSQL binds parameters server-side and prepares repeated statements (issue 14), unless
told not to (PgBouncer in transaction mode)."""

import json
import subprocess
import sys

import pytest


def _options(**env: str) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"DJANGO_SETTINGS_MODULE": "modelshelf.settings", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("threshold", "expected"), [(None, 5), ("1", 1), ("0", None)])
def test_postgresql_prepares_repeated_statements_unless_turned_off(threshold, expected):
    env = {"DATABASE_URL": "postgres://u@127.0.0.1:1/x"}
    if threshold is not None:
        env["DATABASE_PREPARE_THRESHOLD"] = threshold
    assert _options(**env) == {"server_side_binding": True, "prepare_threshold": expected}


def test_sqlite_is_left_as_it_was():
    assert "server_side_binding" not in _options(DATABASE_URL="sqlite:///var/x.sqlite3")
