"""Delivery of notifications: retried with backoff, failures logged, never raised to callers."""

import logging

import httpx
from celery import Task, shared_task
from django.conf import settings
from django.core.mail import send_mail

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def deliver_email(recipients: list[str], subject: str, body: str) -> None:
    """Send one email to all recipients."""
    send_mail(f"[Modelshelf] {subject}", body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(bind=True, max_retries=5)
def deliver_webhook(self: Task[[str], None], text: str) -> None:
    """POST {"text": …} to NOTIFY_WEBHOOK_URL; retried on errors, then logged and dropped."""
    url = settings.NOTIFY_WEBHOOK_URL
    if not url:
        return
    try:
        response = httpx.post(url, json={"text": text}, timeout=10)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        if self.request.retries >= (self.max_retries or 0) or self.app.conf.task_always_eager:
            log.warning("notification webhook failed for good: %s", exc)
            return
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
