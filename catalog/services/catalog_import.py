"""Import LiteLLM's cost map into the catalog: vendors, models, specialties, first prices.

One transaction: a malformed file writes nothing. Idempotent: models are matched by the
cost-map key (`price_source_key`), so a second run changes nothing; a changed price writes one
PriceObservation and, as a sync does, tells the units using the model (so does a new
deprecation date).
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from catalog.choices import ApiKind, Deployment, ModelStatus, PriceSource
from catalog.counts import catalog_changed
from catalog.models import AIModel, PriceObservation, Specialty, Vendor
from catalog.models.costs import COMPONENT_FIELDS
from catalog.services.notices import ModelEvent, model_events_notify
from catalog.services.planner import analyze
from catalog.services.prices import price_change_text
from catalog.vendors.litellm import CostMapEntry, parse_cost_map
from core.choices import JobKind
from core.models import JobRun

T = TypeVar("T")
LITELLM_URL = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)
BATCH = 500

# Display names and API details for well-known providers; anything else gets a title-cased name.
KNOWN_VENDORS: dict[str, dict[str, str]] = {
    "openai": {
        "name": "OpenAI",
        "website": "https://openai.com",
        "api_kind": ApiKind.OPENAI,
        "api_base_url": "https://api.openai.com/v1",
        "api_key_env": "OPENAI_API_KEY",
    },
    "anthropic": {
        "name": "Anthropic",
        "website": "https://www.anthropic.com",
        "api_kind": ApiKind.ANTHROPIC,
        "api_base_url": "https://api.anthropic.com/v1",
        "api_key_env": "ANTHROPIC_API_KEY",
    },
    "mistral": {"name": "Mistral AI", "website": "https://mistral.ai"},
    "cohere": {"name": "Cohere", "website": "https://cohere.com"},
    "cohere_chat": {"name": "Cohere (chat)", "website": "https://cohere.com"},
    "gemini": {"name": "Google Gemini", "website": "https://ai.google.dev"},
    "bedrock": {"name": "AWS Bedrock", "website": "https://aws.amazon.com/bedrock/"},
    "bedrock_converse": {
        "name": "AWS Bedrock Converse",
        "website": "https://aws.amazon.com/bedrock/",
    },
    "azure": {"name": "Azure OpenAI", "website": "https://azure.microsoft.com"},
    "azure_ai": {"name": "Azure AI Foundry", "website": "https://azure.microsoft.com"},
    "vertex_ai-anthropic_models": {
        "name": "Vertex AI (Anthropic)",
        "website": "https://cloud.google.com/vertex-ai",
    },
    "voyage": {"name": "Voyage AI", "website": "https://www.voyageai.com"},
    "deepseek": {"name": "DeepSeek", "website": "https://www.deepseek.com"},
    "xai": {"name": "xAI", "website": "https://x.ai"},
    "fireworks_ai": {"name": "Fireworks AI", "website": "https://fireworks.ai"},
    "together_ai": {"name": "Together AI", "website": "https://www.together.ai"},
    "databricks": {"name": "Databricks", "website": "https://www.databricks.com"},
    "text-completion-openai": {"name": "OpenAI (completions)", "website": "https://openai.com"},
}
CLOUD_PROVIDERS = re.compile(
    r"^(bedrock|azure|vertex_ai|oci|databricks|snowflake|watsonx|sagemaker)"
)
SELF_HOSTED_PROVIDERS = {"ollama", "vllm", "lm_studio", "llamafile"}


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    price_changes: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def __str__(self) -> str:
        skipped = sum(self.skipped.values())
        return (
            f"created {self.created}, updated {self.updated} ({self.price_changes} price changes), "
            f"unchanged {self.unchanged}, skipped {skipped}"
        )


def _identity(items: Iterable[T]) -> Iterable[T]:
    return items


# Words a provider key title-cases wrongly ("vertex_ai" → "Vertex Ai").
ACRONYMS = {"ai", "api", "aws", "gcp", "ibm", "llm", "nlp", "gpu", "ovh", "sap", "nvidia"}


def vendor_display_name(provider: str) -> str:
    """A provider key as a vendor name, acronyms in capitals: "fireworks_ai" → "Fireworks AI"."""
    words = provider.replace("_", " ").replace("-", " ").split()
    return " ".join(w.upper() if w.lower() in ACRONYMS else w.capitalize() for w in words)


def _vendor_defaults(provider: str) -> dict[str, str]:
    known = KNOWN_VENDORS.get(provider, {})
    return {
        "name": known.get("name", vendor_display_name(provider)),
        "website": known.get("website", ""),
        "api_kind": known.get("api_kind", ApiKind.NONE),
        "api_base_url": known.get("api_base_url", ""),
        "api_key_env": known.get("api_key_env", ""),
        "price_source": PriceSource.LITELLM,
        "price_source_url": LITELLM_URL,
    }


def _deployment(provider: str) -> str:
    if provider in SELF_HOSTED_PROVIDERS:
        return Deployment.SELF_HOSTED
    if CLOUD_PROVIDERS.match(provider):
        return Deployment.CLOUD
    return Deployment.VENDOR_API


def _slugs(taken: set[str]) -> Callable[[str], str]:
    def make(key: str) -> str:
        base = slugify(re.sub(r"[/.:@_]+", "-", key))[:190].strip("-") or "model"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        return slug

    return make


# Fields the cost map owns; curation (status, size, clearance…) is never overwritten by a re-import.
SOURCE_FIELDS = (
    *COMPONENT_FIELDS.values(),
    "context_window",
    "max_output_tokens",
    "input_modalities",
    "output_modalities",
    "deprecation_date",
)


def _source_values(entry: CostMapEntry) -> dict[str, object]:
    return {
        **entry.components.as_fields(),
        "context_window": entry.context_window,
        "max_output_tokens": entry.max_output_tokens,
        "input_modalities": entry.input_modalities,
        "output_modalities": entry.output_modalities,
        "deprecation_date": entry.deprecation_date,
    }


def _batched(items: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


@transaction.atomic
def models_import_litellm(
    *, raw: object, track: Callable[[Iterable[CostMapEntry]], Iterable[CostMapEntry]] = _identity
) -> ImportSummary:
    """Create or refresh every model of a LiteLLM cost map. Raises CostMapError, writing nothing."""
    now = timezone.now()
    run = JobRun.objects.create(kind=JobKind.IMPORT_MODELS, started_at=now)
    entries = list(parse_cost_map(raw))
    summary = ImportSummary()
    specialties = {s.slug: s.pk for s in Specialty.objects.all()}

    vendors = {v.slug: v for v in Vendor.objects.all()}
    for provider in sorted({e.provider for e in entries if not e.skip_reason}):
        if provider not in vendors:
            vendors[provider] = Vendor.objects.create(slug=provider, **_vendor_defaults(provider))

    existing = {
        m.price_source_key: m
        for m in AIModel.objects.filter(vendor__price_source=PriceSource.LITELLM).prefetch_related(
            "specialties"
        )
    }
    taken_ids = set(AIModel.objects.values_list("vendor_id", "vendor_model_id"))
    new_slug = _slugs(set(AIModel.objects.values_list("slug", flat=True)))
    to_create: list[tuple[AIModel, list[str]]] = []
    to_update: list[AIModel] = []
    specialty_changes: list[tuple[AIModel, list[str]]] = []
    observations: list[PriceObservation] = []
    events: list[ModelEvent] = []

    for entry in track(entries):
        if reason := entry.skip_reason:
            summary.skipped[reason] += 1
            continue
        values = _source_values(entry)
        model = existing.get(entry.key)
        if model is None:
            vendor = vendors[entry.provider]
            if (vendor.pk, entry.vendor_model_id) in taken_ids:
                summary.skipped[f"duplicate model id at {vendor.slug}"] += 1
                continue
            taken_ids.add((vendor.pk, entry.vendor_model_id))
            model = AIModel(
                vendor=vendor,
                name=entry.vendor_model_id.rsplit("/", 1)[-1],
                slug=new_slug(entry.key),
                vendor_model_id=entry.vendor_model_id,
                price_source_key=entry.key,
                status=ModelStatus.UNDER_REVIEW,
                deployment=_deployment(entry.provider),
                regions=entry.regions,
                model_card_url=entry.source_url,
                price_checked_at=now if (entry.input_price or entry.output_price) else None,
                **values,
            )
            to_create.append((model, entry.specialties))
            summary.created += 1
            continue
        price_changed = model.price_components != entry.components
        fields_changed = any(getattr(model, name) != values[name] for name in SOURCE_FIELDS)
        current_specialties = sorted(s.slug for s in model.specialties.all())
        specialties_changed = current_specialties != sorted(entry.specialties)
        if not (fields_changed or specialties_changed):
            summary.unchanged += 1
            continue
        summary.updated += 1
        old_in, old_out = model.input_price_per_mtok, model.output_price_per_mtok
        old_deprecation = model.deprecation_date
        if fields_changed:
            for name, value in values.items():
                setattr(model, name, value)
            to_update.append(model)
        if specialties_changed:
            specialty_changes.append((model, entry.specialties))
        if price_changed:
            model.price_checked_at = now
            summary.price_changes += 1
            observations.append(_observation(model, now))
            text = price_change_text(old_in, old_out, model)
            events.append(ModelEvent(model, "price", text, old_in, old_out))
        if model.deprecation_date and model.deprecation_date != old_deprecation:
            text = f"deprecated on {model.deprecation_date}"
            events.append(ModelEvent(model, "deprecation", text))

    created = bulk_create_with_history([m for m, _ in to_create], AIModel, batch_size=BATCH)
    created_by_key = {m.price_source_key: m for m in created}
    if any(m.pk is None for m in created):  # backends without RETURNING: fetch the ids
        ids = dict(
            AIModel.objects.filter(price_source_key__in=created_by_key).values_list(
                "price_source_key", "pk"
            )
        )
        for key, model in created_by_key.items():
            model.pk = ids[key]
    observations += [_observation(m, now) for m in created_by_key.values() if m.is_priced]
    if to_update:
        bulk_update_with_history(
            to_update, AIModel, [*SOURCE_FIELDS, "price_checked_at"], batch_size=BATCH
        )

    through = AIModel.specialties.through
    links = [(m, slugs) for m, slugs in to_create] + specialty_changes
    through.objects.filter(aimodel_id__in=[m.pk for m, _ in specialty_changes]).delete()
    through.objects.bulk_create(
        [
            through(aimodel_id=m.pk, specialty_id=specialties[slug])
            for m, slugs in links
            for slug in dict.fromkeys(slugs)
        ],
        batch_size=BATCH * 4,
    )
    PriceObservation.objects.bulk_create(observations, batch_size=BATCH)
    _link_successors(entries, {**existing, **created_by_key})
    model_events_notify(events=events)
    # Always (a few hundred ms at 100,000 models): other writers may have grown the catalog.
    analyze(AIModel, Vendor, PriceObservation)
    catalog_changed()

    run.finished_at = timezone.now()
    run.checked = len(entries)
    run.changed = summary.created + summary.updated
    run.save(update_fields=["finished_at", "checked", "changed"])
    return summary


def _observation(model: AIModel, at: datetime) -> PriceObservation:
    return PriceObservation.entry(
        model_id=model.pk, prices=model.price_components, observed_at=at, source=PriceSource.LITELLM
    )


def _link_successors(entries: list[CostMapEntry], by_key: dict[str, AIModel]) -> None:
    """Point models at the successor the map names, looked up bare or under the same provider."""
    changed = []
    for entry in entries:
        model = by_key.get(entry.key)
        if model is None or not entry.successor_key:
            continue
        successor = by_key.get(entry.successor_key) or by_key.get(
            f"{entry.provider}/{entry.successor_key}"
        )
        if (
            successor is not None
            and successor.pk != model.pk
            and model.successor_id != successor.pk
        ):
            model.successor = successor
            changed.append(model)
    if changed:
        bulk_update_with_history(changed, AIModel, ["successor"], batch_size=BATCH)
