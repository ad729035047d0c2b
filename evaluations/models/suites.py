from decimal import Decimal
from typing import Any, Self

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from accounts.models import unit_private_filter
from catalog.models import Specialty
from evaluations.choices import Grader


class EvalSuiteQuerySet(models.QuerySet["EvalSuite"]):
    def visible_to(self, user: Any) -> Self:
        """Shared suites, and a unit's private ones for its members and managers, approvers
        and catalog admins (accounts.models.unit_private_filter)."""
        rule = unit_private_filter(user)
        return self if rule is None else self.filter(rule)


class EvalSuite(models.Model):
    """A company's own test set for one kind of task; a unit's private suite when `unit` is set."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    specialty = models.ForeignKey(
        Specialty, on_delete=models.SET_NULL, null=True, blank=True, related_name="eval_suites"
    )
    unit = models.ForeignKey(
        "accounts.BusinessUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="eval_suites",
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EvalSuiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("evaluations:suite_detail", args=[self.slug])

    def may_run(self, user: Any) -> bool:
        """Runs cost money: catalog admins, and members of the suite's unit, start them."""
        if user.is_catalog_admin:
            return True
        return self.unit_id is not None and user.memberships.filter(unit_id=self.unit_id).exists()


class EvalCase(models.Model):
    """One question with its expected answer and the grader that judges the model's reply.

    `messages` is the chat (a list of {role, content}); a bare `prompt` becomes one user turn.
    """

    suite = models.ForeignKey(EvalSuite, on_delete=models.CASCADE, related_name="cases")
    position = models.PositiveIntegerField()
    messages = models.JSONField()
    expected = models.JSONField()
    grader = models.CharField(max_length=20, choices=Grader.choices)
    tolerance = models.DecimalField(
        max_digits=18, decimal_places=6, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    weight = models.DecimalField(
        max_digits=8, decimal_places=3, default=Decimal("1"), validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["suite", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["suite", "position"], name="evalcase_unique_position_in_suite"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0), name="evalcase_weight_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suite.slug} #{self.position}"
