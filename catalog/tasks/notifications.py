"""Delivery of notifications (retried with backoff, failures logged, never raised to callers)
and the daily end-of-life notices."""

import logging

import httpx
from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import OperationalError
from django.utils import timezone

from catalog.choices import JobKind
from catalog.models import JobRun
from catalog.services.notices import models_notify_lifecycle

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def deliver_email(recipients: list[str], subject: str, body: str) -> None:
    """Send one email to all recipients."""
    send_mail(f"[Modelshelf] {subject}", body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(bind=True, max_retries=5)
def deliver_webhook(self, text: str) -> None:  # type: ignore[no-untyped-def]
    """POST {"text": …} to NOTIFY_WEBHOOK_URL; retried on errors, then logged and dropped."""
    url = settings.NOTIFY_WEBHOOK_URL
    if not url:
        return
    try:
        response = httpx.post(url, json={"text": text}, timeout=10)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        if self.request.retries >= self.max_retries or self.app.conf.task_always_eager:
            log.warning("notification webhook failed for good: %s", exc)
            return
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def notify_lifecycle() -> int:
    """Warn unit managers of deprecations and retirements 90, 30 and 7 days ahead; leave a
    JobRun row (checked = dates looked at, changed = notices sent). Reruns send nothing twice."""
    run = JobRun.objects.create(kind=JobKind.NOTIFY_LIFECYCLE, started_at=timezone.now())
    try:
        run.checked, run.changed = models_notify_lifecycle()
    except Exception as exc:
        log.exception("notify_lifecycle failed")
        run.errors = [f"{type(exc).__name__}: {exc}"]
        raise
    finally:
        run.finished_at = timezone.now()
        run.save()
    return run.changed
