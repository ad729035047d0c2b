"""Errors services raise; the API and pages turn them into 400/409 answers."""


class ServiceError(Exception):
    """A rule refused the change; nothing was written."""


class InvalidRequest(ServiceError):
    """The input breaks a rule (400). `field` names the offending field when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Conflict(ServiceError):
    """The current state forbids the change (409): a duplicate, a decision already made."""
