"""`manage.py deactivate_user USERNAME`: the person can no longer sign in or call the API."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import user_deactivate


class Command(BaseCommand):
    help = (
        "Deactivate a user: sessions, SSO sign-in and API tokens stop working at once, and "
        "every unit membership and group role ends (audited)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        # Tokens, history and requests are kept: reactivating in the admin restores the
        # account, but not its roles (granted again, or by the IdP at the next sign-in).
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        ended = user_deactivate(user=user)
        self.stdout.write(f"Deactivated {user.username}; roles ended: {len(ended)}.")
