"""Delivery of notifications: retried with backoff, failures logged, never raised to callers."""

import logging

import httpx
from celery import Task, shared_task
from django.conf import settings
from django.core.mail import send_mail

from core.http import outbound_client

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def deliver_email(recipients: list[str], subject: str, body: str) -> None:
    """Send one email to all recipients."""
    send_mail(f"[Modelshelf] {subject}", body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(bind=True, max_retries=5)
def deliver_webhook(self: Task[[str], None], text: str) -> None:
    """POST {"text": …} to NOTIFY_WEBHOOK_URL through the outbound policy; retried on errors,
    then logged and dropped. The log names the failure's kind, never the URL: a Slack-style
    webhook URL is itself the secret."""
    url = settings.NOTIFY_WEBHOOK_URL
    if not url:
        return
    try:
        with outbound_client(timeout=10) as client:
            response = client.post(url, json={"text": text})
        response.raise_for_status()
    except httpx.HTTPError as exc:
        if self.request.retries >= (self.max_retries or 0) or self.app.conf.task_always_eager:
            status = exc.response.status_code if isinstance(exc, httpx.HTTPStatusError) else None
            log.warning("notification webhook failed for good: %s %s", type(exc).__name__, status)
            return
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
