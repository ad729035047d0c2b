"""Right-sizing: the cheapest approved model that does the job, and what a unit could save.

Eligible = on the company's list (approved, or restricted to the asking unit), not retired, not
down, cleared for the data, the right specialty, enough context, priced per token, and above any
quality floor. Deprecated models only when nothing else fits, flagged. Ranked by estimated
monthly cost (the expected cache share of the input at each model's cache-read rate); ties go to
the smaller size class.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import BusinessUnit
from catalog.choices import (
    AvailabilityStatus,
    DataClassification,
    ModelStatus,
    SizeClass,
)
from catalog.models import Adoption, AIModel, Evaluation
from catalog.models.adoptions import monthly_cost

ON_THE_LIST = [
    ModelStatus.APPROVED,
    ModelStatus.RESTRICTED,
    ModelStatus.DEPRECATED,
    ModelStatus.RETIRED,
]
# The specialties that say what a model does (as opposed to capability flags like vision).
TASK_SPECIALTIES = [
    "embedding",
    "rerank",
    "image-generation",
    "audio",
    "moderation",
    "code",
    "chat",
]


@dataclass(frozen=True)
class Need:
    """What a use case needs; token volumes are per month."""

    specialty: str
    monthly_input_tokens: int = 0
    monthly_output_tokens: int = 0
    # Share (0..1) of the input tokens expected to be cache reads, priced at each model's
    # cache-read rate (at its input rate where that is unknown: no discount assumed).
    cache_share: Decimal = Decimal(0)
    min_context: int = 0
    data_classification: str = DataClassification.INTERNAL
    unit: BusinessUnit | None = None
    min_scores: tuple[tuple[str, Decimal], ...] = ()
    # Who asks: a unit's private evaluations count for that unit only, and only for people
    # who may see them (None: shared evaluations alone).
    viewer: Any = None


@dataclass
class Candidate:
    model: AIModel
    estimated_monthly_cost: Decimal | None = None
    reasons: list[str] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)
    deprecated: bool = False


@dataclass
class Recommendations:
    results: list[Candidate]
    excluded: list[Candidate]


def _candidates(specialty: str, evidence: QuerySet[Evaluation]) -> list[AIModel]:
    return list(
        AIModel.objects.filter(status__in=ON_THE_LIST, specialties__slug=specialty)
        .select_related("vendor", "successor")
        .prefetch_related(
            "specialties",
            "allowed_units",
            Prefetch("evaluations", queryset=evidence.order_by("-score")),
        )
        .distinct()
        .order_by("name", "id")
    )


def _judge(model: AIModel, need: Need, today: date) -> Candidate:
    """Every rule applied to one model; a model that breaks any is excluded with all reasons."""
    c = Candidate(model=model)
    if model.status == ModelStatus.RETIRED or (
        model.retirement_date is not None and model.retirement_date <= today
    ):
        c.exclusions.append("retired")
    if model.status == ModelStatus.RESTRICTED:
        if need.unit is None or need.unit not in model.allowed_units.all():
            c.exclusions.append("restricted to other units")
        else:
            c.reasons.append(f"restricted model cleared for {need.unit.name}")
    if model.availability_status == AvailabilityStatus.DOWN:
        c.exclusions.append("down at the last availability check")
    cleared = DataClassification.rank(model.max_data_classification)
    if cleared < DataClassification.rank(need.data_classification):
        c.exclusions.append(f"cleared only for {model.max_data_classification} data")
    else:
        c.reasons.append(f"cleared for {need.data_classification} data")
    if need.min_context:
        if model.context_window is None:
            c.exclusions.append("context window unknown")
        elif model.context_window < need.min_context:
            c.exclusions.append(f"context {model.context_window:,} < {need.min_context:,}")
        else:
            c.reasons.append(f"context {model.context_window:,} ≥ {need.min_context:,}")
    for task, floor in need.min_scores:
        best = next((e for e in model.evaluations.all() if e.task == task), None)
        if best is None:
            c.exclusions.append(f"no {task} evaluation")
        elif best.score < floor:
            c.exclusions.append(f"{task} {best.score} < {floor}")
        else:
            c.reasons.append(f"{task} {best.metric} {best.score} ≥ {floor} ({best.source})")
    # Unpriced: no per-token price, or one the volumes need is unknown (never taken as $0).
    c.estimated_monthly_cost = monthly_cost(
        model, need.monthly_input_tokens, need.monthly_output_tokens, need.cache_share
    )
    if c.estimated_monthly_cost is None:
        c.exclusions.append("unpriced")
    if model.status == ModelStatus.DEPRECATED or (
        model.deprecation_date is not None and model.deprecation_date <= today
    ):
        c.deprecated = True
        successor = f"; successor {model.successor.name}" if model.successor else ""
        c.reasons.append(f"deprecated{successor}")
    return c


def _rank(candidate: Candidate) -> tuple[Decimal, int, str]:
    cost = candidate.estimated_monthly_cost
    assert cost is not None
    return cost, SizeClass.rank(candidate.model.size_class), candidate.model.name


def recommend(need: Need, *, limit: int = 10) -> Recommendations:
    """The eligible models for `need`, cheapest first, and the excluded ones with their reasons."""
    today = timezone.localdate()
    evidence = Evaluation.objects.evidence(
        viewer=need.viewer, unit_id=need.unit.pk if need.unit else None
    )
    judged = [_judge(model, need, today) for model in _candidates(need.specialty, evidence)]
    eligible = [c for c in judged if not c.exclusions]
    excluded = [c for c in judged if c.exclusions]
    current = [c for c in eligible if not c.deprecated]
    if current:
        for c in eligible:
            if c.deprecated:
                c.exclusions.append("deprecated, and current models fit")
                excluded.append(c)
        eligible = current
    eligible.sort(key=_rank)
    for position, c in enumerate(eligible):
        c.reasons.insert(0, "cheapest eligible" if position == 0 else f"#{position + 1} by cost")
    return Recommendations(results=eligible[:limit], excluded=excluded)


@dataclass
class Saving:
    adoption: Adoption
    current_cost: Decimal | None
    alternative: Candidate | None
    monthly_saving: Decimal | None
    successor: AIModel | None
    # What switching to the alternative gives up, in plain words (empty: nothing known).
    trade_offs: list[str] = field(default_factory=list)


def _tokens(count: int) -> str:
    """A token count as people say it: 128K, 1M, 1.5M."""
    for size, suffix in ((1_000_000, "M"), (1_000, "K")):
        if count >= size:
            return f"{count / size:.1f}".removesuffix(".0") + suffix
    return str(count)


def _size(model: AIModel) -> str:
    """ "Medium (15–100B)" → "medium"."""
    return str(model.get_size_class_display()).split(" (")[0].lower()


def _best_scores(model: AIModel) -> dict[str, Evaluation]:
    best: dict[str, Evaluation] = {}
    for e in model.evaluations.all():
        if e.task not in best or e.score > best[e.task].score:
            best[e.task] = e
    return best


def trade_offs(adopted: AIModel, alternative: AIModel, today: date) -> list[str]:
    """What a unit gives up by moving from `adopted` to `alternative`, for a manager to weigh
    against the saving: every fact the catalog knows that is worse, none that is equal."""
    lost: list[str] = []
    a, b = adopted, alternative
    if a.context_window and not b.context_window:
        lost.append("context window unknown")
    elif a.context_window and b.context_window and b.context_window < a.context_window:
        lost.append(
            f"smaller context window ({_tokens(b.context_window)} instead of "
            f"{_tokens(a.context_window)} tokens)"
        )
    if a.max_output_tokens and b.max_output_tokens and b.max_output_tokens < a.max_output_tokens:
        lost.append(
            f"shorter answers (at most {_tokens(b.max_output_tokens)} tokens instead of "
            f"{_tokens(a.max_output_tokens)})"
        )
    size_a, size_b = SizeClass.rank(a.size_class), SizeClass.rank(b.size_class)
    if a.size_class and b.size_class and size_b < size_a:
        lost.append(
            f"a smaller model ({_size(b)} instead of {_size(a)}): may handle hard tasks less well"
        )
    theirs = _best_scores(b)
    unevaluated = []
    for task, mine in sorted(_best_scores(a).items()):
        other = theirs.get(task)
        if other is None:
            unevaluated.append(task)
        elif other.metric == mine.metric and other.score < mine.score:
            lost.append(
                f"lower {task} score ({other.score.normalize()} instead of "
                f"{mine.score.normalize()} {mine.metric})"
            )
    if unevaluated:
        lost.append(f"no evaluation for {', '.join(unevaluated)} (the current model has scores)")
    for side, mine_m, theirs_m in (
        ("input", a.input_modalities, b.input_modalities),
        ("output", a.output_modalities, b.output_modalities),
    ):
        missing = sorted(set(mine_m or []) - set(theirs_m or []))
        if missing:
            lost.append(f"no {', '.join(missing)} {side}")
    if DataClassification.rank(b.max_data_classification) < DataClassification.rank(
        a.max_data_classification
    ):
        lost.append(
            f"cleared only for {b.get_max_data_classification_display().lower()} data "
            f"(the current model: {a.get_max_data_classification_display().lower()})"
        )
    retires_b = b.deprecation_date or b.retirement_date
    retires_a = a.deprecation_date or a.retirement_date
    if retires_b and (retires_a is None or retires_b < retires_a):
        verb = "deprecates" if b.deprecation_date else "retires"
        when = (
            "already deprecated"
            if retires_b < today
            else f"{verb} {retires_b.day} {retires_b:%b %Y}"
        )
        lost.append(f"an earlier end of life ({when}): another switch will follow")
    if b.status == ModelStatus.RESTRICTED and a.status != ModelStatus.RESTRICTED:
        lost.append("restricted to named units")
    checked = {AvailabilityStatus.UP, AvailabilityStatus.DEGRADED, AvailabilityStatus.DOWN}
    if b.availability_status == AvailabilityStatus.NOT_MONITORED and a.availability_status in (
        checked
    ):
        lost.append("not monitored: its vendor gives no way to check it is up")
    elif b.availability_status == AvailabilityStatus.DEGRADED and (
        a.availability_status == AvailabilityStatus.UP
    ):
        lost.append("degraded at the last check")
    if a.open_weights and not b.open_weights:
        lost.append("no open weights: it cannot be run in-house")
    if a.regions and b.regions:
        missing_regions = sorted(set(a.regions) - set(b.regions))
        if missing_regions:
            lost.append(f"not offered in {', '.join(missing_regions)}")
    if a.vendor_id != b.vendor_id:
        lost.append(
            f"another vendor ({b.vendor.name} instead of {a.vendor.name}): new terms and keys"
        )
    return lost


def task_specialty(model: AIModel) -> str | None:
    """What the model is adopted for: its most specific task specialty (code before chat)."""
    slugs = {s.slug for s in model.specialties.all()}
    return next((slug for slug in TASK_SPECIALTIES if slug in slugs), None)


def _covers(alternative: AIModel, adopted: AIModel) -> bool:
    """The alternative does all the adopted model was chosen for: every specialty (a
    multilingual embedder is not replaced by an English-only one) and every modality in and
    out (chat with vision is not replaced by chat alone)."""
    return (
        {s.slug for s in adopted.specialties.all()}
        <= {s.slug for s in alternative.specialties.all()}
        and set(adopted.input_modalities or []) <= set(alternative.input_modalities or [])
        and set(adopted.output_modalities or []) <= set(alternative.output_modalities or [])
        and (_multilingual(alternative) or not _multilingual(adopted))
    )


def _multilingual(model: AIModel) -> bool:
    """Languages are no catalog field: vendors say "multilingual" in the model's name or id."""
    return "multilingual" in f"{model.name} {model.vendor_model_id}".lower()


def unit_savings(unit: BusinessUnit) -> list[Saving]:
    """Per allow-listed adoption, the cheapest eligible alternative of the same specialty with at
    least the adopted model's context, specialties and modalities, and the monthly saving;
    deprecated models get their successor. An adoption or alternative whose cost is unknown has
    no saving."""
    adoptions = (
        Adoption.objects.callable_now()
        .filter(unit=unit)
        .select_related("model__vendor", "model__successor", "approval")
        .prefetch_related(
            "model__specialties",
            # The unit's page and API are every employee's: shared evaluations only.
            Prefetch(
                "model__evaluations",
                queryset=Evaluation.objects.filter(unit__isnull=True).order_by("-score"),
            ),
        )
        .order_by("model__name")
    )
    by_specialty: dict[tuple[str, str], list[Candidate]] = {}
    savings = []
    today = timezone.localdate()
    for adoption in adoptions:
        model = adoption.model
        current = adoption.estimated_monthly_cost
        specialty = task_specialty(model)
        classification = (
            adoption.approval.data_classification
            if adoption.approval
            else DataClassification.INTERNAL
        )
        best = None
        if specialty is not None:
            key = (specialty, classification)
            if key not in by_specialty:
                need = Need(specialty=specialty, data_classification=classification, unit=unit)
                shared = Evaluation.objects.filter(unit__isnull=True)
                by_specialty[key] = [_judge(m, need, today) for m in _candidates(specialty, shared)]
            fitting = [
                c
                for c in by_specialty[key]
                if not c.exclusions
                and not c.deprecated
                and c.model.pk != model.pk
                and (model.context_window or 0) <= (c.model.context_window or 0)
                and _covers(c.model, model)
            ]
            priced = [
                (
                    monthly_cost(
                        c.model,
                        adoption.expected_monthly_input_tokens,
                        adoption.expected_monthly_output_tokens,
                        adoption.expected_cache_share,
                    ),
                    c,
                )
                for c in fitting
            ]
            priced = [(cost, c) for cost, c in priced if cost is not None]
            if priced:
                cost, cheapest = min(
                    priced, key=lambda pc: (pc[0], SizeClass.rank(pc[1].model.size_class))
                )
                # A copy: the judged candidates are shared between adoptions of the same need.
                best = Candidate(
                    model=cheapest.model, estimated_monthly_cost=cost, reasons=cheapest.reasons
                )
        saving = None
        if best is not None and current is not None:
            assert best.estimated_monthly_cost is not None
            saving = current - best.estimated_monthly_cost
            if saving <= 0:
                best, saving = None, None
        deprecated = model.status == ModelStatus.DEPRECATED or bool(
            model.deprecation_date and model.deprecation_date <= today
        )
        savings.append(
            Saving(
                adoption=adoption,
                current_cost=current,
                alternative=best,
                monthly_saving=saving,
                successor=model.successor if deprecated else None,
                trade_offs=trade_offs(model, best.model, today) if best is not None else [],
            )
        )
    return savings
