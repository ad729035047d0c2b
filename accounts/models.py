"""People, the business units they belong to, and the roles that decide what they may do."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models

APPROVERS_GROUP = "approvers"
CATALOG_ADMINS_GROUP = "catalog-admins"


class User(AbstractUser):
    """An employee. Roles come from groups (approvers, catalog admins) and unit memberships."""

    def in_group(self, name: str) -> bool:
        # Cached per instance: role checks run many times per request.
        cache = self.__dict__.setdefault("_group_names", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True))
            self.__dict__["_group_names"] = cache
        return name in cache

    @property
    def is_approver(self) -> bool:
        return self.in_group(APPROVERS_GROUP)

    @property
    def is_catalog_admin(self) -> bool:
        return self.in_group(CATALOG_ADMINS_GROUP)


class BusinessUnit(models.Model):
    """A part of the company that adopts models for its use cases and pays for them."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120, unique=True)
    cost_center = models.CharField(max_length=40, blank=True)
    monthly_budget = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="USD per month; empty when the unit has no budget set.",
    )
    over_budget_since = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when the forecast first exceeded the budget (managers were told then).",
    )
    members = models.ManyToManyField(
        User, through="Membership", related_name="business_units", blank=True
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_budget__gte=0) | models.Q(monthly_budget__isnull=True),
                name="business_unit_budget_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in a unit: members request models for it, managers oversee it."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MANAGER = "manager", "Manager"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(BusinessUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique_user_unit")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.unit} ({self.role})"
