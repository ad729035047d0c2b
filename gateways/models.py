"""Gateways, the keys they issued to units for checking, what the checks found, and every
change sent to a gateway's teams."""

from typing import Self

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from accounts.models import Membership, User
from core.models import HandledFinding
from gateways.choices import FindingKind, GatewayKind


class Gateway(models.Model):
    """A proxy the company's apps call models through (LiteLLM or OpenAI-compatible).

    `base_url` is its root (`{base_url}/v1/models`, `{base_url}/v1/chat/completions`); the
    admin key, needed only to plan and apply team changes (LiteLLM), lives in the environment
    variable `admin_key_env` names, never in the database. The API and the admin check both
    with the trust boundary's validators (core.http: a floor above models).
    """

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=GatewayKind.choices, default=GatewayKind.LITELLM)
    base_url = models.URLField(max_length=300)
    admin_key_env = models.CharField(max_length=100, blank=True, help_text="LiteLLM only.")
    active = models.BooleanField(default=True)
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["checked_at"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GatewayProbe(models.Model):
    """A key the gateway issued to a unit, kept for checking that the gateway serves the unit
    exactly its allow-list; `team_id` is the unit's LiteLLM team, for plan and apply."""

    gateway = models.ForeignKey(Gateway, on_delete=models.CASCADE, related_name="probes")
    unit = models.ForeignKey(
        "accounts.BusinessUnit", on_delete=models.CASCADE, related_name="gateway_probes"
    )
    key_env = models.CharField(max_length=100)
    team_id = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["gateway__name", "unit__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "unit"], name="gateway_probe_one_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.gateway}: {self.unit}"


class GatewayFindingQuerySet(models.QuerySet["GatewayFinding"]):
    def visible_to(self, user: User) -> Self:
        """A unit's members and managers see its findings; approvers and catalog admins all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_approver or user.is_catalog_admin:
            return self
        return self.filter(unit__in=Membership.objects.filter(user=user).values("unit"))


class GatewayFinding(HandledFinding):
    """What a check saw a gateway do wrong for a unit: a model it serves that the unit may not
    use (leak), one on the unit's list it does not serve (drift), or no way to tell.

    One row per (probe, kind, model name): it opens once, is told once, is seen again by later
    checks (`last_seen`), resolves when a check no longer sees it, and reopens (told again)
    should it return, even after a person resolved it: a gateway that still leaks is not done.
    People acknowledge and resolve it as they do usage findings (core.models.HandledFinding).
    """

    gateway = models.ForeignKey(Gateway, on_delete=models.CASCADE, related_name="findings")
    probe = models.ForeignKey(GatewayProbe, on_delete=models.CASCADE, related_name="findings")
    unit = models.ForeignKey(
        "accounts.BusinessUnit", on_delete=models.CASCADE, related_name="gateway_findings"
    )
    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    model_name = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=500)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    objects = GatewayFindingQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["probe", "kind", "model_name"], name="gateway_finding_once"
            )
        ]
        indexes = [models.Index(fields=["unit", "status"], name="gateway_finding_unit_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.unit_id} {self.model_name}"


def findings_visible_to(user: User) -> models.QuerySet[GatewayFinding]:
    """The gateway findings `user` may see, with what their rows show (pages and API)."""
    return GatewayFinding.objects.visible_to(user).select_related(
        "unit", "acknowledged_by", "resolved_by"
    )


class TeamUpdate(models.Model):
    """One `POST /team/update` sent to a gateway by an apply: who asked, what was sent (never
    a key) and what the gateway answered. The audit trail of changes made to gateways."""

    gateway = models.ForeignKey(Gateway, on_delete=models.CASCADE, related_name="team_updates")
    unit = models.ForeignKey(
        "accounts.BusinessUnit", on_delete=models.CASCADE, related_name="team_updates"
    )
    team_id = models.CharField(max_length=200)
    body = models.JSONField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_updates",
    )
    sent_at = models.DateTimeField()
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.gateway}: team {self.team_id} at {self.sent_at:%Y-%m-%d %H:%M}"
