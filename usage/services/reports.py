"""Read-only figures for the API and pages: a unit's month by model, its months side by side,
the company chargeback. Each is a fixed number of aggregate queries, whatever the volume."""

import calendar
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.dateparse import parse_datetime

from accounts.models import (
    APPROVERS_GROUP,
    CATALOG_ADMINS_GROUP,
    BusinessUnit,
    Membership,
    User,
)
from catalog.choices import AdoptionStatus
from catalog.models import Adoption, AIModel, PriceObservation, Vendor
from catalog.models.costs import PriceComponents
from usage.models import UsageFinding, UsageMonth, UsageRecord
from usage.services.forecasts import (
    COVERING,
    AdoptionSpan,
    covering,
    month_forecast,
)
from usage.services.pricing import PriceLedger

CENTS = Decimal("0.01")
SUMS = {
    "input_tokens": Sum("input_tokens"),
    "output_tokens": Sum("output_tokens"),
    "cache_read_tokens": Sum("cache_read_tokens"),
    "cache_write_tokens": Sum("cache_write_tokens"),
    "requests": Sum("requests"),
    "billed": Sum("billed_cost"),
    "listed": Sum("list_cost"),
    "unbilled": Count("pk", filter=Q(billed_cost__isnull=True)),
    "unpriced": Count("pk", filter=Q(list_cost__isnull=True)),
}


@functools.cache
def _visible_unit_sql() -> str:
    """The id of the unit named by the first parameter if the user (the second and fifth) may
    see its usage: the rule of `units_visible_to`, as SQL a month's statement starts from, so
    the role check rides along instead of costing a query of its own."""
    unit, membership = BusinessUnit._meta.db_table, Membership._meta.db_table
    user_groups = User.groups.through._meta.db_table
    return f"""
        SELECT u.id FROM {unit} u WHERE u.slug = %s AND (
            EXISTS (SELECT 1 FROM {user_groups} ug JOIN {Group._meta.db_table} g
                    ON g.id = ug.group_id WHERE ug.user_id = %s AND g.name IN (%s, %s))
            OR EXISTS (SELECT 1 FROM {membership} m WHERE m.user_id = %s AND m.unit_id = u.id))
    """  # table names from the models; every value a parameter


def units_visible_to(user: User | AnonymousUser) -> QuerySet[BusinessUnit]:
    """Members and managers see their units' usage; approvers and catalog admins see all."""
    if not user.is_authenticated:
        return BusinessUnit.objects.none()
    if user.is_approver or user.is_catalog_admin:
        return BusinessUnit.objects.all()
    return BusinessUnit.objects.filter(pk__in=Membership.objects.filter(user=user).values("unit"))


def findings_visible_to(user: User) -> QuerySet[UsageFinding]:
    """The usage findings of the units `user` may see (the pages' and the API's one lookup)."""
    return UsageFinding.objects.filter(unit__in=units_visible_to(user)).select_related(
        "unit", "model__vendor"
    )


def recent_months(today: date, count: int) -> list[date]:
    """The first days of this month and the `count - 1` before it, newest first."""
    months, month = [], today.replace(day=1)
    for _ in range(count):
        months.append(month)
        month = (month.replace(day=1) - date.resolution).replace(day=1)
    return months


def month_end(start: date) -> date:
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def cents(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount.quantize(CENTS)


def known_sum(values: Iterable[Decimal | None]) -> Decimal | None:
    """The unrounded sum of the known amounts, or None when none is known."""
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def month_cost(total: object, unknown_days: int) -> Decimal | None:
    """A reported model's cost over a unit's month, unrounded: the sum of its days, or unknown
    when any day's amount was."""
    return None if unknown_days else _decimal(total) or Decimal(0)


def actual_cost(billed: Decimal | None, listed: Decimal | None) -> Decimal | None:
    """What a reported model's month cost: billed, else list. The one rule behind the unit's
    usage API and `/usage/`; amounts are added unrounded and rounded once, at the end."""
    return billed if billed is not None else listed


ModelRef = dict[str, str]  # {slug, name, vendor, vendor_model_id}, as AIModelRefSerializer


def model_ref(slug: str | None, name: str, vendor: str, vendor_model_id: str) -> ModelRef | None:
    if slug is None:
        return None
    return {"slug": slug, "name": name, "vendor": vendor, "vendor_model_id": vendor_model_id}


@dataclass
class ModelMonth:
    """One reported model's month for a unit; costs None when any day of it was unknown, and
    requests None when any day was reported without a count (Anthropic's report has none)."""

    vendor_model_id: str
    model: ModelRef | None
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    requests: int | None = 0
    billed_cost: Decimal | None = None
    list_cost: Decimal | None = None
    forecast_cost: Decimal | None = None
    # The costs unrounded (the row shows cents): totals add these and round once at the end.
    exact_billed: Decimal | None = None
    exact_list: Decimal | None = None

    @property
    def actual(self) -> Decimal | None:
        return actual_cost(self.billed_cost, self.list_cost)

    @property
    def exact_actual(self) -> Decimal | None:
        return actual_cost(self.exact_billed, self.exact_list)

    @property
    def variance(self) -> Decimal | None:
        """Actual (billed, else list) minus forecast: what the month ran over (or under)."""
        if self.actual is None or self.forecast_cost is None:
            return None
        return self.actual - self.forecast_cost


@functools.cache
def _unit_month_sql(vendor: str, unit: str) -> str:
    """The month's sums per reported model (the matched model's reference joined in) UNION ALL
    the adoptions that may have covered a day of it (with when they were revoked, from their
    history) UNION ALL those models' price observations up to the month's end UNION ALL one row
    naming the unit (none: no such unit, or not one the caller may see), for the unit `unit`
    (SQL giving its id) selects: one statement, written by hand because building and compiling
    it through the ORM cost more than running it. On PostgreSQL the sums are read from
    `UsageMonth` (kept by triggers: ~40 rows for ~1,000 records). PostgreSQL types a UNION's
    columns branch by branch, so a column NULL in the first two is cast in the first."""
    record, model = UsageRecord._meta.db_table, AIModel._meta.db_table
    vendor_table, adoption = Vendor._meta.db_table, Adoption._meta.db_table
    history = Adoption.history.model._meta.db_table
    observation = PriceObservation._meta.db_table
    ref = "m.slug, m.name, v.slug, m.vendor_model_id"
    if vendor == "postgresql":
        sums = f"""
        SELECT r.vendor_model_id, r.model_id, {ref}, r.input_tokens, r.output_tokens,
            r.requests, r.billed_cost, r.list_cost, r.unbilled, r.unpriced, r.uncounted,
            NULL, NULL, NULL, NULL, NULL, NULL, r.cache_read_tokens, r.cache_write_tokens,
            NULL, NULL, NULL, NULL::timestamptz, NULL, NULL
        FROM {UsageMonth._meta.db_table} r LEFT JOIN {model} m ON m.id = r.model_id
            LEFT JOIN {vendor_table} v ON v.id = m.vendor_id
        WHERE r.unit_id = (SELECT id FROM unit) AND r.month BETWEEN %s AND %s
            AND r.records > 0"""
    else:
        sums = f"""
        SELECT r.vendor_model_id, r.model_id, {ref}, SUM(r.input_tokens), SUM(r.output_tokens),
            SUM(r.requests), SUM(r.billed_cost), SUM(r.list_cost),
            COUNT(*) - COUNT(r.billed_cost), COUNT(*) - COUNT(r.list_cost),
            COUNT(*) - COUNT(r.requests), NULL, NULL, NULL, NULL, NULL, NULL,
            SUM(r.cache_read_tokens), SUM(r.cache_write_tokens), NULL, NULL, NULL, NULL,
            NULL, NULL
        FROM {record} r LEFT JOIN {model} m ON m.id = r.model_id
            LEFT JOIN {vendor_table} v ON v.id = m.vendor_id
        WHERE r.unit_id = (SELECT id FROM unit) AND r.day BETWEEN %s AND %s
        GROUP BY r.vendor_model_id, r.model_id, {ref}"""
    covering = """a.unit_id = (SELECT id FROM unit) AND a.status IN (%s, %s, %s)
            AND a.approved_at < %s AND a.expires_at > %s"""
    return f"""WITH unit AS ({unit}) {sums}
        UNION ALL
        SELECT m.vendor_model_id, a.model_id, {ref}, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
            NULL, a.id, m.price_unit, m.input_price_per_mtok, m.output_price_per_mtok,
            a.expected_monthly_input_tokens, a.expected_monthly_output_tokens, NULL, NULL,
            a.approved_at, a.expires_at, CASE WHEN a.status = %s THEN COALESCE(
                (SELECT MAX(h.history_date) FROM {history} h
                 WHERE h.id = a.id AND h.status = %s), a.approved_at) END, NULL,
            a.expected_cache_share, m.cache_read_price_per_mtok
        FROM {adoption} a JOIN {model} m ON m.id = a.model_id
            JOIN {vendor_table} v ON v.id = m.vendor_id
        WHERE {covering}
        UNION ALL
        SELECT NULL, o.model_id, {", ".join(["NULL"] * 13)}, o.price_unit,
            o.input_price_per_mtok, o.output_price_per_mtok, {", ".join(["NULL"] * 7)},
            o.observed_at, NULL, o.cache_read_price_per_mtok
        FROM {observation} o
        WHERE o.observed_at < %s AND o.model_id IN (SELECT a.model_id FROM {adoption} a
            WHERE {covering})
        UNION ALL
        SELECT NULL, id, {", ".join(["NULL"] * 26)} FROM unit
    """  # table names from the models; every value a parameter


class MonthRow(NamedTuple):
    """One row of `_unit_month_sql`'s union, its columns in order: a usage sum (a reported
    name), an adoption covering the month (`adoption_id`), a price observation (`observed_at`),
    or the row naming the unit (`model_id` alone). Columns a kind has not are None; the
    union's rows are typed loosely (Any) where only the kind of row says which are set."""

    reported_name: Any
    model_id: Any
    model_slug: str | None
    model_name: str | None
    model_vendor: str | None
    model_vendor_model_id: str | None
    input_tokens: Any
    output_tokens: Any
    requests: Any
    billed_cost: Any
    list_cost: Any
    unbilled: Any
    unpriced: Any
    uncounted: Any
    adoption_id: int | None
    price_unit: Any
    input_price: Any
    output_price: Any
    expected_input: Any
    expected_output: Any
    cache_read_tokens: Any
    cache_write_tokens: Any
    approved_at: Any
    expires_at: Any
    revoked_at: Any
    observed_at: Any
    cache_share: Any
    cache_read_price: Any

    def prices(self) -> PriceComponents:
        """The components a forecast reads (`forecast_cost`)."""
        return PriceComponents(
            input=_decimal(self.input_price),
            output=_decimal(self.output_price),
            cache_read=_decimal(self.cache_read_price),
            unit=self.price_unit,
        )

    def model_ref(self) -> ModelRef | None:
        return model_ref(
            self.model_slug, self.model_name or "", self.model_vendor or "",
            self.model_vendor_model_id or "",
        )  # fmt: skip


def _decimal(value: object) -> Decimal | None:
    """PostgreSQL answers numeric as Decimal; SQLite answers a float or an int."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def unit_month(unit_id: int, start: date) -> list[ModelMonth]:
    """The unit's month per reported model, plus adopted models it did not use."""
    found = _month(_unit_month_sql(connection.vendor, "SELECT %s AS id"), [unit_id], start)
    assert found is not None  # the unit's own id always names it
    return found


def visible_unit_month(
    user: User | AnonymousUser, slug: str, start: date
) -> list[ModelMonth] | None:
    """`unit_month` of the unit named `slug`, or None when `user` may not see its usage (or
    there is no such unit): in one query, the role check included."""
    if not user.is_authenticated:
        return None
    unit = [slug, user.pk, APPROVERS_GROUP, CATALOG_ADMINS_GROUP, user.pk]
    return _month(_unit_month_sql(connection.vendor, _visible_unit_sql()), unit, start)


def _month(sql: str, unit: list[Any], start: date) -> list[ModelMonth] | None:
    """Run a `_unit_month_sql` statement (its unit's parameters first) and read it.

    One statement, read as tuples. No model instances are built: building querysets, objects
    and serializers cost several times the query (bench/bench_usage.py), whose sums PostgreSQL
    keeps per month (`UsageMonth`) instead of adding up a month's records each time. The
    forecast is the month's as it stood (`month_forecast`), on one row per adopted model."""
    end = month_end(start)
    after = end + timedelta(days=1)
    covering = [*(status.value for status in COVERING), after, start]
    revoked = [AdoptionStatus.REVOKED.value] * 2  # when revoked (unknown: at its approval)
    params = [*unit, start, end, *revoked, *covering, after, *covering]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [MonthRow(*row) for row in cursor.fetchall()]
    if not any(r.reported_name is None and r.observed_at is None for r in rows):  # the unit's row
        return None
    reported, spans, refs, observed = [], [], {}, []
    for row in rows:
        if row.observed_at is not None:
            observed.append((_moment(row.observed_at), row.model_id, row.prices()))
        elif row.reported_name is None:
            continue
        elif row.adoption_id is not None:
            spans.append(
                AdoptionSpan.of(
                    model_id=row.model_id,
                    approved_at=_moment(row.approved_at),
                    expires_at=_moment(row.expires_at),
                    revoked_at=None if row.revoked_at is None else _moment(row.revoked_at),
                    expected_input=row.expected_input,
                    expected_output=row.expected_output,
                    cache_share=_decimal(row.cache_share) or Decimal(0),
                    current=row.prices(),
                )
            )
            refs[row.model_id] = row.model_ref()
        else:
            reported.append(row)
    observed.sort(key=lambda entry: (entry[1], entry[0]))
    ledger = PriceLedger((model_id, at.date(), prices) for at, model_id, prices in observed)
    forecasts = month_forecast(spans, ledger, start, end)
    result = []
    for row in sorted(reported, key=lambda r: r.reported_name):
        billed = month_cost(row.billed_cost, row.unbilled)
        listed = month_cost(row.list_cost, row.unpriced)
        result.append(
            ModelMonth(
                vendor_model_id=row.reported_name,
                model=row.model_ref(),
                input_tokens=int(row.input_tokens),
                output_tokens=int(row.output_tokens),
                cache_read_tokens=int(row.cache_read_tokens),
                cache_write_tokens=int(row.cache_write_tokens),
                requests=None if row.uncounted else int(row.requests),
                billed_cost=cents(billed),
                list_cost=cents(listed),
                exact_billed=billed,
                exact_list=listed,
                # Once per adopted model: on its first row, however many names it came under.
                forecast_cost=forecasts.pop(row.model_id, None),
            )
        )
    unused = [(ref, cost) for pk, cost in forecasts.items() if (ref := refs.get(pk))]
    for ref, forecast in sorted(unused, key=lambda pair: pair[0]["vendor_model_id"]):
        result.append(
            ModelMonth(
                vendor_model_id=ref["vendor_model_id"],
                model=ref,
                billed_cost=Decimal("0.00"),
                list_cost=Decimal("0.00"),
                forecast_cost=forecast,
                exact_billed=Decimal(0),
                exact_list=Decimal(0),
            )
        )
    return result


def _moment(value: object) -> datetime:
    """PostgreSQL answers a timestamp as an aware datetime; SQLite, in a UNION, as text."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    moment = parse_datetime(str(value))
    assert moment is not None, value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def totals(rows: list[ModelMonth]) -> dict[str, Decimal | None | int]:
    """Sums of what is known, saying what they could not count: `unbilled` and `unpriced`
    count the rows whose billed or list cost is unknown (left out of the sum). Costs are added
    unrounded and rounded once, so a unit's total is the same on `/usage/` (`actual_cost`:
    billed, else list, per row)."""
    return {
        "billed_cost": cents(known_sum(r.exact_billed for r in rows)),
        "list_cost": cents(known_sum(r.exact_list for r in rows)),
        "actual_cost": cents(known_sum(r.exact_actual for r in rows)),
        "forecast_cost": cents(known_sum(r.forecast_cost for r in rows)),
        "unbilled": sum(1 for r in rows if r.billed_cost is None),
        "unpriced": sum(1 for r in rows if r.list_cost is None),
    }


def decimal_text(amount: Decimal | None) -> str | None:
    """Money as the API writes it: a plain decimal string (never an exponent), or null."""
    return None if amount is None else f"{amount:f}"


def unit_month_payload(rows: list[ModelMonth], start: date) -> dict[str, object]:
    """The API's answer for a unit's month, as UnitUsageSerializer documents it, written
    directly: the shape is fixed, and a serializer per row would cost more than the query
    (tests hold the two equal)."""
    sums = totals(rows)
    return {
        "month": f"{start:%Y-%m}",
        "results": [
            {
                "model": r.model,
                "vendor_model_id": r.vendor_model_id,
                "input_tokens": r.input_tokens,
                "output_tokens": r.output_tokens,
                "cache_read_tokens": r.cache_read_tokens,
                "cache_write_tokens": r.cache_write_tokens,
                "requests": r.requests,
                "billed_cost": decimal_text(r.billed_cost),
                "list_cost": decimal_text(r.list_cost),
                "forecast_cost": decimal_text(r.forecast_cost),
                "variance": decimal_text(r.variance),
            }
            for r in rows
        ],
        "totals": {
            "billed_cost": decimal_text(sums["billed_cost"]),  # type: ignore[arg-type]  # a cost, not `unpriced`
            "list_cost": decimal_text(sums["list_cost"]),  # type: ignore[arg-type]  # a cost, not `unpriced`
            "actual_cost": decimal_text(sums["actual_cost"]),  # type: ignore[arg-type]  # a cost, not `unpriced`
            "forecast_cost": decimal_text(sums["forecast_cost"]),  # type: ignore[arg-type]  # a cost, not `unpriced`
            "unbilled": sums["unbilled"],
            "unpriced": sums["unpriced"],
        },
    }


@dataclass
class MonthFigures:
    month: date
    actual: Decimal
    list_cost: Decimal
    forecast: Decimal
    budget: Decimal | None


def unit_months(unit: BusinessUnit, months: list[date]) -> list[MonthFigures]:
    """Actual per month (its usage API's `actual_cost`: billed, else list, per reported model,
    rounded once) next to the forecast each month had (adoptions and prices of its own days;
    unpriced ones left out, as the unit's forecast leaves them) and the budget. Three queries:
    the months' sums per reported model, the adoptions, their models' prices."""
    first, last = min(months), month_end(max(months))
    by_month: dict[date, tuple[list[Decimal | None], list[Decimal | None]]] = defaultdict(
        lambda: ([], [])
    )
    groups = (
        UsageRecord.objects.filter(unit=unit, day__range=(first, last))
        .annotate(month=TruncMonth("day"))
        .values("month", "vendor_model_id", "model_id")
        .annotate(
            billed=SUMS["billed"], listed=SUMS["listed"],
            unbilled=SUMS["unbilled"], unpriced=SUMS["unpriced"],
        )
        .order_by()
    )  # fmt: skip
    for group in groups:
        actuals, listed = by_month[group["month"]]
        actuals.append(
            actual_cost(
                month_cost(group["billed"], group["unbilled"]),
                month_cost(group["listed"], group["unpriced"]),
            )
        )
        listed.append(_decimal(group["listed"]))
    spans = [
        AdoptionSpan.of(
            model_id=a.model_id,
            approved_at=a.approved_at,
            expires_at=a.expires_at,
            revoked_at=a.revoked_at,  # type: ignore[attr-defined]  # by with_revoked_at
            expected_input=a.expected_monthly_input_tokens,
            expected_output=a.expected_monthly_output_tokens,
            cache_share=a.expected_cache_share,
            current=a.model.price_components,
        )
        for a in covering(
            Adoption.objects.filter(unit=unit).with_revoked_at(), first, last
        ).select_related("model")
    ]
    ledger = PriceLedger.for_models({span.model_id for span in spans})
    forecasts = {
        m: sum(
            (f for f in month_forecast(spans, ledger, m, month_end(m)).values() if f is not None),
            Decimal("0.00"),
        )
        for m in months
    }
    return [
        MonthFigures(
            month=m,
            actual=cents(known_sum(by_month[m][0])) or Decimal("0.00"),
            list_cost=cents(known_sum(by_month[m][1])) or Decimal("0.00"),
            forecast=forecasts[m],
            budget=unit.monthly_budget,
        )
        for m in months
    ]


def chargeback(units: QuerySet[BusinessUnit], start: date) -> list[dict[str, object]]:
    """Per cost center, unit and model: tokens, billed and list cost for the month. Two queries."""
    rows: QuerySet[UsageRecord, Mapping[str, Any]] = (
        UsageRecord.objects.filter(unit__in=units, day__range=(start, month_end(start)))
        .values(
            "unit__cost_center", "unit__slug", "unit__name", "vendor_model_id", "model__slug",
            "model__vendor__slug", "source__name",
        )
        .annotate(**SUMS)
        .order_by("unit__cost_center", "unit__slug", "vendor_model_id")
    )  # fmt: skip
    return [
        {
            "cost_center": r["unit__cost_center"],
            "business_unit": r["unit__slug"],
            "vendor": r["model__vendor__slug"] or r["source__name"],
            "model": r["model__slug"],
            "vendor_model_id": r["vendor_model_id"],
            "input_tokens": r["input_tokens"],
            "output_tokens": r["output_tokens"],
            "cache_read_tokens": r["cache_read_tokens"],
            "cache_write_tokens": r["cache_write_tokens"],
            "billed_cost": None if r["unbilled"] else cents(r["billed"]),
            "list_cost": None if r["unpriced"] else cents(r["listed"]),
        }
        for r in rows
    ]


def adoption_month_actual(adoption: Adoption, today: date) -> Decimal | None:
    """What the adoption's model has cost its unit this month so far, by the unit usage API's
    rule (billed, else list, per reported name, rounded once): $0.00 when nothing was reported,
    None when what was reported has no known cost. One query: the revoke page names it."""
    start = today.replace(day=1)
    groups = (
        UsageRecord.objects.filter(
            unit_id=adoption.unit_id, model_id=adoption.model_id, day__range=(start, today)
        )
        .values("vendor_model_id")
        .annotate(
            billed=SUMS["billed"], listed=SUMS["listed"],
            unbilled=SUMS["unbilled"], unpriced=SUMS["unpriced"],
        )
        .order_by()
    )  # fmt: skip
    actuals = [
        actual_cost(month_cost(g["billed"], g["unbilled"]), month_cost(g["listed"], g["unpriced"]))
        for g in groups
    ]
    return cents(known_sum(actuals)) if actuals else Decimal("0.00")
