from django.conf import settings
from django.db import models

from catalog.choices import LifecycleDate
from catalog.models.ai_models import AIModel


class LifecycleNotice(models.Model):
    """A "deprecation / retirement ahead" notice, sent once per model, date and threshold:
    the daily job claims this row before telling anyone, so a rerun repeats nothing, and a
    moved date is a new key, so it is announced afresh."""

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="lifecycle_notices")
    kind = models.CharField(max_length=20, choices=LifecycleDate.choices)
    date = models.DateField(help_text="The deprecation or retirement date announced.")
    days_before = models.PositiveSmallIntegerField(help_text="The threshold reached: 90, 30 or 7.")
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "kind", "date", "days_before"],
                name="lifecyclenotice_once_per_threshold",
            )
        ]

    def __str__(self) -> str:
        return f"{self.model}: {self.kind} on {self.date}, {self.days_before} days ahead"


class SuccessorReviewAsk(models.Model):
    """A unit that must leave a deprecated model asking governance to review its successor
    (still under review, so nobody can request it): the catalog admins are told once per unit
    and successor, and the unit page shows who asked and when."""

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="review_asks")
    unit = models.ForeignKey(
        "accounts.BusinessUnit", on_delete=models.CASCADE, related_name="successor_review_asks"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    asked_at = models.DateTimeField()

    class Meta:
        ordering = ["-asked_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "unit"], name="successor_review_ask_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit} asks for a review of {self.model}"
