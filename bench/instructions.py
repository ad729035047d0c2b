"""Instructions one request costs the app, counted by callgrind: a figure that repeats exactly
whatever else a shared machine is doing, for comparing two versions of the code (issue 27's
"within 5 %") where wall-clock runs move by more than the difference.

    DATABASE_URL=… REDIS_URL=… python -m bench.instructions '/api/v1/models/?page_size=100'

The request goes through the WSGI app in this process (middleware, auth, throttle, view,
rendering; no HTTP server), as `bench-instructions`, an employee with a token (API paths) or a
session (pages); an allow-list path is asked with the ETag it answered, for its 304. The
database is whatever `DATABASE_URL` names, seeded beforehand (e.g. by `bench.bench_api`'s
`seed_catalog` and `import_models`). It runs itself under valgrind twice, for 0 and for
`CALLS` requests after the same warm-up, and prints the difference per request.
"""

import io
import os
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

CALLS = 200
WARM_UP = 30


def _caller(path: str) -> Callable[[], str]:
    """One call of `path` through the app; returns its status line."""
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    app = get_wsgi_application()
    user, _ = User.objects.get_or_create(username="bench-instructions")
    headers = {"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
    if not path.startswith("/api/"):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers = {"HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    route, _, query = path.partition("?")
    answered: dict[str, Any] = {}

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]:
        answered.update(status=status, headers=dict(response_headers))
        return lambda data: None

    def call() -> str:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            **headers,
        }
        response = app(environ, start_response)
        b"".join(response)
        response.close()
        return str(answered["status"])

    call()
    if "/business-units/" in route and (etag := answered["headers"].get("ETag")):
        headers["HTTP_IF_NONE_MATCH"] = etag
    return call


def _child(path: str, calls: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modelshelf.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # plain http here, as behind a proxy
    os.environ.setdefault("API_THROTTLE_RATE", "100000000/min")
    import django

    django.setup()
    call = _caller(path)
    statuses = {call() for _ in range(WARM_UP + calls)}
    print(f"answered: {', '.join(sorted(statuses))}", file=sys.stderr)


def _counted(path: str, calls: int) -> tuple[int, str]:
    """Instructions for `calls` requests after the warm-up, and the statuses answered."""
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        + [sys.executable, "-m", "bench.instructions", "--child", str(calls), path],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    answered = re.search(r"answered: (.*)", run.stderr)
    if found is None or answered is None:
        raise RuntimeError(run.stderr[-2000:])
    return int(found.group(1)), answered.group(1)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        _child(argv[2], int(argv[1]))
        return 0
    for path in argv:
        (many, answered), (none, _) = _counted(path, CALLS), _counted(path, 0)
        print(f"{path}: {(many - none) / CALLS:,.0f} instructions a request ({answered})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
