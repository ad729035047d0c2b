from typing import Any, Self

from django.db import models

from accounts.models import unit_private_filter
from catalog.models.ai_models import AIModel


class EvaluationQuerySet(models.QuerySet["Evaluation"]):
    def visible_to(self, user: Any) -> Self:
        """Shared evaluations, and those a unit's private suite wrote for the people who may
        see that suite (its unit's members and managers, approvers, catalog admins)."""
        rule = unit_private_filter(user)
        return self if rule is None else self.filter(rule)

    def evidence(self, *, viewer: Any, unit_id: int | None) -> Self:
        """What may count as evidence for `unit_id` (a request, a `min_score` floor): shared
        evaluations, and that unit's own private ones if the viewer may see them; never
        another unit's, even for a viewer who sees both."""
        mine = models.Q(unit__isnull=True)
        if unit_id is not None:
            mine |= models.Q(unit_id=unit_id)
        found = self.filter(mine)
        return found.visible_to(viewer) if viewer is not None else found.filter(unit__isnull=True)


class Evaluation(models.Model):
    """Evidence of quality: a model's score on a task (e.g. MMLU accuracy 0.86), with its source.

    Recommendations can require a floor (`min_score=task:score`) and approval requests cite these.
    """

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="evaluations")
    task = models.CharField(max_length=80)
    metric = models.CharField(max_length=80)
    score = models.DecimalField(max_digits=12, decimal_places=4)
    source = models.CharField(max_length=200)
    date = models.DateField()
    url = models.CharField(
        max_length=500, blank=True, help_text="Where the evidence can be seen (a run's page)"
    )
    # Set when a unit's private eval suite wrote it: then only that unit (and approvers and
    # catalog admins) may see it, and it is evidence for that unit alone.
    unit = models.ForeignKey(
        "accounts.BusinessUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="private_evaluations",
    )

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["task", "-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "task", "metric", "source", "date"],
                name="evaluation_unique_per_source_and_date",
            )
        ]
        indexes = [models.Index(fields=["task", "score"], name="evaluation_task_score_idx")]

    def __str__(self) -> str:
        return f"{self.model} {self.task} {self.metric}={self.score}"
