"""Reported model names → catalog models, the way a controller reconciling the invoice would.

A name matches every model whose vendor id, price-source key or slug it is, and, for a
`provider/model` name, every model whose vendor id is the part after the slash. One candidate
is the match. Among several: the one the unit had adopted that day; else the source's own
vendor's (an OpenAI organization reports OpenAI's models; a LiteLLM proxy reports LiteLLM's
names, so the model whose price-source key the name is exactly: `gpt-4o` is OpenAI's there,
`azure/gpt-4o` Azure's); else the name's provider prefix; otherwise none, and the candidates
are named so someone can settle it. Never the first row of the table.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from catalog.choices import AdoptionStatus
from catalog.models import Adoption, AIModel
from usage.choices import SourceKind

PREFERRED_VENDOR: dict[str, str] = {SourceKind.OPENAI: "openai", SourceKind.ANTHROPIC: "anthropic"}


class ModelMatcher:
    """One source's names, matched per unit and day; the catalog and the units' adoptions are
    read once. `ambiguous` collects the names left unmatched among several candidates."""

    def __init__(self, kind: str, unit_ids: Iterable[int] = ()) -> None:
        self.vendor = PREFERRED_VENDOR.get(kind, "")
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.vendor_of: dict[int, str] = {}
        self.label: dict[int, str] = {}
        self.by_vendor_id: dict[str, set[int]] = defaultdict(set)
        self.by_key: dict[str, set[int]] = defaultdict(set)
        rows = AIModel.objects.values_list(
            "pk", "vendor__slug", "vendor_model_id", "price_source_key", "slug"
        )
        for pk, vendor, vendor_model_id, key, slug in rows:
            for name in (vendor_model_id, key, slug):
                self.by_name[name].add(pk)
            self.by_vendor_id[vendor_model_id].add(pk)
            self.by_key[key].add(pk)
            self.vendor_of[pk] = vendor
            self.label[pk] = f"{vendor}/{vendor_model_id}"
        # (unit, model) → the day ranges [approved, expires) of its adoptions. A revoked one
        # counts too: it still says which of several same-named models the unit chose.
        self.adopted: dict[tuple[int, int], list[tuple[date, date]]] = defaultdict(list)
        adoptions = Adoption.objects.filter(
            unit_id__in=set(unit_ids),
            status__in=[AdoptionStatus.ACTIVE, AdoptionStatus.EXPIRED, AdoptionStatus.REVOKED],
        ).values_list("unit_id", "model_id", "approved_at", "expires_at")
        for unit_id, model_id, approved, expires in adoptions:
            self.adopted[(unit_id, model_id)].append((approved.date(), expires.date()))
        self.candidates_cache: dict[str, tuple[int, ...]] = {}
        self.single: dict[str, int | None] = {}
        self.ambiguous: dict[str, list[str]] = {}

    def candidates(self, name: str) -> tuple[int, ...]:
        if name not in self.candidates_cache:
            found = set(self.by_name.get(name, ()))
            _, slash, rest = name.partition("/")
            if slash and rest:
                found |= self.by_vendor_id.get(rest, set())
            self.candidates_cache[name] = tuple(sorted(found))
        return self.candidates_cache[name]

    def match(
        self, name: str, *, unit_id: int | None = None, day: date | None = None
    ) -> int | None:
        """The catalog model `name` means for this unit on this day, or None."""
        if name in self.single:  # most names: one model or none, whatever the unit and day
            return self.single[name]
        found = self.candidates(name) if name else ()
        if len(found) <= 1:
            self.single[name] = found[0] if found else None
            return self.single[name]
        pool = list(found)
        if unit_id is not None and day is not None:
            adopted = [pk for pk in pool if self._adopted(unit_id, pk, day)]
            if len(adopted) == 1:
                return adopted[0]
            pool = adopted or pool
        provider = name.partition("/")[0] if "/" in name else ""
        keyed = self.by_key.get(name, set())
        for own in (
            [pk for pk in pool if self.vendor and self.vendor_of[pk] == self.vendor],
            [pk for pk in pool if pk in keyed],
            [pk for pk in pool if provider and self.vendor_of[pk] == provider],
        ):
            if len(own) == 1:
                return own[0]
        self.ambiguous[name] = sorted(self.label[pk] for pk in pool)
        return None

    def _adopted(self, unit_id: int, model_id: int, day: date) -> bool:
        return any(start <= day < end for start, end in self.adopted.get((unit_id, model_id), ()))
