"""`manage.py oidc_provider`: a test OpenID provider on loopback with the demo's people."""

import ipaddress
import os
import warnings
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.services.demo import company, idp_group


def persona_claims() -> dict[str, dict[str, object]]:
    """Each demo persona's claims as the provider sends them: name, e-mail and the groups
    that give them their demo roles (seed_demo sets the same group names on the units)."""
    return {
        person.username: {
            "preferred_username": person.username,
            "given_name": person.first_name,
            "name": person.first_name,
            "email": f"{person.username}@example.com",
            "groups": [
                *person.groups,
                *(idp_group(slug, role) for slug, role in person.units.items()),
            ],
        }
        for person in company().people
    }


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Command(BaseCommand):
    help = "Serve a test OpenID Connect provider (oidc-provider-mock) with the demo personas."
    requires_system_checks: list[str] = []  # needs no database or URLs: start fast

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="a loopback address only")
        parser.add_argument("--port", type=int, default=9400)
        parser.add_argument(
            "--token-max-age", type=int, default=3600, help="seconds an ID token is valid"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with warnings.catch_warnings():  # authlib's notices about its own modules
                import authlib.deprecate  # noqa: F401 (sets its "always" filter first)

                warnings.simplefilter("ignore", DeprecationWarning)
                from oidc_provider_mock import User, app
        except ImportError as exc:
            raise CommandError(
                "oidc-provider-mock is a dev dependency: install requirements-dev.txt"
            ) from exc
        import werkzeug.serving

        host, port = options["host"], options["port"]
        # Anyone who reaches it can sign in as anyone: never off this machine.
        if not _is_loopback(host):
            raise CommandError(f"--host must be a loopback address, got {host!r}")
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain HTTP on loopback
        provider = app(
            user_claims=[User(sub=sub, claims=claims) for sub, claims in persona_claims().items()],
            access_token_max_age=timedelta(seconds=options["token_max_age"]),
        )
        server = werkzeug.serving.make_server(host, port, provider, threaded=True)
        issuer = f"http://{host}:{server.server_port}"
        self.stdout.write(
            f"Test OpenID provider on {issuer} (Ctrl-C stops it). Sign Modelshelf in with it:\n"
            f"  OIDC_ISSUER={issuer} OIDC_CLIENT_ID=modelshelf OIDC_CLIENT_SECRET=dev "
            "OIDC_APPROVER_GROUPS=approvers OIDC_CATALOG_ADMIN_GROUPS=catalog-admins make run"
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
