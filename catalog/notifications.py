"""Tell people about things: email through Django's backend and an optional Slack-compatible
webhook. Callers schedule `notify` with `transaction.on_commit`; delivery runs in Celery, so a
slow or failing webhook never blocks or undoes the change that caused it."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from accounts.models import User


def notify(*, recipients: Iterable[User], subject: str, body: str) -> None:
    """Queue one message to these users (and the webhook) once the current transaction commits."""
    from catalog.tasks.notifications import deliver_email, deliver_webhook

    emails = sorted({user.email for user in recipients if user.email})
    # robust: the change is committed by then, so a broker outage is logged, not raised to
    # the caller as a 500 for a change that did happen.
    if emails:
        transaction.on_commit(lambda: deliver_email.delay(emails, subject, body), robust=True)
    if settings.NOTIFY_WEBHOOK_URL:
        transaction.on_commit(lambda: deliver_webhook.delay(f"*{subject}*\n{body}"), robust=True)
