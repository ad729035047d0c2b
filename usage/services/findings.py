"""Findings from a unit's month of usage, each told once to its managers and the approvers.

- unapproved use: a model used on a day with no adoption covering that day (shadow AI);
- bill mismatch: per source, billed differs from list by more than USAGE_MISMATCH_PCT;
- over forecast: a model's month-to-date list cost, projected to the month's end, exceeds its
  adoption's forecast by more than 25 %;
- over budget: the unit's month-to-date actual (billed, else list), projected, exceeds its budget.

Findings are keyed (kind, unit, month, subject): a later run updates the figures of a finding
already told, and never tells it again. When a later run finds it no longer holds (late data
replaced a day, an adoption now covers the days, the bill now matches), the finding is resolved
with when and why, and keeps the figures it was told with; it is not told again. Should it
hold again later, it is reopened and told once more.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import BusinessUnit, User, managers_by_unit
from catalog.choices import AdoptionStatus
from catalog.models import Adoption
from core.notify import notify
from usage.choices import FindingKind, FindingStatus
from usage.models import UsageFinding, UsageRecord, UsageSource
from usage.services.forecasts import covering
from usage.services.reports import month_end

CENTS = Decimal("0.01")
OVER_FORECAST_PCT = Decimal(25)
# What the over-forecast check reads of an adoption: its forecast's inputs and its model's name.
FORECAST_FIELDS = (
    "model_id",
    "expected_monthly_input_tokens",
    "expected_monthly_output_tokens",
    "expected_cache_share",
    "model__name",
    "model__vendor_model_id",
    "model__price_unit",
    "model__input_price_per_mtok",
    "model__output_price_per_mtok",
    "model__cache_read_price_per_mtok",
)


@dataclass
class Draft:
    """What a check says about one subject: a finding when `holds`, else why it does not (the
    resolution of a finding told before)."""

    kind: str
    subject: str
    detail: str
    amount: Decimal | None
    model_id: int | None = None
    source_id: int | None = None
    holds: bool = True


# Why a finding no longer holds when its check has nothing to say about its subject any more.
GONE: dict[str, str] = {
    FindingKind.UNAPPROVED_USE: "Late data no longer shows {subject} used this month.",
    FindingKind.BILL_MISMATCH: "{subject} no longer reports both billed and list cost this month.",
    FindingKind.OVER_FORECAST: (
        "No priced use of {subject} against an active adoption's forecast this month any more."
    ),
    FindingKind.OVER_BUDGET: "The unit has no monthly budget any more.",
}


@dataclass
class Month:
    """A unit's month of records, summed the ways the checks need."""

    unit: BusinessUnit
    start: date
    uncovered: dict[str, list[tuple[date, int, int, Decimal | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    models: dict[str, int | None] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    by_source: dict[int, list[Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: [Decimal(0), Decimal(0)])
    )
    list_by_model: dict[int, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    actual: Decimal = Decimal(0)

    @property
    def end(self) -> date:
        return month_end(self.start)

    def projected(self, amount: Decimal, today: date) -> Decimal:
        """Month-to-date → whole month, at the pace of the days elapsed so far."""
        if today >= self.end:
            return amount
        elapsed = max(1, (today - self.start).days + 1)
        return amount * self.end.day / elapsed

    def course(self, amount: Decimal, today: date, *, again: bool = False) -> str:
        """How a finding states the month's `amount`: a projection while the month runs, what
        it came to once it has ended (`again`: a re-check's "now")."""
        if today > self.end:
            return f"{'now comes' if again else 'came'} to {money(amount)} in {self.start:%B %Y}"
        return f"is {'now ' if again else ''}on course for {money(amount)} this month"


def money(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount).quantize(CENTS):,}"


@dataclass
class Known:
    """What the checks of a run's unit-months read once for all of them (an ingest touches a
    thousand): each unit's adoption coverage and active adoptions, the months' findings so far,
    the sources' names."""

    coverage: dict[int, dict[int | None, list[tuple[date, date]]]]
    adoptions: dict[int, list[Adoption]]
    findings: dict[tuple[int, date], list[UsageFinding]]
    source_names: dict[int, str]

    @classmethod
    def of(cls, pairs: list[tuple[int, date]]) -> "Known":
        """Four queries, whatever the number of unit-months."""
        unit_ids = {u for u, _ in pairs}
        first = min(start for _, start in pairs)
        last = month_end(max(start for _, start in pairs))
        adoptions: dict[int, list[Adoption]] = defaultdict(list)
        active = (
            Adoption.objects.filter(unit_id__in=unit_ids, status=AdoptionStatus.ACTIVE)
            .select_related("model")
            .only("unit_id", *FORECAST_FIELDS)  # not every column of two tables
        )
        for adoption in active:
            adoptions[adoption.unit_id].append(adoption)
        findings: dict[tuple[int, date], list[UsageFinding]] = defaultdict(list)
        stored = UsageFinding.objects.filter(
            unit_id__in=unit_ids, month__in={start for _, start in pairs}
        )
        for finding in stored:
            findings[(finding.unit_id, finding.month)].append(finding)
        return cls(
            coverage=_coverage(unit_ids, first, last),
            adoptions=adoptions,
            findings=findings,
            source_names=dict(UsageSource.objects.values_list("pk", "name")),
        )


def findings_check(*, unit_months: Iterable[tuple[int, date]]) -> list[UsageFinding]:
    """Evaluate these (unit id, first day of month) pairs; returns the findings told now (first
    raised, or reopened)."""
    pairs = sorted(set(unit_months))
    if not pairs:
        return []
    units = BusinessUnit.objects.in_bulk({u for u, _ in pairs})
    known = Known.of(pairs)
    today = timezone.now().date()
    raised: list[UsageFinding] = []
    again: list[UsageFinding] = []
    for unit_id, start in pairs:
        month = _month(units[unit_id], start, known.coverage[unit_id])
        drafts = (
            _unapproved(month)
            + _mismatches(month, known.source_names)
            + _over(month, known.adoptions[unit_id], today)
        )
        fresh, reopened = _record(month, drafts, known.findings[(unit_id, start)])
        raised += fresh
        again += reopened
    _tell(raised + again, again={f.pk for f in again})
    return raised + again


def _month(
    unit: BusinessUnit, start: date, covered: dict[int | None, list[tuple[date, date]]]
) -> Month:
    month = Month(unit=unit, start=start)
    rows = UsageRecord.objects.filter(unit=unit, day__range=(start, month.end)).values_list(
        "day",
        "vendor_model_id",
        "model_id",
        "source_id",
        "input_tokens",
        "output_tokens",
        "billed_cost",
        "list_cost",
    )
    for day, name, model_id, source_id, tokens_in, tokens_out, billed, listed in rows:
        actual = billed if billed is not None else listed
        month.actual += actual or 0
        if billed is not None and listed is not None:
            month.by_source[source_id][0] += billed
            month.by_source[source_id][1] += listed
        if model_id is not None and listed is not None:
            month.list_by_model[model_id] += listed
        if name:
            month.used.add(name)
        if name and not any(a <= day < b for a, b in covered.get(model_id, ())):
            month.uncovered[name].append((day, tokens_in, tokens_out, actual))
            month.models[name] = model_id
    return month


def _coverage(
    unit_ids: set[int], start: date, end: date
) -> dict[int, dict[int | None, list[tuple[date, date]]]]:
    """Unit id → model id → the [approved, ended) day ranges of adoptions that covered a day
    from `start` to `end`: a revoked one covered the days before its revoking (read from its
    history)."""
    spans: dict[int, dict[int | None, list[tuple[date, date]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    adoptions = Adoption.objects.filter(unit_id__in=unit_ids).with_revoked_at()
    fields = ("unit_id", "model_id", "approved_at", "expires_at", "revoked_at")
    # A splat: `revoked_at` is an annotation.
    for unit_id, model_id, approved, expires, revoked in covering(
        adoptions, start, end
    ).values_list(*fields):
        ended = min(expires, revoked) if revoked else expires
        spans[unit_id][model_id].append((approved.date(), ended.date()))
    return spans


def _unapproved(month: Month) -> list[Draft]:
    drafts = []
    for name, days in sorted(month.uncovered.items()):
        amounts = [a for *_, a in days if a is not None]
        amount = sum(amounts, Decimal(0)).quantize(CENTS) if amounts else None
        tokens_in = sum(d[1] for d in days)
        tokens_out = sum(d[2] for d in days)
        cost = "unpriced" if amount is None else money(amount)
        drafts.append(
            Draft(
                kind=FindingKind.UNAPPROVED_USE,
                subject=name,
                model_id=month.models[name],
                amount=amount,
                detail=(
                    f"{name} used on {len({d[0] for d in days})} day(s) with no adoption "
                    f"covering them: {tokens_in:,} input and {tokens_out:,} output tokens, {cost}."
                ),
            )
        )
    for name in sorted(month.used - set(month.uncovered)):
        drafts.append(
            Draft(
                kind=FindingKind.UNAPPROVED_USE,
                subject=name,
                amount=None,
                holds=False,
                detail=f"An adoption now covers every day {name} was used this month.",
            )
        )
    return drafts


def _mismatches(month: Month, names: dict[int, str]) -> list[Draft]:
    limit = Decimal(str(settings.USAGE_MISMATCH_PCT))
    drafts = []
    for source_id, (billed, listed) in sorted(month.by_source.items()):
        if listed <= 0:
            continue
        pct = (billed - listed) * 100 / listed
        if abs(pct) <= limit:
            drafts.append(
                Draft(
                    kind=FindingKind.BILL_MISMATCH,
                    subject=names[source_id],
                    amount=None,
                    holds=False,
                    detail=(
                        f"{names[source_id]} now billed {money(billed)} against {money(listed)} "
                        f"at catalog list prices ({pct:+.1f} %), within {limit} %."
                    ),
                )
            )
            continue
        drafts.append(
            Draft(
                kind=FindingKind.BILL_MISMATCH,
                subject=names[source_id],
                source_id=source_id,
                amount=(billed - listed).quantize(CENTS),
                detail=(
                    f"{names[source_id]} billed {money(billed)} against {money(listed)} at "
                    f"catalog list prices ({pct:+.1f} %): a negotiated discount or a wrong "
                    f"catalog price."
                ),
            )
        )
    return drafts


def _over(month: Month, active: list[Adoption], today: date) -> list[Draft]:
    """Over forecast for each active adoption whose model has priced use this month, and over
    budget for the unit."""
    drafts = []
    for adoption in (a for a in active if a.model_id in month.list_by_model):
        forecast = adoption.estimated_monthly_cost
        if not forecast:
            continue
        projected = month.projected(month.list_by_model[adoption.model_id], today)
        if projected * 100 <= forecast * (100 + OVER_FORECAST_PCT):
            drafts.append(
                Draft(
                    kind=FindingKind.OVER_FORECAST,
                    subject=adoption.model.vendor_model_id,
                    amount=None,
                    holds=False,
                    detail=(
                        f"{adoption.model.name} {month.course(projected, today, again=True)} "
                        f"against a forecast of {money(forecast)} "
                        f"({(projected - forecast) * 100 / forecast:+.0f} %)."
                    ),
                )
            )
            continue
        drafts.append(
            Draft(
                kind=FindingKind.OVER_FORECAST,
                subject=adoption.model.vendor_model_id,
                model_id=adoption.model_id,
                amount=projected.quantize(CENTS),
                detail=(
                    f"{adoption.model.name} {month.course(projected, today)} "
                    f"against a forecast of {money(forecast)} "
                    f"({(projected - forecast) * 100 / forecast:+.0f} %)."
                ),
            )
        )
    budget = month.unit.monthly_budget
    projected = month.projected(month.actual, today)
    if budget is not None:
        over = projected > budget
        drafts.append(
            Draft(
                kind=FindingKind.OVER_BUDGET,
                subject="",
                amount=projected.quantize(CENTS) if over else None,
                holds=over,
                detail=(
                    f"{month.unit.name} {month.course(projected, today, again=not over)} "
                    f"against a budget of {money(budget)}."
                ),
            )
        )
    return drafts


def _record(
    month: Month, drafts: list[Draft], stored: list[UsageFinding]
) -> tuple[list[UsageFinding], list[UsageFinding]]:
    """New findings are inserted (a concurrent run's duplicate is ignored by the unique key)
    and returned to be told, as are resolved ones that hold again (reopened, returned second)
    unless a person resolved them; open and acknowledged ones get their figures updated, and
    those that no longer hold are resolved, saying why. `stored`: the month's findings so far.
    Two queries at most."""
    known = {(f.kind, f.subject): f for f in stored}
    now = timezone.now()
    fresh, changed, told = [], [], []
    verdicts = {(d.kind, d.subject): d for d in drafts}
    for key, draft in verdicts.items():
        finding = known.get(key)
        if not draft.holds:
            continue
        if finding is None:
            fresh.append(
                UsageFinding(
                    kind=draft.kind, unit=month.unit, month=month.start, subject=draft.subject,
                    detail=draft.detail, amount=draft.amount, model_id=draft.model_id,
                    source_id=draft.source_id,
                )
            )  # fmt: skip
        elif finding.status == FindingStatus.RESOLVED and finding.resolved_by_id is not None:
            continue  # a person resolved it with a reason: it stays so for its month
        elif finding.status == FindingStatus.RESOLVED:
            finding.status, finding.resolved_at, finding.resolution = FindingStatus.OPEN, None, ""
            finding.detail, finding.amount, finding.updated_at = draft.detail, draft.amount, now
            changed.append(finding)
            told.append(finding)
        elif (finding.detail, finding.amount) != (draft.detail, draft.amount):
            finding.detail, finding.amount, finding.updated_at = draft.detail, draft.amount, now
            changed.append(finding)
    for key, finding in known.items():
        verdict = verdicts.get(key)
        if finding.status != FindingStatus.RESOLVED and (verdict is None or not verdict.holds):
            finding.status, finding.resolved_at, finding.updated_at = (
                FindingStatus.RESOLVED, now, now,
            )  # fmt: skip
            finding.resolution = (
                verdict.detail if verdict else GONE[finding.kind].format(subject=finding.subject)
            )[:500]
            changed.append(finding)
    UsageFinding.objects.bulk_create(fresh, ignore_conflicts=True)
    UsageFinding.objects.bulk_update(
        changed, ["detail", "amount", "status", "resolved_at", "resolution", "updated_at"]
    )
    return fresh, told


def _tell(raised: list[UsageFinding], *, again: set[int]) -> None:
    """One message per unit with its new findings, to its managers and the approvers."""
    if not raised:
        return
    approvers = list(User.objects.approvers())
    by_unit: dict[int, list[UsageFinding]] = defaultdict(list)
    for finding in raised:
        by_unit[finding.unit_id].append(finding)
    managers = managers_by_unit(by_unit)
    for unit_id, findings in by_unit.items():
        unit = findings[0].unit
        notify(
            recipients=[*managers[unit_id], *approvers],
            subject=f"{len(findings)} usage finding(s) for {unit.name}",
            url=reverse("catalog:unit_detail", args=[unit.slug]) + "#unit-usage",
            body="\n".join(
                f"- {f.get_kind_display()}{' (again)' if f.pk in again else ''}: {f.detail}"
                for f in findings
            ),
        )
