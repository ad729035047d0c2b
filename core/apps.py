from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every domain shares and none owns: job runs, the outbound HTTP client,
    notifications, API and page helpers. It imports no domain app."""

    name = "core"
    verbose_name = "Jobs and plumbing"

    def ready(self) -> None:
        # Register the delivery tasks in every process, not only in workers (whose Celery
        # autodiscovers them): `notify` queues them by name from web requests too, and an
        # unregistered name loses the message.
        from core import tasks  # noqa: F401
