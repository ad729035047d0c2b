"""`manage.py deactivate_user USERNAME`: the person can no longer sign in or call the API."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User


class Command(BaseCommand):
    help = "Deactivate a user: sessions, SSO sign-in and API tokens stop working at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        # Nothing is deleted (tokens, history, requests): reactivating in the admin restores
        # the account. Every sign-in path and token check refuses inactive users.
        updated = User.objects.filter(username=options["username"]).update(is_active=False)
        if not updated:
            raise CommandError(f"no user named {options['username']!r}")
        self.stdout.write(f"Deactivated {options['username']}.")
