"""One FilterSet per model, used by the API's list and the pages alike (as catalog's)."""

import re
from datetime import date
from typing import Any

from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError

from accounts.models import BusinessUnit
from usage.choices import FindingKind, FindingStatus
from usage.models import UsageFinding

MONTH_PATTERN = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"  # YYYY-MM, as every month parameter takes


class UsageFindingFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    """`/api/v1/usage-findings/` and the findings on `/usage/`: by unit, kind, status, month."""

    business_unit = filters.ModelChoiceFilter(
        field_name="unit", to_field_name="slug", queryset=BusinessUnit.objects.all()
    )
    kind = filters.ChoiceFilter(choices=FindingKind.choices)
    status = filters.ChoiceFilter(choices=FindingStatus.choices)
    month = filters.CharFilter(method="in_month")

    class Meta:
        model = UsageFinding
        fields = ["business_unit", "kind", "status", "month"]

    def in_month(self, queryset: Any, name: str, value: str) -> Any:
        if not re.match(MONTH_PATTERN, value):
            raise ValidationError({"month": ["Use YYYY-MM."]})
        return queryset.filter(month=date(int(value[:4]), int(value[5:]), 1))
