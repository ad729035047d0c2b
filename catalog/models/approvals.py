"""Requests to use a model, and the one place that decides who may see them."""

from decimal import Decimal
from typing import Self

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from simple_history.models import HistoricalRecords

from accounts.models import Membership, User
from catalog.choices import DataClassification, RequestStatus
from catalog.models.adoptions import OperatingTerms, cache_share_field, monthly_cost
from catalog.models.ai_models import AIModel


class ApprovalRequestQuerySet(models.QuerySet["ApprovalRequest"]):
    def visible_to(self, user: User | AnonymousUser) -> Self:
        """Requesters see their own, a unit's managers the unit's, approvers and catalog
        admins everything; every other lookup answers 404 so ids cannot be probed."""
        if not user.is_authenticated:
            return self.none()
        if user.is_approver or user.is_catalog_admin:
            return self
        managed_units = Membership.objects.filter(user=user, role=Membership.Role.MANAGER).values(
            "unit"
        )
        return self.filter(models.Q(requester=user) | models.Q(unit__in=managed_units))


class ApprovalRequest(OperatingTerms):
    """An employee's request that their unit may use a model for a use case, with the limits
    it asks for (the approver may set others)."""

    model = models.ForeignKey(AIModel, on_delete=models.PROTECT, related_name="approval_requests")
    unit = models.ForeignKey(
        "accounts.BusinessUnit", on_delete=models.CASCADE, related_name="approval_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_requests"
    )
    use_case = models.CharField(max_length=200)
    justification = models.TextField(blank=True)
    data_classification = models.CharField(
        max_length=20, choices=DataClassification.choices, default=DataClassification.INTERNAL
    )
    expected_monthly_input_tokens = models.PositiveBigIntegerField(default=0)
    expected_monthly_output_tokens = models.PositiveBigIntegerField(default=0)
    expected_cache_share = cache_share_field()
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_requests",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    evidence = models.ManyToManyField(
        "catalog.Evaluation",
        related_name="cited_by",
        blank=True,
        help_text="Evaluations the requester cites for the model's fitness.",
    )
    history = HistoricalRecords()

    objects = ApprovalRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "model"],
                condition=models.Q(status=RequestStatus.PENDING),
                name="approvalrequest_one_pending_per_unit_model",
            ),
            models.CheckConstraint(
                condition=models.Q(expected_cache_share__gte=0, expected_cache_share__lte=1),
                name="approvalrequest_cache_share_is_a_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.model} for {self.unit} ({self.status})"

    @property
    def estimated_monthly_cost(self) -> Decimal | None:
        return monthly_cost(
            self.model,
            self.expected_monthly_input_tokens,
            self.expected_monthly_output_tokens,
            self.expected_cache_share,
        )

    def is_visible_to(self, user: User) -> bool:
        return ApprovalRequest.objects.visible_to(user).filter(pk=self.pk).exists()
