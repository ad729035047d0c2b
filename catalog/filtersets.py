"""Filters for catalog lists, shared by the HTML pages and the REST API (one FilterSet each).

Use from a view:

    filterset = AIModelFilterSet(request.GET, queryset=AIModel.objects.all())
    models = filterset.qs            # invalid parameters are left out of the filtering
    filterset.form                   # bound form: fields, labels, choices, errors per parameter
    filterset.is_valid()             # False when any parameter is bad; `filterset.errors` says why

The API's DjangoFilterBackend answers 400 {parameter: [message]} for an invalid filterset.
Every value is checked in the form before it reaches the database: unknown choices and slugs,
non-numbers, negatives, out-of-range integers and NUL bytes are form errors, never a 500.
Ordering puts unknown values (unpriced, undisclosed) last in both directions, and a price
ordering puts models priced in another unit (per query, per image…) after per-token prices.
"""

import re
from typing import Any

import django_filters
from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils import timezone

from accounts.models import BusinessUnit
from catalog.choices import (
    AvailabilityStatus,
    DataClassification,
    Deployment,
    ModelStatus,
    SizeClass,
)
from catalog.models import Adoption, AIModel, Specialty, Vendor
from catalog.models.ordering import BLENDED, SORTABLE, sort_keys

SLUG = re.compile(r"[-\w]+")
REGION = re.compile(r"[-.\w]+", re.ASCII)
POSITIVE_INT_MAX = 2_147_483_647  # PositiveIntegerField's range on PostgreSQL
BOOLEAN_CHOICES = [("true", "Yes"), ("false", "No")]
AVAILABLE = [AvailabilityStatus.UP, AvailabilityStatus.DEGRADED]
# `available=or_not_monitored` also keeps models nobody can check (their vendor has neither a
# model list nor a status page): "available" alone would silently drop them.
OR_NOT_MONITORED = "or_not_monitored"
AVAILABLE_CHOICES = [
    ("true", "Available (up or degraded)"),
    ("false", "Not available (down, unknown or not monitored)"),
    (OR_NOT_MONITORED, "Available or not monitored"),
]
# A deprecation or retirement date still ahead (today included), or one already passed.
LIFECYCLE_CHOICES = [("deprecating", "Deprecating"), ("deprecated", "Deprecated")]


class EqualsAny(Func):
    """`value = ANY(array)`: true when the array holds the value (PostgreSQL)."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


class SlugChoiceField(forms.ModelChoiceField[Any]):
    """A choice by slug that refuses anything but a slug before querying (NUL bytes included)."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not SLUG.fullmatch(str(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SlugChoiceFilter(django_filters.ModelChoiceFilter):  # type: ignore[misc]  # django-filter is untyped
    """Pass `queryset` as a callable: FilterSet deep-copies its filters on every request, and
    a callable copies for free where a QuerySet does not."""

    field_class = SlugChoiceField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("empty_label", "Any")
        super().__init__(*args, **kwargs)


class _NoBlankSortKeys:
    """`ordering=,` names no field between its commas: a 400 naming it, never a KeyError."""

    def clean(self, value: Any) -> Any:
        cleaned = super().clean(value)  # type: ignore[misc]  # a mixin: super() is the form field
        if cleaned and not all(cleaned):
            raise forms.ValidationError("A sort key is empty: name a field between the commas.")
        return cleaned


class NullsLastOrderingFilter(django_filters.OrderingFilter):  # type: ignore[misc]  # as above
    """`ordering=a,-b`: unknown values sort last both ways, prices in other units after
    per-token ones; `id` breaks ties for stable pages."""

    field_class: type[forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_class = type("SortKeysField", (_NoBlankSortKeys, self.field_class), {})

    def filter(self, qs: QuerySet[Any], value: list[str] | None) -> QuerySet[Any]:
        if not value:
            return qs
        keys: list[OrderBy] = []
        for param in value:
            field = self.param_map[param.lstrip("-")]
            keys.extend(sort_keys(field, descending=param.startswith("-")))
        # The same terms as catalog.models.ordering's indexes: one sort key reads an index.
        return qs.order_by(*keys, "id")


class CachedFormFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # as above
    """Builds each form class once instead of once per request, and can skip absent filters.

    A form's fields depend only on the filter declarations; each form instance still gets its
    own deep copies of them (Django's Form does that), so nothing leaks between requests.
    `given_only=True` (the API, the catalog page) copies, builds and validates only the filters
    named in the data; a page that renders the filter form leaves it off.
    """

    base_filters: dict[str, Any]
    FORM_CACHE_SIZE = 256  # distinct filter combinations kept; the rest are built per request

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
        given_only: bool = False,
    ) -> None:
        if given_only and data is not None:
            self.base_filters = {
                name: spec for name, spec in self.base_filters.items() if name in data
            }
        super().__init__(data, queryset, request=request, prefix=prefix)

    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        if "_form_classes" not in cls.__dict__:
            cls._form_classes = {}
        key = tuple(self.filters)
        form_class: type[forms.Form] | None = cls._form_classes.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            if len(cls._form_classes) < self.FORM_CACHE_SIZE:
                cls._form_classes[key] = form_class
        return form_class


class AIModelFilterSet(CachedFormFilterSet):
    """The catalog's model filters and orderings (DESIGN.md, GET /api/v1/models/)."""

    search = django_filters.CharFilter(
        label="Search models", method="filter_search", max_length=200
    )
    vendor = SlugChoiceFilter(label="Vendor", queryset=lambda request: Vendor.objects.all())
    specialty = SlugChoiceFilter(
        label="Specialty",
        queryset=lambda request: Specialty.objects.all(),
        field_name="specialties",
    )
    size_class = django_filters.ChoiceFilter(
        label="Size", choices=SizeClass.choices, empty_label="Any"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=ModelStatus.choices, empty_label="Any"
    )
    max_input_price = django_filters.NumberFilter(
        label="Max input price",
        field_name="input_price_per_mtok",
        lookup_expr="lte",
        min_value=0,
        max_digits=18,
        decimal_places=6,
    )
    max_output_price = django_filters.NumberFilter(
        label="Max output price",
        field_name="output_price_per_mtok",
        lookup_expr="lte",
        min_value=0,
        max_digits=18,
        decimal_places=6,
    )
    min_context = django_filters.NumberFilter(
        label="Min context",
        field_name="context_window",
        lookup_expr="gte",
        min_value=0,
        max_value=POSITIVE_INT_MAX,
        decimal_places=0,
    )
    available = django_filters.ChoiceFilter(
        label="Availability",
        choices=AVAILABLE_CHOICES,
        empty_label="Any",
        method="filter_available",
    )
    lifecycle = django_filters.ChoiceFilter(
        label="Lifecycle", choices=LIFECYCLE_CHOICES, empty_label="Any", method="filter_lifecycle"
    )
    business_unit = SlugChoiceFilter(
        label="Used by unit",
        queryset=lambda request: BusinessUnit.objects.all(),
        method="filter_business_unit",
    )
    deployment = django_filters.ChoiceFilter(
        label="Deployment", choices=Deployment.choices, empty_label="Any"
    )
    open_weights = django_filters.ChoiceFilter(
        label="Open weights", choices=BOOLEAN_CHOICES, empty_label="Any", method="filter_boolean"
    )
    region = django_filters.CharFilter(label="Region", method="filter_region", max_length=60)
    data_classification = django_filters.ChoiceFilter(
        label="Cleared for data",
        choices=DataClassification.choices,
        empty_label="Any",
        method="filter_data_classification",
    )
    ordering = NullsLastOrderingFilter(
        label="Sort by",
        fields=tuple(SORTABLE.items()),
        field_labels={
            "name": "Name",
            "input_price_per_mtok": "Input price",
            "output_price_per_mtok": "Output price",
            BLENDED: "Blended price (3:1)",
            "context_window": "Context window",
            "parameters": "Parameters",
            "release_date": "Release date",
        },
    )

    class Meta:
        model = AIModel
        fields: list[str] = []

    def filter_search(
        self, queryset: QuerySet[AIModel], name: str, value: str
    ) -> QuerySet[AIModel]:
        value = value.strip()
        if not value:
            return queryset
        match = (
            Q(name__icontains=value)
            | Q(slug__icontains=value)
            | Q(vendor_model_id__icontains=value)
        )
        if connection.vendor != "postgresql":
            return queryset.filter(match)
        # The matches first, through the trigram indexes (one InitPlan), then their page: given
        # the match as a plain filter, the planner may walk an ordering's index through the
        # whole catalog looking for rows that sit elsewhere in that order (85 ms at 100,000).
        ids = ArraySubquery(AIModel.objects.filter(match).order_by().values("pk"))
        return queryset.filter(EqualsAny(F("pk"), ids))

    def filter_available(
        self, queryset: QuerySet[AIModel], name: str, value: str
    ) -> QuerySet[AIModel]:
        if value == "true":
            return queryset.filter(availability_status__in=AVAILABLE)
        if value == OR_NOT_MONITORED:
            return queryset.filter(
                availability_status__in=[*AVAILABLE, AvailabilityStatus.NOT_MONITORED]
            )
        return queryset.exclude(availability_status__in=AVAILABLE)

    def filter_boolean(
        self, queryset: QuerySet[AIModel], name: str, value: str
    ) -> QuerySet[AIModel]:
        return queryset.filter(**{name: value == "true"})

    def filter_lifecycle(
        self, queryset: QuerySet[AIModel], name: str, value: str
    ) -> QuerySet[AIModel]:
        """`deprecating`: a deprecation (or, without one, a retirement) date today or later;
        `deprecated`: deprecated by status or by a passed date, retired ones included."""
        today = timezone.localdate()
        passed = Q(deprecation_date__lt=today) | Q(retirement_date__lt=today)
        if value == "deprecating":
            ahead = Q(deprecation_date__gte=today) | Q(
                deprecation_date__isnull=True, retirement_date__gte=today
            )
            return queryset.filter(ahead).exclude(passed)
        return queryset.filter(passed | Q(status__in=[ModelStatus.DEPRECATED, ModelStatus.RETIRED]))

    def filter_business_unit(
        self, queryset: QuerySet[AIModel], name: str, value: BusinessUnit
    ) -> QuerySet[AIModel]:
        in_use = Adoption.objects.in_force().filter(unit=value, model=OuterRef("pk"))
        return queryset.filter(Exists(in_use))

    def filter_region(
        self, queryset: QuerySet[AIModel], name: str, value: str
    ) -> QuerySet[AIModel]:
        value = value.strip()
        if not REGION.fullmatch(value):
            # Regions are free text in the catalog; anything but a region code cannot match.
            return queryset.none()
        # `regions` is a JSON list of strings: match one whole, quoted element on every backend.
        return queryset.filter(regions__icontains=f'"{value}"')

    def filter_data_classification(
        self, queryset: QuerySet[AIModel], name: str, value: str
    ) -> QuerySet[AIModel]:
        return queryset.filter(max_data_classification__in=DataClassification.at_least(value))


class VendorFilterSet(CachedFormFilterSet):
    """Vendor list filters: how a vendor is checked and priced, and whether it is active."""

    api_kind = django_filters.ChoiceFilter(
        label="API kind", choices=Vendor._meta.get_field("api_kind").choices, empty_label="Any"
    )
    price_source = django_filters.ChoiceFilter(
        label="Price source",
        choices=Vendor._meta.get_field("price_source").choices,
        empty_label="Any",
    )
    active = django_filters.ChoiceFilter(
        label="Active",
        choices=BOOLEAN_CHOICES,
        empty_label="Any",
        field_name="is_active",
        method="filter_boolean",
    )

    class Meta:
        model = Vendor
        fields: list[str] = []

    def filter_boolean(self, queryset: QuerySet[Vendor], name: str, value: str) -> QuerySet[Vendor]:
        return queryset.filter(**{name: value == "true"})
