"""LiteLLM's model cost map: the one parser shared by `import_models` and `sync_prices`.

Format: a JSON object keyed by model name. `sample_spec` documents the fields and
`fallback_generalizations` holds regex defaults: neither is a model. `{"alias_of": key}` entries
take their target's data. Costs are USD per token (or per query/image/second) as JSON numbers.
"""

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from catalog.choices import Modality, PriceUnit
from core.http import show

if TYPE_CHECKING:
    from catalog.models.costs import PriceComponents

NOT_MODELS = frozenset({"sample_spec", "fallback_generalizations"})
SIX_PLACES = Decimal("0.000001")
PRICE_DIGITS = 12  # a price column is numeric(18, 6): below 10**12 fits
MILLION = Decimal(1_000_000)

# LiteLLM `mode` → our specialty; modes absent here are skipped on import with their reason.
MODE_SPECIALTY = {
    "chat": "chat",
    "responses": "chat",
    "completion": "chat",
    "embedding": "embedding",
    "rerank": "rerank",
    "image_generation": "image-generation",
    "image_edit": "image-generation",
    "audio_transcription": "audio",
    "audio_speech": "audio",
    "realtime": "audio",
    "moderation": "moderation",
    "ocr": "vision",
}
MODE_OUTPUT = {
    "embedding": ["embedding"],
    "rerank": ["text"],
    "image_generation": ["image"],
    "image_edit": ["image"],
    "audio_speech": ["audio"],
    "realtime": ["text", "audio"],
}
LONG_CONTEXT = re.compile(r"(input|output)_cost_per_token_above_(\d{1,6})k_tokens")
EXTRA_COMPONENTS = (
    "cache_read",
    "cache_write",
    "long_context_threshold",
    "long_context_input",
    "long_context_output",
)
CODE_NAME = re.compile(r"cod(e|er|estral|ellama)\b|codestral|coder|devstral|starcoder", re.I)

# Per-unit prices, in the order they win when no per-token price is given.
UNIT_PRICES = (
    (PriceUnit.PER_QUERY, "input_cost_per_query", None),
    (PriceUnit.PER_IMAGE, "input_cost_per_image", "output_cost_per_image"),
    (PriceUnit.PER_SECOND, "input_cost_per_second", "output_cost_per_second"),
    (PriceUnit.PER_CHARACTER, "input_cost_per_character", "output_cost_per_character"),
    (PriceUnit.PER_PAGE, "ocr_cost_per_page", None),
)


class CostMapError(ValueError):
    """The cost map is malformed; names the entry so the file can be fixed."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"entry {key!r}: {message}")
        self.key = key


@dataclass(frozen=True)
class CostMapEntry:
    """One model of the cost map, in catalog terms (prices already per 1M tokens or per unit)."""

    key: str
    provider: str
    mode: str
    specialty: str | None
    extra_specialties: tuple[str, ...]
    input_price: Decimal | None
    output_price: Decimal | None
    price_unit: str
    context_window: int | None
    max_output_tokens: int | None
    input_modalities: list[str] = field(default_factory=list)
    output_modalities: list[str] = field(default_factory=list)
    deprecation_date: date | None = None
    successor_key: str = ""
    source_url: str = ""
    regions: list[str] = field(default_factory=list)
    alias_of: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def components(self) -> "PriceComponents":
        # Imported here: the fake vendor parses cost maps without Django's apps loaded, and
        # importing catalog.models loads them.
        from catalog.models.costs import PriceComponents

        return PriceComponents(
            input=self.input_price, output=self.output_price, unit=self.price_unit, **self.extras
        )

    @property
    def vendor_model_id(self) -> str:
        prefix = f"{self.provider}/"
        return self.key[len(prefix) :] if self.key.startswith(prefix) else self.key

    @property
    def specialties(self) -> list[str]:
        return ([self.specialty] if self.specialty else []) + list(self.extra_specialties)

    @property
    def skip_reason(self) -> str | None:
        if self.specialty is None:
            return f"mode {self.mode or '(none)'} is not a catalog specialty"
        return None


def to_decimal(key: str, name: str, value: object, scale: Decimal = Decimal(1)) -> Decimal:
    """A cost as an exact Decimal via its shortest repr (never binary float arithmetic).
    Anything that is not a finite, non-negative amount that fits a price column raises
    CostMapError, naming the entry: `1e30` is junk, never an arithmetic error."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CostMapError(key, f"{name} must be a number, got {show(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise CostMapError(key, f"{name} must be finite, got {show(value)}")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError):  # ValueError: an int too long to print
        raise CostMapError(key, f"{name} must be a number, got {show(value)}") from None
    if not amount.is_finite():
        raise CostMapError(key, f"{name} must be finite, got {show(value)}")
    if amount < 0:
        raise CostMapError(key, f"{name} must not be negative, got {show(value)}")
    if amount and amount.adjusted() + scale.adjusted() >= PRICE_DIGITS:
        raise CostMapError(key, f"{name} is too large for a price, got {show(value)}")
    if amount.adjusted() < -PRICE_DIGITS:  # far below a millionth of the unit: nothing
        return Decimal(0).quantize(SIX_PLACES)
    return (amount * scale).quantize(SIX_PLACES)


def _positive_int(key: str, name: str, value: object) -> int | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))  # a huge int is no float
        or not 0 <= value < 2**31
    ):
        raise CostMapError(key, f"{name} must be a non-negative integer, got {show(value)}")
    return int(value) or None


def _prices(key: str, data: Mapping[str, object]) -> tuple[Decimal | None, Decimal | None, str]:
    """The model's headline price and its unit; all-zero prices mean unknown, not free."""
    units = ((PriceUnit.PER_MTOK, "input_cost_per_token", "output_cost_per_token"), *UNIT_PRICES)
    for unit, in_name, out_name in units:
        scale = MILLION if unit == PriceUnit.PER_MTOK else Decimal(1)
        raw_in = data.get(in_name)
        raw_out = data.get(out_name) if out_name else None
        inp = None if raw_in is None else to_decimal(key, in_name, raw_in, scale)
        out = (
            None
            if raw_out is None or out_name is None
            else to_decimal(key, out_name, raw_out, scale)
        )
        if inp or out:
            return inp, out, unit
    return None, None, PriceUnit.PER_MTOK


def extra_prices(key: str, data: Mapping[str, object], unit: str) -> dict[str, Any]:
    """The price components beyond input/output, by `PriceComponents` name, per 1M tokens:
    cache reads, cache creation (the 5-minute rate) and the lowest long-context tier the map
    gives (`input_cost_per_token_above_<N>k_tokens`). Absent ones stay None (unknown); none
    for a model not priced per token. Raises CostMapError for an unreadable one."""
    extras: dict[str, Any] = dict.fromkeys(EXTRA_COMPONENTS)
    if unit != PriceUnit.PER_MTOK:
        return extras
    for name, field_name in (
        ("cache_read", "cache_read_input_token_cost"),
        ("cache_write", "cache_creation_input_token_cost"),
    ):
        if (value := data.get(field_name)) is not None:
            extras[name] = to_decimal(key, field_name, value, MILLION)
    tiers = sorted(
        {
            int(m[2])
            for name in data
            if (m := LONG_CONTEXT.fullmatch(name)) and data[name] is not None
        }
    )
    if tiers:
        tier = tiers[0]
        extras["long_context_threshold"] = tier * 1000
        for side in ("input", "output"):
            field_name = f"{side}_cost_per_token_above_{tier}k_tokens"
            if (value := data.get(field_name)) is not None:
                extras[f"long_context_{side}"] = to_decimal(key, field_name, value, MILLION)
    return extras


def entry_prices(
    key: str, data: Mapping[str, object]
) -> tuple[Decimal | None, Decimal | None, str, date | None, dict[str, Any]]:
    """Just what a price sync needs of an entry: (input, output, unit, deprecation date, the
    other components). Raises CostMapError; a malformed field the sync does not read cannot
    block a price."""
    inp, out, unit = _prices(key, data)
    deprecation = _date(key, data.get("deprecation_date"))
    return inp, out, unit, deprecation, extra_prices(key, data, unit)


def _date(key: str, value: object) -> date | None:
    if value is None or value == "":
        return None
    try:
        if isinstance(value, str):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise CostMapError(key, f"deprecation_date must be YYYY-MM-DD, got {show(value)}")


def _str_list(key: str, name: str, value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CostMapError(key, f"{name} must be a list of strings")
    return value


def _modalities(key: str, name: str, value: object) -> list[str]:
    """The modalities the API's enum knows, in order, once each: a value new to the map is left
    out rather than published outside the schema (clients generated from it would break)."""
    known = set(Modality.values)
    return list(dict.fromkeys(m for m in _str_list(key, name, value) if m in known))


def parse_entry(key: str, data: Mapping[str, object], alias_of: str = "") -> CostMapEntry:
    provider = data.get("litellm_provider")
    if not isinstance(provider, str) or not provider:
        raise CostMapError(key, "litellm_provider is missing")
    raw_mode = data.get("mode")
    mode = raw_mode if isinstance(raw_mode, str) else ""
    specialty = MODE_SPECIALTY.get(mode)
    extra: list[str] = []
    if specialty in ("chat", "vision"):
        if data.get("supports_reasoning"):
            extra.append("reasoning")
        if data.get("supports_vision") and specialty != "vision":
            extra.append("vision")
        if CODE_NAME.search(key):
            extra.append("code")
    inp, out, unit, deprecation, extras = entry_prices(key, data)
    inputs = _modalities(key, "supported_modalities", data.get("supported_modalities"))
    outputs = _modalities(
        key, "supported_output_modalities", data.get("supported_output_modalities")
    )
    successor = data.get("successor_model")
    return CostMapEntry(
        key=key,
        provider=provider,
        mode=mode,
        specialty=specialty,
        extra_specialties=tuple(extra),
        input_price=inp,
        output_price=out,
        price_unit=unit,
        context_window=_positive_int(key, "max_input_tokens", data.get("max_input_tokens")),
        max_output_tokens=_positive_int(key, "max_output_tokens", data.get("max_output_tokens")),
        input_modalities=inputs or ["text"],
        output_modalities=outputs or MODE_OUTPUT.get(mode, ["text"]),
        deprecation_date=deprecation,
        successor_key=successor if isinstance(successor, str) else "",
        source_url=source[:500] if isinstance(source := data.get("source"), str) else "",
        regions=_str_list(key, "supported_regions", data.get("supported_regions")),
        alias_of=alias_of,
        extras=extras,
    )


def parse_cost_map(raw: object) -> Iterator[CostMapEntry]:
    """Every model of the map, aliases resolved to their target's data. Raises CostMapError."""
    if not isinstance(raw, Mapping):
        raise CostMapError("(file)", "the cost map must be a JSON object keyed by model name")
    for key, data in raw.items():
        if key in NOT_MODELS:
            continue
        if not isinstance(data, Mapping):
            raise CostMapError(key, "must be a JSON object")
        target = data.get("alias_of")
        if target is not None:
            resolved = raw.get(target) if isinstance(target, str) else None
            if not isinstance(resolved, Mapping) or "alias_of" in resolved:
                raise CostMapError(key, f"alias_of points to unknown entry {show(target)}")
            yield parse_entry(key, resolved, alias_of=str(target))
        else:
            yield parse_entry(key, data)
