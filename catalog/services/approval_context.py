"""What an approver needs beside a pending request (issue 28, item 5): the unit's current
models for the same specialty, its forecast against budget if this is approved, and a warning
when the unit already uses, or has also asked for, a model for the same use case.

Read for the whole queue at once: one query for the units' adoptions (their models'
specialties prefetched), however many requests wait.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from catalog.choices import RequestStatus
from catalog.models import Adoption, ApprovalRequest, Specialty
from catalog.services.budgets import Forecast, unit_forecast


@dataclass
class ApprovalContext:
    """The unit as it stands, and what approving would change."""

    same_specialty: list[Adoption]
    forecast: Forecast
    with_this: Decimal | None
    over_budget_with_this: bool
    budget_percent_with_this: int | None
    same_use_case_adopted: list[Adoption] = field(default_factory=list)
    same_use_case_pending: list[ApprovalRequest] = field(default_factory=list)


def _use_case(text: str) -> str:
    return " ".join(text.lower().split())


def approval_contexts(
    requests: Sequence[ApprovalRequest], pending: Sequence[ApprovalRequest] = ()
) -> dict[int, ApprovalContext]:
    """For each pending request in `requests`, its context; `pending` is every pending request
    (the queue), read for duplicates among them. The requests' models must have their
    specialties prefetched."""
    waiting = [r for r in requests if r.status == RequestStatus.PENDING]
    if not waiting:
        return {}
    by_unit: dict[int, list[Adoption]] = defaultdict(list)
    for adoption in (
        Adoption.objects.callable_now()
        .filter(unit_id__in={r.unit_id for r in waiting})
        .select_related("model")
        .prefetch_related(Prefetch("model__specialties", queryset=Specialty.objects.only("id")))
        .order_by("model__name")
    ):
        by_unit[adoption.unit_id].append(adoption)
    found = {}
    for request in waiting:
        adoptions = by_unit[request.unit_id]
        wanted = {s.pk for s in request.model.specialties.all()}
        forecast = unit_forecast(request.unit, adoptions)
        cost = request.estimated_monthly_cost
        with_this = None if cost is None else forecast.total + cost
        budget = forecast.budget
        found[request.pk] = ApprovalContext(
            same_specialty=[
                a
                for a in adoptions
                if wanted & {s.pk for s in a.model.specialties.all()}
                and a.model_id != request.model_id
            ],
            forecast=forecast,
            with_this=with_this,
            over_budget_with_this=bool(budget is not None and with_this and with_this > budget),
            budget_percent_with_this=round(with_this * 100 / budget)
            if budget and with_this is not None
            else None,
            same_use_case_adopted=[
                a for a in adoptions if _use_case(a.use_case) == _use_case(request.use_case)
            ],
            same_use_case_pending=[
                other
                for other in pending
                if other.pk != request.pk
                and other.unit_id == request.unit_id
                and other.status == RequestStatus.PENDING
                and _use_case(other.use_case) == _use_case(request.use_case)
            ],
        )
    return found
