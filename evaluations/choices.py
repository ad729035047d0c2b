from django.db import models


class Grader(models.TextChoices):
    """How a case's answer is judged against `expected` (see evaluations.graders)."""

    EXACT = "exact", "Exact match"
    CONTAINS = "contains", "Contains"
    REGEX = "regex", "Regular expression"
    JSON_SCHEMA = "json_schema", "JSON matching a schema"
    NUMBER = "number", "Number within a tolerance"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"
