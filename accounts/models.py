"""People, the business units they belong to, and the roles that decide what they may do."""

from collections import defaultdict
from collections.abc import Collection
from decimal import Decimal
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.core.validators import MinValueValidator
from django.db import models

APPROVERS_GROUP = "approvers"
CATALOG_ADMINS_GROUP = "catalog-admins"


class UserQuerySet(models.QuerySet["User"]):
    """Who is told what: each role asked in one place, active people only (a deactivated user
    holds no role and is told nothing)."""

    def approvers(self) -> "UserQuerySet":
        return self.filter(is_active=True, groups__name=APPROVERS_GROUP)

    def catalog_admins(self) -> "UserQuerySet":
        return self.filter(is_active=True, groups__name=CATALOG_ADMINS_GROUP)

    def managers_of(self, unit_ids: Collection[int]) -> "UserQuerySet":
        return self.filter(
            is_active=True,
            memberships__unit_id__in=unit_ids,
            memberships__role=Membership.Role.MANAGER,
        ).distinct()


def managers_by_unit(unit_ids: Collection[int]) -> dict[int, list["User"]]:
    """The active managers of each of these units, in one query."""
    found: dict[int, list[User]] = defaultdict(list)
    if unit_ids:
        memberships = Membership.objects.filter(
            unit_id__in=unit_ids, role=Membership.Role.MANAGER, user__is_active=True
        ).select_related("user")
        for membership in memberships:
            found[membership.unit_id].append(membership.user)
    return found


def unit_private_filter(user: "User", field: str = "unit") -> models.Q | None:
    """Which rows private to a unit (`field` names the unit; null = shared) `user` may see: its
    members' and managers', and every approver's and catalog admin's (None: all of them). The
    one rule behind every `visible_to(user)` of private eval suites, runs and evaluations."""
    shared = models.Q(**{f"{field}__isnull": True})
    if not user.is_authenticated:
        return shared
    if user.is_superuser:
        return None
    roles = {APPROVERS_GROUP, CATALOG_ADMINS_GROUP}
    known = user.__dict__.get("_group_names")  # groups already read this request
    if known is not None and known & roles:
        return None
    rule = shared | models.Q(
        **{f"{field}__in": Membership.objects.filter(user=user).values("unit_id")}
    )
    if known is None:  # the role check rides in the same query rather than one of its own
        in_role = User.groups.through.objects.filter(user_id=user.pk, group__name__in=roles)
        rule |= models.Q(models.Exists(in_role))
    return rule


class PeopleManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]  # stubs: a class
    """Django's user manager (create_user…) with the role queries of UserQuerySet."""


class User(AbstractUser):
    """An employee. Roles come from groups (approvers, catalog admins) and unit memberships."""

    objects: ClassVar[PeopleManager] = PeopleManager()

    # The identity provider's stable id for this person: single sign-on finds users by it,
    # never by e-mail (an address can be reassigned; a subject cannot).
    oidc_sub = models.CharField(
        "SSO subject", max_length=255, unique=True, null=True, blank=True, editable=False
    )

    def in_group(self, name: str) -> bool:
        # Cached per instance: role checks run many times per request.
        cache = self.__dict__.setdefault("_group_names", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True))
            self.__dict__["_group_names"] = cache
        return name in cache

    def remember_groups(self, names: set[str]) -> None:
        """Group names read along with other data (the top bar's query): `in_group` needs no
        query of its own for the rest of the request."""
        self.__dict__.setdefault("_group_names", names)

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
    idp_member_group = models.CharField(
        "IdP member group",
        max_length=255,
        blank=True,
        help_text="Identity-provider group whose people are members of this unit (SSO).",
    )
    idp_manager_group = models.CharField(
        "IdP manager group",
        max_length=255,
        blank=True,
        help_text="Identity-provider group whose people manage this unit (SSO).",
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

    class Source(models.TextChoices):
        LOCAL = "local", "Granted here"
        IDP = "idp", "Identity provider"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(BusinessUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    # Sign-in keeps IdP memberships in step with the user's groups; local ones it never touches.
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.LOCAL)
    idp_group = models.CharField(max_length=255, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique_user_unit")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.unit} ({self.role})"


class IdpGroupGrant(models.Model):
    """Marks a user's Django group as granted by the identity provider, so that sign-in may
    take it back; a group without this mark was granted here and is left alone."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="idp_group_grants")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="idp_grants")
    idp_group = models.CharField(max_length=255)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="idp_group_grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.group} (IdP group {self.idp_group})"


class RoleChange(models.Model):
    """One role granted or taken away, and why: the audit trail of sign-in's role sync."""

    class Action(models.TextChoices):
        GRANTED = "granted", "Granted"
        CHANGED = "changed", "Changed"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_changes")
    action = models.CharField(max_length=10, choices=Action.choices)
    role = models.CharField(max_length=200)
    reason = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user}: {self.role} {self.action} ({self.reason})"


class JoinRequest(models.Model):
    """Someone asking to become a member of a unit; the unit's managers approve it on the unit
    page, and approval makes the membership. At most one pending ask per person and unit."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a manager"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="join_requests")
    unit = models.ForeignKey(BusinessUnit, on_delete=models.CASCADE, related_name="join_requests")
    message = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit"],
                condition=models.Q(status="pending"),
                name="join_request_one_pending_per_user_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.unit} ({self.status})"
