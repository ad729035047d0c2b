"""Shared by `sync_prices` and `check_availability`: vendor selection and the progress bar."""

from django.core.management.base import CommandError

from catalog.models import Vendor


def vendor_slugs(slugs: list[str] | None) -> list[str] | None:
    """The --vendor values, each checked to exist (None = every vendor)."""
    if not slugs:
        return None
    known = set(Vendor.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    if unknown := sorted(set(slugs) - known):
        raise CommandError(f"unknown vendor: {', '.join(unknown)}")
    return slugs
