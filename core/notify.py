"""Tell people about things: email through Django's backend and an optional Slack-compatible
webhook. Callers schedule `notify` with `transaction.on_commit`; delivery runs in Celery
(core.tasks), so a slow or failing webhook never blocks or undoes the change that caused it."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

from core.jobs import enqueue
from core.models import Notice


class Recipient(Protocol):
    """Anyone with an address and a notice list: a user, in practice (core knows no user
    model)."""

    pk: Any
    email: str


def notify(*, recipients: Iterable[Recipient], subject: str, body: str, url: str = "") -> None:
    """Queue one message to these users (and the webhook) once the current transaction commits,
    and put it on each one's notice list then (`url`: the page to act on it)."""
    recipients = list(recipients)
    user_ids = sorted({user.pk for user in recipients if user.pk is not None})
    _notices_write_on_commit(
        [
            Notice(recipient_id=pk, subject=subject[:300], body=body, url=url[:500])
            for pk in user_ids
        ]
    )
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


@dataclass
class _PendingNotices:
    """The notices of one transaction, written in one statement once it commits."""

    rows: list[Notice] = field(default_factory=list)
    written: bool = False

    def write(self) -> None:
        self.written = True
        Notice.objects.bulk_create(self.rows)


def _notices_write_on_commit(rows: list[Notice]) -> None:
    """Write these notices once the current transaction commits, together with every other
    notice it told: a job that tells many units in one transaction writes one INSERT, not one
    per unit. A rolled-back transaction's notices go with its callback; the next starts anew."""
    if not rows:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        Notice.objects.bulk_create(rows)
        return
    pending: _PendingNotices | None = getattr(connection, "modelshelf_notices", None)
    if (
        pending is None
        or pending.written
        or not any(callback == pending.write for _, callback, _ in connection.run_on_commit)
    ):
        pending = _PendingNotices()
        connection.modelshelf_notices = pending
        transaction.on_commit(pending.write, robust=True)
    pending.rows.extend(rows)
