"""A unit's allow-list as the API renders it, and a fingerprint of exactly what it renders.

`FIELDS` is the one definition of the columns an allow-list body shows (JSON, LiteLLM YAML and
CSV): `adoptions()` loads only them (`.only()`), and `fingerprint()` hashes only them, for the
same in-force rows (one `now`). A renderer that reads a column outside `FIELDS` costs a query
per row, which the tests pin; so the ETag cannot miss a column the body shows.
"""

import hashlib
from datetime import datetime

from django.contrib.postgres.aggregates import StringAgg
from django.db import connection
from django.db.models import F, Func, QuerySet, TextField
from django.db.models.functions import MD5, Cast

from accounts.models import BusinessUnit
from catalog.models import Adoption

FIELDS = (
    "id",
    "unit__slug",
    "use_case",
    "approved_at",
    "expires_at",
    "expected_monthly_input_tokens",
    "expected_monthly_output_tokens",
    "model__slug",
    "model__name",
    "model__vendor_model_id",
    "model__price_unit",
    "model__input_price_per_mtok",
    "model__output_price_per_mtok",
    "model__deprecation_date",
    "model__retirement_date",
    "model__vendor__slug",
    "model__vendor__api_kind",
    "model__vendor__api_base_url",
    "model__vendor__api_key_env",
    "model__successor__slug",
)
ORDER = ("model__name", "id")


def adoptions(unit: BusinessUnit, now: datetime) -> QuerySet[Adoption]:
    """What the unit may call at `now` (the in-force rule), with only the rendered columns."""
    return (
        Adoption.objects.callable_now(now)
        .filter(unit=unit)
        .select_related("unit", "model__vendor", "model__successor")
        .only(*FIELDS)
        .order_by(*ORDER)
    )


def fingerprint(rows: QuerySet[Adoption]) -> str:
    """A hash of the rendered columns of `rows`, in their order, in one query.

    On PostgreSQL the database hashes the rows (`md5(string_agg(ROW(…)::text …))`), so none
    travel; elsewhere the same columns are fetched and hashed here.
    """
    if connection.vendor == "postgresql":
        columns = Func(*(F(name) for name in FIELDS), function="ROW", output_field=TextField())
        row = Cast(columns, TextField())
        digest = rows.aggregate(
            digest=MD5(StringAgg(row, "|", order_by=[F(name) for name in ORDER]))
        )["digest"]
        return digest or "empty"
    values = rows.values_list(*FIELDS)
    return hashlib.md5(repr(list(values)).encode(), usedforsecurity=False).hexdigest()
