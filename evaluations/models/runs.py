from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.db import models

from accounts.models import unit_private_filter
from catalog.models import AIModel, Evaluation
from catalog.models.ai_models import DecimalDigits
from evaluations.choices import RunStatus
from evaluations.models.suites import EvalCase, EvalSuite

COST: DecimalDigits = {"max_digits": 18, "decimal_places": 8}


class EvalRunQuerySet(models.QuerySet["EvalRun"]):
    def visible_to(self, user: Any) -> Self:
        """Runs of the suites `user` may see (a unit's private suite: its people only)."""
        rule = unit_private_filter(user, "suite__unit")
        return self if rule is None else self.filter(rule)


class EvalRun(models.Model):
    """One model asked every case of one suite; the totals are kept so pages never re-add them.

    `cost_usd` is null when the model is unpriced or a case's token counts are unknown: never $0.
    """

    suite = models.ForeignKey(EvalSuite, on_delete=models.CASCADE, related_name="runs")
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="eval_runs")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="eval_runs",
    )
    status = models.CharField(
        max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cases = models.PositiveIntegerField(default=0, help_text="Cases in the suite at the start")
    done = models.PositiveIntegerField(default=0, help_text="Cases with a recorded result")
    passed = models.PositiveIntegerField(default=0)
    pass_rate = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    latency_p50_ms = models.PositiveIntegerField(null=True, blank=True)
    latency_p95_ms = models.PositiveIntegerField(null=True, blank=True)
    input_tokens = models.BigIntegerField(null=True, blank=True)
    output_tokens = models.BigIntegerField(null=True, blank=True)
    cost_usd = models.DecimalField(**COST, null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)
    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="eval_runs",
        help_text="The pass rate this run recorded, which a request cites as evidence",
    )

    objects = EvalRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["suite", "status"], name="evalrun_suite_status_idx")]

    def __str__(self) -> str:
        return f"{self.suite.slug} on {self.model.slug} ({self.status})"

    @property
    def cost_per_1000_cases(self) -> Decimal | None:
        """What the suite's cases cost per thousand: runs of suites of any size compare."""
        if self.cost_usd is None or not self.cases:
            return None
        return self.cost_usd * 1000 / self.cases


class EvalResult(models.Model):
    """One case's answer in one run; unique per (run, case) so a resumed run counts it once."""

    run = models.ForeignKey(EvalRun, on_delete=models.CASCADE, related_name="results")
    case = models.ForeignKey(EvalCase, on_delete=models.CASCADE, related_name="results")
    output = models.TextField(blank=True, help_text="The reply, cut to an excerpt")
    passed = models.BooleanField(default=False)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    input_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "case__position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "case"], name="evalresult_unique_per_run_case")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.case_id}: {'pass' if self.passed else 'fail'}"
