"""Celery tasks, thin: ids in, a service call, retries unless the error is permanent.

One module per concern; each is imported here so Celery's autodiscovery finds them.
"""

from catalog.tasks import approvals, notifications

__all__ = ["approvals", "notifications"]
