"""A model's specialties as sorted slugs beside its row: one definition for the catalog page's
rows and the API's fast path, which both read `.values()` rows, not model instances."""

from collections import defaultdict
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, QuerySet

from catalog.models import AIModel

SPECIALTY_SLUGS = "specialty_slugs"


def with_specialty_slugs(queryset: QuerySet[AIModel]) -> QuerySet[AIModel]:
    """On PostgreSQL, each model annotated with its sorted specialty slugs as an array, so a
    page is one query (the subquery runs for the page's rows only); elsewhere unchanged."""
    if connection.vendor != "postgresql":
        return queryset
    slugs = (
        AIModel.specialties.through.objects.filter(aimodel_id=OuterRef("pk"))
        .order_by("specialty__slug")
        .values("specialty__slug")
    )
    return queryset.annotate(**{SPECIALTY_SLUGS: ArraySubquery(slugs)})


def specialty_slugs(rows: list[dict[str, Any]]) -> dict[int, list[str]]:
    """Model id → sorted specialty slugs: from the rows when `with_specialty_slugs` put them
    there, else for all the rows in one query."""
    found: dict[int, list[str]] = defaultdict(list)
    if rows and SPECIALTY_SLUGS in rows[0]:
        found.update((r["id"], r[SPECIALTY_SLUGS]) for r in rows)
    elif rows:
        links = (
            AIModel.specialties.through.objects.filter(aimodel_id__in=[r["id"] for r in rows])
            .order_by("specialty__slug")
            .values_list("aimodel_id", "specialty__slug")
        )
        for model_id, slug in links:
            found[model_id].append(slug)
    return found
