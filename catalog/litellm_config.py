"""A unit's allow-list as LiteLLM reads it: the proxy's `model_list` with `router_settings`
(`?format=litellm`) and the body of `POST /team/update` (`?format=litellm-team`).

Each adoption the unit may call now becomes one deployment named as the unit's apps call it
(`Adoption.gateway_name`: its alias, else the catalog slug), with its tpm/rpm limits exactly
when set. A deprecated model whose successor the unit has adopted too falls back to it
(`router_settings.fallbacks`). When a model retires, the aliases of its in-force adoptions move
to the successor's deployment if the unit has adopted the successor (the apps calling the alias
keep working), and leave the list otherwise; a slug names one model exactly and leaves with it.

The gateways app reads the same names (`unit_exports`), so what it checks a gateway against is
what this export hands the gateway.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Aggregate, OuterRef, Q, QuerySet, Subquery, TextField
from django.utils import timezone

from catalog.choices import AdoptionStatus, ApiKind, ModelStatus, PriceUnit
from catalog.models import Adoption

MILLION = Decimal(1_000_000)
# The annotation `adoptions_for_export` adds: the aliases moved to this adoption's model.
INHERITED = "inherited_aliases"
BUDGET_DURATION = "30d"  # LiteLLM resets a team's spend this often: a budget is monthly
# What an export reads of each adoption (and the allow-list's fingerprint hashes).
EXPORT_FIELDS = (
    "id",
    "unit__slug",
    "unit__monthly_budget",
    "use_case",
    "expires_at",
    "alias",
    "tpm_limit",
    "rpm_limit",
    "monthly_budget",
    "model__slug",
    "model__status",
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


class _Names(Aggregate):
    """Space-separated aliases, sorted (aliases hold no spaces): STRING_AGG or GROUP_CONCAT."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ' ' ORDER BY %(expressions)s)"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, ' ')",
            **extra,
        )


def retired_q(now: datetime, prefix: str = "model__") -> Q:
    """The model is retired: by status, or its retirement date has come."""
    return Q(**{f"{prefix}status": ModelStatus.RETIRED}) | Q(
        **{f"{prefix}retirement_date__lte": timezone.localdate(now)}
    )


def inherited_aliases(now: datetime) -> Subquery:
    """Per adoption: the aliases of its unit's in-force adoptions of retired models whose
    successor is this adoption's model (space-separated; NULL for none)."""
    retired = (
        Adoption.objects.in_force(now)
        .filter(
            retired_q(now), unit_id=OuterRef("unit_id"), model__successor_id=OuterRef("model_id")
        )
        .exclude(alias="")
        .order_by()
        .values("unit_id")
        .annotate(names=_Names("alias"))
        .values("names")
    )
    return Subquery(retired, output_field=TextField())


def with_inherited(adoptions: QuerySet[Adoption], now: datetime) -> QuerySet[Adoption]:
    """The allow-list's rows annotated with INHERITED."""
    return adoptions.annotate(**{INHERITED: inherited_aliases(now)})


def unit_exports(unit_ids: Collection[int], now: datetime) -> dict[int, list[Adoption]]:
    """Each unit's allow-list rows as the export reads them, for many units in one query."""
    rows: dict[int, list[Adoption]] = defaultdict(list)
    adoptions = (
        Adoption.objects.callable_now(now)
        .filter(unit_id__in=unit_ids)
        .select_related("unit", "model__vendor", "model__successor")
        .only(*EXPORT_FIELDS, "unit_id")
        .order_by("model__name", "id")
    )
    for adoption in with_inherited(adoptions, now):
        rows[adoption.unit_id].append(adoption)
    return rows


def past_names(unit_ids: Collection[int], now: datetime) -> dict[int, set[str]]:
    """Names each unit's apps called and may no longer: its revoked, expired or retired
    adoptions' aliases and slugs, in one query (the gateway check asks that they be refused)."""
    ended = Q(status__in=[AdoptionStatus.REVOKED, AdoptionStatus.EXPIRED]) | Q(
        status=AdoptionStatus.ACTIVE, expires_at__lte=now
    )
    rows = (
        Adoption.objects.filter(unit_id__in=unit_ids)
        .filter(ended | retired_q(now))
        .values_list("unit_id", "alias", "model__slug")
    )
    names: dict[int, set[str]] = defaultdict(set)
    for unit_id, alias, slug in rows:
        names[unit_id].add(alias or slug)
    return names


def names_of(adoption: Adoption) -> list[str]:
    """Every name the adoption is served under: its own, then the aliases moved to it."""
    inherited = getattr(adoption, INHERITED, None) or ""
    return [adoption.gateway_name, *sorted(set(inherited.split()))]


def export_names(adoptions: Iterable[Adoption]) -> set[str]:
    """The `model_name`s of the unit's export: what its team's `models` must be."""
    return {name for adoption in adoptions for name in names_of(adoption)}


def deployment(adoption: Adoption, name: str) -> dict[str, Any]:
    """One `model_list` entry for an adoption (its model, vendor and successor loaded)."""
    model, vendor = adoption.model, adoption.model.vendor
    provider_model = model.vendor_model_id
    if not provider_model.startswith(f"{vendor.slug}/"):
        provider_model = f"{vendor.slug}/{provider_model}"
    params: dict[str, Any] = {"model": provider_model}
    if vendor.api_key_env:
        params["api_key"] = f"os.environ/{vendor.api_key_env}"
    # OpenAI-compatible bases end with /v1 as LiteLLM expects; others keep LiteLLM's defaults.
    if vendor.api_kind == ApiKind.OPENAI and vendor.api_base_url:
        params["api_base"] = vendor.api_base_url
    if adoption.tpm_limit is not None:
        params["tpm"] = adoption.tpm_limit
    if adoption.rpm_limit is not None:
        params["rpm"] = adoption.rpm_limit
    if model.price_unit == PriceUnit.PER_MTOK:
        for side in ("input", "output"):
            price = getattr(model, f"{side}_price_per_mtok")
            if price is not None:
                params[f"{side}_cost_per_token"] = (price / MILLION).normalize()
    info: dict[str, Any] = {
        "modelshelf_model": model.slug,
        "business_unit": adoption.unit.slug,
        "use_case": adoption.use_case,
        "expires_at": adoption.expires_at.isoformat(),
    }
    # A deprecated model stays until retirement; the gateway learns when and what replaces it.
    if model.deprecation_date is not None:
        info["deprecation_date"] = model.deprecation_date.isoformat()
    if model.retirement_date is not None:
        info["retirement_date"] = model.retirement_date.isoformat()
    if model.successor is not None:
        info["successor"] = model.successor.slug
    if name != adoption.gateway_name:
        info["replaces"] = name  # an alias moved here from a retired model
    return {"model_name": name, "litellm_params": params, "model_info": info}


def _deprecated(adoption: Adoption, today: date) -> bool:
    model = adoption.model
    return model.status == ModelStatus.DEPRECATED or (
        model.deprecation_date is not None and model.deprecation_date <= today
    )


def model_list(adoptions: Iterable[Adoption], now: datetime) -> dict[str, Any]:
    """The proxy config: `model_list`, and `router_settings.fallbacks` from each deprecated
    model's name to its successor's when the unit has adopted both."""
    rows = list(adoptions)
    today = timezone.localdate(now)
    by_slug = {adoption.model.slug: adoption for adoption in rows}
    deployments, fallbacks = [], []
    for adoption in rows:
        deployments += [deployment(adoption, name) for name in names_of(adoption)]
        successor = adoption.model.successor
        if successor is not None and successor.slug in by_slug and _deprecated(adoption, today):
            fallbacks.append({adoption.gateway_name: [by_slug[successor.slug].gateway_name]})
    config: dict[str, Any] = {"model_list": deployments}
    if fallbacks:
        config["router_settings"] = {"fallbacks": fallbacks}
    return config


def _total(values: list[Any]) -> Any:
    """The sum when every part is known; None (no limit) when any adoption has none."""
    if not values or any(value is None for value in values):
        return None
    return sum(values)


def team_body(
    adoptions: Iterable[Adoption], *, team_id: str, unit_budget: Decimal | None
) -> dict[str, Any]:
    """The body of LiteLLM's `POST /team/update` that makes the team serve exactly the unit's
    export: its names, the team-wide tpm/rpm (the sum of its adoptions' when each has one),
    and the unit's monthly budget (else the sum of its adoptions' when each has one)."""
    rows = list(adoptions)
    budget = unit_budget if unit_budget is not None else _total([a.monthly_budget for a in rows])
    body: dict[str, Any] = {
        "team_id": team_id,
        "models": sorted(export_names(rows)),
        "tpm_limit": _total([a.tpm_limit for a in rows]),
        "rpm_limit": _total([a.rpm_limit for a in rows]),
        "max_budget": budget,
        "budget_duration": BUDGET_DURATION if budget is not None else None,
    }
    if not body["models"]:
        # LiteLLM reads a team with no models as one that may call every model.
        body["blocked"] = True
    return body
