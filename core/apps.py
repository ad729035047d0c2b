from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every domain shares and none owns: job runs, the outbound HTTP client,
    notifications, API and page helpers. It imports no domain app."""

    name = "core"
    verbose_name = "Jobs and plumbing"
