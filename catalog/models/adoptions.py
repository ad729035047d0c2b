"""Which unit uses which model, at what expected volume and cost, until when."""

from datetime import datetime
from decimal import Decimal
from typing import Self

from django.contrib.auth.models import AnonymousUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import User
from catalog.choices import AdoptionStatus, ModelStatus, PriceUnit
from catalog.models.ai_models import AIModel
from catalog.models.costs import CENTS, PriceComponents, forecast_cost

# The name a unit's apps call a model by at the gateway: DNS-like, so it is safe in a URL, a
# YAML key and LiteLLM's `model_name` alike.
ALIAS_PATTERN = r"[a-z0-9][-a-z0-9.]*"
ALIAS_MAX_LENGTH = 100
MAX_LIMIT = 2**63 - 1  # tokens or requests per minute: PositiveBigIntegerField's ceiling
validate_alias = RegexValidator(
    rf"^{ALIAS_PATTERN}\Z",
    "Use lowercase letters, digits, dots and hyphens, starting with a letter or digit.",
    code="alias",
)


def cache_share_field() -> "models.DecimalField[Decimal, Decimal]":
    """The share (0..1) of the expected input tokens that will be cache reads: the forecast
    prices it at the model's cache-read rate."""
    return models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text="Share (0..1) of the expected input tokens that will be cache reads.",
    )


class OperatingTerms(models.Model):
    """The limits a gateway enforces for one adoption: asked for in the request, set by the
    approver on approval and later by approvers and catalog admins. Empty means no limit."""

    tpm_limit = models.PositiveBigIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Tokens per minute."
    )
    rpm_limit = models.PositiveBigIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Requests per minute."
    )
    monthly_budget = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="USD a month.",
    )

    class Meta:
        abstract = True


def monthly_cost(
    model: AIModel, input_tokens: int, output_tokens: int, cache_share: Decimal = Decimal(0)
) -> Decimal | None:
    """USD per month for the token volumes at the model's current price, `cache_share` (0..1)
    of the input priced as cache reads (`forecast_cost`), rounded to cents once.

    None ("unpriced") when a price the volumes need is unknown: an unknown price is never free.
    """
    # The components a forecast reads, no more: lists load only these (`.only()`).
    prices = PriceComponents(
        input=model.input_price_per_mtok,
        output=model.output_price_per_mtok,
        cache_read=model.cache_read_price_per_mtok,
        unit=model.price_unit,
    )
    cost = forecast_cost(prices, input_tokens, output_tokens, cache_share)
    return None if cost is None else cost.quantize(CENTS)


def monthly_cost_in_units(model: AIModel, input_units: int, output_units: int) -> Decimal | None:
    """USD per month for volumes counted in the model's own price unit (queries, images,
    seconds…); per-token models go through `monthly_cost`. None when a needed price is unknown."""
    if model.price_unit == PriceUnit.PER_MTOK:
        return monthly_cost(model, input_units, output_units)
    if not model.is_priced:
        return None
    cost = Decimal(0)
    for price, units in (
        (model.input_price_per_mtok, input_units),
        (model.output_price_per_mtok, output_units),
    ):
        if units:
            if price is None:
                return None
            cost += price * units
    return cost.quantize(CENTS)


def callable_q(now: datetime) -> Q:
    """An adoption's model may be called by its unit: approved or deprecated, or restricted with
    the unit in `allowed_units`; and not retired, by status or by a retirement date reached."""
    allowed = AIModel.allowed_units.through.objects.filter(
        aimodel_id=OuterRef("model_id"), businessunit_id=OuterRef("unit_id")
    )
    return (
        Q(model__status__in=[ModelStatus.APPROVED, ModelStatus.DEPRECATED])
        | (Q(model__status=ModelStatus.RESTRICTED) & Exists(allowed))
    ) & (
        Q(model__retirement_date__isnull=True)
        | Q(model__retirement_date__gt=timezone.localdate(now))
    )


class AdoptionQuerySet(models.QuerySet["Adoption"]):
    def visible_to(self, user: User | AnonymousUser) -> Self:
        """Every employee may read every unit's allow-list; only anonymous callers see none."""
        return self if user.is_authenticated else self.none()

    def active(self) -> Self:
        """Marked active, which includes lapsed ones the daily job has not expired yet."""
        return self.filter(status=AdoptionStatus.ACTIVE)

    def in_force(self, now: datetime | None = None) -> Self:
        """Active and not past `expires_at`: a lapsed adoption counts as expired at once."""
        return self.filter(status=AdoptionStatus.ACTIVE, expires_at__gt=now or timezone.now())

    def with_revoked_at(self) -> Self:
        """Each annotated with `revoked_at`: when its latest revocation was recorded in its audit
        history (after an undo and a new revocation, the new one); its approval for one revoked
        with no such entry; None while it is not revoked. Undo windows and the months a revoked
        adoption covered both read this one definition."""
        latest = (
            self.model.history.filter(id=OuterRef("pk"), status=AdoptionStatus.REVOKED)
            .order_by("-history_date")
            .values("history_date")[:1]
        )
        return self.annotate(
            revoked_at=Case(
                When(
                    status=AdoptionStatus.REVOKED, then=Coalesce(Subquery(latest), F("approved_at"))
                ),
                default=None,
                output_field=models.DateTimeField(),
            )
        )

    def callable_now(self, now: datetime | None = None) -> Self:
        """The allow-list: adoptions in force of models the unit may call today. The API, the
        LiteLLM config, forecasts, savings and pages all read this one definition."""
        now = now or timezone.now()
        return self.in_force(now).filter(callable_q(now))


class Adoption(OperatingTerms):
    """A business unit's approved use of a model, valid until it expires or is revoked, under
    the name (`alias`) and limits its gateway serves it with."""

    unit = models.ForeignKey(
        "accounts.BusinessUnit", on_delete=models.CASCADE, related_name="adoptions"
    )
    model = models.ForeignKey(AIModel, on_delete=models.PROTECT, related_name="adoptions")
    use_case = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=AdoptionStatus.choices, default=AdoptionStatus.ACTIVE
    )
    approval = models.OneToOneField(
        "catalog.ApprovalRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adoption",
    )
    approved_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    expected_monthly_input_tokens = models.PositiveBigIntegerField(default=0)
    expected_monthly_output_tokens = models.PositiveBigIntegerField(default=0)
    expected_cache_share = cache_share_field()
    alias = models.CharField(
        max_length=ALIAS_MAX_LENGTH,
        blank=True,
        validators=[validate_alias],
        help_text="The stable name the unit's apps call (set by its managers); else the slug.",
    )
    # When the unit's managers were told that expiry is near; cleared by a renewal.
    expiry_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the managers were told its model left the unit's allow-list; cleared on its return.
    delisted_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["expiry_notified_at", "delisted_notified_at"])

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["-approved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "model"],
                condition=models.Q(status=AdoptionStatus.ACTIVE),
                name="adoption_one_active_per_unit_model",
            ),
            models.UniqueConstraint(
                fields=["unit", "alias"],
                condition=models.Q(status=AdoptionStatus.ACTIVE) & ~models.Q(alias=""),
                name="adoption_alias_unique_per_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(expected_cache_share__gte=0, expected_cache_share__lte=1),
                name="adoption_cache_share_is_a_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} uses {self.model}"

    @property
    def effective_status(self) -> str:
        """The status as of now: an active adoption past `expires_at` is expired already, before
        the daily job writes it."""
        if self.status == AdoptionStatus.ACTIVE and self.expires_at <= timezone.now():
            return AdoptionStatus.EXPIRED
        return self.status

    @property
    def estimated_monthly_cost(self) -> Decimal | None:
        return monthly_cost(
            self.model,
            self.expected_monthly_input_tokens,
            self.expected_monthly_output_tokens,
            self.expected_cache_share,
        )

    @property
    def gateway_name(self) -> str:
        """What the unit's apps call it at the gateway: the alias, else the catalog slug."""
        return self.alias or self.model.slug
