from django.db import models

from catalog.models.ai_models import AIModel


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
