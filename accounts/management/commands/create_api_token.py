"""`manage.py create_api_token USERNAME`: prints the user's API key alone on the last line."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token

from accounts.models import User


class Command(BaseCommand):
    help = "Create (or show) the API token of a user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"no user named {options['username']!r}") from None
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
