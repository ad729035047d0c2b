"""What the fake vendor serves, derived from the bundled LiteLLM cost map (MIT): the map itself
(with deterministic price drift), OpenAI-, Anthropic- and OpenRouter-format model lists, and
OpenRouter endpoints. The OpenRouter list is generated in the documented shape plus a few
hand-written entries (openrouter_extra.json); the recorded sample is not copied."""

import copy
import json
import math
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from catalog.vendors.litellm import NOT_MODELS

# The catalog's bundled LiteLLM map (one copy, its origin in catalog/data/README.md).
DATA = Path(__file__).resolve().parents[1] / "catalog" / "data" / "litellm_model_prices.json"
EXTRA = Path(__file__).resolve().parent / "openrouter_extra.json"
DRIFT_FACTORS = (0.8, 0.9, 1.1, 1.25)
COSTS = ("input_cost_per_token", "output_cost_per_token")
CREATED = 1_735_689_600  # 2025-01-01, fixed so answers are deterministic


def load_cost_map(path: Path = DATA) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]  # json.loads gives Any


def drifted(cost_map: dict[str, Any], *, share: float, seed: int | None) -> dict[str, Any]:
    """A copy where about `share` of the per-token-priced models changed price by -20…+25 %."""
    if share <= 0:
        return cost_map
    rng = random.Random(seed)
    result = copy.deepcopy(cost_map)
    for key in sorted(result):
        entry = result[key]
        if key in NOT_MODELS or "alias_of" in entry or not any(entry.get(c) for c in COSTS):
            continue
        if rng.random() < share:
            factor = rng.choice(DRIFT_FACTORS)
            for cost in COSTS:
                if isinstance(entry.get(cost), int | float):
                    entry[cost] = float(f"{entry[cost] * factor:.6g}")
    return result


def junk_keys(cost_map: dict[str, Any]) -> list[str]:
    """The five models the `junk` fault spoils, in the order of JUNK below."""
    keys = [
        k
        for k in sorted(cost_map)
        if k not in NOT_MODELS
        and "alias_of" not in cost_map[k]
        and cost_map[k].get("mode") == "chat"
        and all(isinstance(cost_map[k].get(c), int | float) and cost_map[k][c] > 0 for c in COSTS)
    ]
    return keys[:5]


def with_junk(cost_map: dict[str, Any]) -> dict[str, Any]:
    """Non-numeric, NaN, negative, a 1000× jump and missing fields, one model each."""
    result = dict(cost_map)
    spoil: list[Callable[[dict[str, Any]], dict[str, Any]]] = [
        lambda e: {**e, "input_cost_per_token": "twelve dollars"},
        lambda e: {**e, "input_cost_per_token": math.nan},
        lambda e: {**e, "output_cost_per_token": -1e-06},
        lambda e: {**e, "input_cost_per_token": e["input_cost_per_token"] * 1000},
        lambda e: {k: v for k, v in e.items() if k not in COSTS},
    ]
    for key, make in zip(junk_keys(cost_map), spoil, strict=False):
        result[key] = make(result[key])
    return result


def _per_token(value: object) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not value:
        return None
    return format(Decimal(str(value)).normalize(), "f")


def _entries(cost_map: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (k, v)
        for k, v in cost_map.items()
        if k not in NOT_MODELS and isinstance(v, dict) and "alias_of" not in v
    ]


def _bare(key: str, provider: str) -> str:
    return key[len(provider) + 1 :] if key.startswith(f"{provider}/") else key


def provider_ids(cost_map: dict[str, Any], provider: str) -> list[str]:
    """The model ids a provider would list (its cost-map keys without the provider prefix)."""
    ids = set()
    for key, entry in cost_map.items():
        if key in NOT_MODELS or not isinstance(entry, dict):
            continue
        target = cost_map.get(entry.get("alias_of", ""), entry)
        if isinstance(target, dict) and target.get("litellm_provider") == provider:
            ids.add(_bare(key, provider))
    return sorted(ids)


def openai_list(ids: list[str], owner: str) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": i, "object": "model", "created": CREATED, "owned_by": owner} for i in ids],
    }


def anthropic_page(ids: list[str], *, limit: int, after_id: str | None) -> dict[str, Any]:
    start = ids.index(after_id) + 1 if after_id in ids else 0
    page = ids[start : start + limit]
    return {
        "data": [
            {"type": "model", "id": i, "display_name": i, "created_at": "2025-01-01T00:00:00Z"}
            for i in page
        ],
        "has_more": start + limit < len(ids),
        "first_id": page[0] if page else None,
        "last_id": page[-1] if page else None,
    }


def openrouter_models(cost_map: dict[str, Any]) -> list[dict[str, Any]]:
    """Every per-token-priced model of the map as `provider/model` (OpenRouter's own models keep
    their id), plus the hand-written extras."""
    models: dict[str, dict[str, Any]] = {}
    for key, entry in _entries(cost_map):
        provider = str(entry.get("litellm_provider", ""))
        raw_prices = {"prompt": entry.get(COSTS[0]), "completion": entry.get(COSTS[1])}
        pricing = {name: shown for name, v in raw_prices.items() if (shown := _per_token(v))}
        if not provider or not pricing:
            continue
        # OpenRouter names cache prices only for models that have them, as LiteLLM does.
        cache_prices = {
            "input_cache_read": entry.get("cache_read_input_token_cost"),
            "input_cache_write": entry.get("cache_creation_input_token_cost"),
        }
        pricing |= {name: shown for name, v in cache_prices.items() if (shown := _per_token(v))}
        bare = _bare(key, provider)
        model_id = bare if provider == "openrouter" else f"{provider}/{bare}"
        context = entry.get("max_input_tokens") or 0
        models.setdefault(
            model_id,
            {
                "id": model_id,
                "canonical_slug": model_id,
                "hugging_face_id": None,
                "name": f"{provider}: {bare}",
                "created": CREATED,
                "description": f"{bare} served by {provider}.",
                "context_length": context,
                "architecture": {
                    "modality": "text->text",
                    "input_modalities": ["text"],
                    "output_modalities": ["text"],
                    "tokenizer": "Other",
                    "instruct_type": None,
                },
                "pricing": pricing,
                "top_provider": {
                    "context_length": context,
                    "max_completion_tokens": entry.get("max_output_tokens"),
                    "is_moderated": False,
                },
                "per_request_limits": None,
                "supported_parameters": [],
                "default_parameters": {},
                "supported_voices": None,
                "knowledge_cutoff": None,
                "expiration_date": entry.get("deprecation_date"),
                "links": {"details": f"/api/v1/models/{model_id}/endpoints"},
            },
        )
    for extra in json.loads(EXTRA.read_text(encoding="utf-8"))["data"]:
        models.setdefault(extra["id"], extra)
    return list(models.values())


def openrouter_with_junk(models: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The OpenRouter list with the first five priced models spoiled, as with_junk does."""
    result = [dict(m) for m in models]
    priced = [m for m in result if m.get("pricing", {}).get("prompt")][:5]
    spoil: list[Callable[[dict[str, Any]], dict[str, Any] | None]] = [
        lambda p: {**p, "prompt": "twelve dollars"},
        lambda p: {**p, "prompt": "NaN"},
        lambda p: {**p, "completion": "-0.000001"},
        lambda p: {**p, "prompt": format(Decimal(p["prompt"]) * 1000, "f")},
        lambda p: None,
    ]
    for model, make in zip(priced, spoil, strict=False):
        model["pricing"] = make(model["pricing"])
    return result


def openrouter_endpoints(model: dict[str, Any], *, seed: int | None) -> dict[str, Any]:
    """One provider endpoint with a deterministic uptime in 97–100 %."""
    uptime = round(97 + random.Random(f"{seed}:{model['id']}").random() * 3, 2)
    provider = model["id"].split("/", 1)[0]
    return {
        "data": {
            "id": model["id"],
            "name": model["name"],
            "created": model.get("created", CREATED),
            "description": model.get("description", ""),
            "architecture": model.get("architecture", {}),
            "endpoints": [
                {
                    "name": f"{provider} | {model['id']}",
                    "model_name": model["name"],
                    "context_length": model.get("context_length", 0),
                    "pricing": model.get("pricing", {}),
                    "provider_name": provider,
                    "tag": provider,
                    "quantization": None,
                    "max_completion_tokens": None,
                    "max_prompt_tokens": None,
                    "supported_parameters": [],
                    "status": 0,
                    "uptime_last_30m": uptime,
                }
            ],
        }
    }


def statuspage_summary(name: str, component_status: str = "operational") -> dict[str, Any]:
    indicator = {
        "operational": ("none", "All Systems Operational"),
        "degraded_performance": ("minor", "Degraded Performance"),
        "partial_outage": ("minor", "Partial System Outage"),
        "major_outage": ("major", "Major System Outage"),
        "full_outage": ("critical", "Full Outage"),
    }[component_status]
    now = "2025-01-01T00:00:00.000Z"
    page = {"id": name, "name": name, "url": f"https://status.{name}.example", "updated_at": now}
    return {
        "page": page,
        "status": {"indicator": indicator[0], "description": indicator[1]},
        "components": [
            {"id": f"{name}-api", "name": "API", "status": component_status, "updated_at": now}
        ],
        "incidents": [],
        "scheduled_maintenances": [],
    }
