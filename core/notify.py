"""Tell people about things: email through Django's backend and an optional Slack-compatible
webhook. Callers schedule `notify` with `transaction.on_commit`; delivery runs in Celery
(core.tasks), so a slow or failing webhook never blocks or undoes the change that caused it."""

from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.db import transaction

from core.jobs import enqueue


class Recipient(Protocol):
    """Anyone with an address: a user, in practice (core knows no user model)."""

    email: str


def notify(*, recipients: Iterable[Recipient], subject: str, body: str) -> None:
    """Queue one message to these users (and the webhook) once the current transaction commits."""
    emails = sorted({user.email for user in recipients if user.email})
    # robust: the change is committed by then, so a broker outage is logged, not raised to
    # the caller as a 500 for a change that did happen.
    if emails:
        transaction.on_commit(
            lambda: enqueue("core.tasks.deliver_email", emails, subject, body), robust=True
        )
    if settings.NOTIFY_WEBHOOK_URL:
        transaction.on_commit(
            lambda: enqueue("core.tasks.deliver_webhook", f"*{subject}*\n{body}"), robust=True
        )
