"""The catalog's sort keys, defined once for the lists that sort by them and the indexes that
serve them: PostgreSQL uses an index for an ORDER BY only when its expressions are the same.

Unknown values (unpriced, undisclosed) sort last both ways, and a price ordering puts models
priced in another unit (per query, per image…) after per-token prices; `id` breaks ties.
"""

from django.db import models
from django.db.models import Case, DecimalField, F, Value, When
from django.db.models.expressions import OrderBy

from catalog.choices import PriceUnit

PRICE_FIELDS = {"input_price_per_mtok", "output_price_per_mtok"}

# A blended per-token price, 3 parts input to 1 part output (a typical chat workload), as
# OpenRouter and others rank models by one number; null unless both per-token prices are known.
BLENDED = "blended_price_per_mtok"
BLENDED_PRICE = Case(
    When(
        price_unit=PriceUnit.PER_MTOK,
        input_price_per_mtok__isnull=False,
        output_price_per_mtok__isnull=False,
        then=(3 * F("input_price_per_mtok") + F("output_price_per_mtok")) / 4,
    ),
    default=None,
    output_field=DecimalField(max_digits=24, decimal_places=8),
)

# Sortable fields: model field (or BLENDED) → the name the `ordering` parameter uses.
SORTABLE = {
    "name": "name",
    "input_price_per_mtok": "input_price",
    "output_price_per_mtok": "output_price",
    BLENDED: "blended_price",
    "context_window": "context_window",
    "parameters": "parameters",
    "release_date": "release_date",
}


def price_rank(field: str) -> OrderBy:
    """Per-token prices first, then prices in other units, then unpriced: either direction."""
    return Case(
        When(**{f"{field}__isnull": True}, then=Value(2)),
        When(price_unit=PriceUnit.PER_MTOK, then=Value(0)),
        default=Value(1),
    ).asc()


def sort_keys(field: str, *, descending: bool) -> list[OrderBy]:
    """The ORDER BY terms of one sort key, before the `id` tie-breaker."""
    keys = [price_rank(field)] if field in PRICE_FIELDS else []
    value = BLENDED_PRICE if field == BLENDED else F(field)
    keys.append(value.desc(nulls_last=True) if descending else value.asc(nulls_last=True))
    return keys


def sort_indexes() -> list[models.Index]:
    """One index per sortable field and direction, on exactly the list's ORDER BY, so a page
    is read from the top of an index instead of sorting the whole catalog."""
    return [
        models.Index(
            *sort_keys(field, descending=descending),
            F("id").asc(),
            name=f"aimodel_sort_{param}_{'d' if descending else 'a'}",
        )
        for field, param in SORTABLE.items()
        for descending in (False, True)
    ]
