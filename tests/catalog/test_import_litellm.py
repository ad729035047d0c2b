"""Importing LiteLLM's cost map: mapping, units, aliases, idempotency, atomic failure."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.choices import ModelStatus, PriceUnit
from catalog.models import AIModel, PriceObservation, Vendor

pytestmark = pytest.mark.django_db

COST_MAP = {
    "sample_spec": {"litellm_provider": "doc", "mode": "chat", "input_cost_per_token": 0},
    "fallback_generalizations": {"rules": [{"pattern": ".*", "model_info": {}}]},
    "gpt-test": {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05,
        "max_input_tokens": 128000,
        "max_output_tokens": 16384,
        "supports_vision": True,
        "supports_reasoning": True,
        "deprecation_date": "2027-01-14",
        "successor_model": "gpt-next",
    },
    "gpt-next": {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": 1,
        "output_cost_per_token": 0,
        "max_input_tokens": 200000,
    },
    "gpt-latest": {"alias_of": "gpt-test"},
    "mistral/codestral-test": {
        "litellm_provider": "mistral",
        "mode": "chat",
        "input_cost_per_token": 3e-07,
        "output_cost_per_token": 9e-07,
    },
    "cohere-embed-test": {
        "litellm_provider": "cohere",
        "mode": "embedding",
        "input_cost_per_token": 1e-07,
        "output_cost_per_token": 0.0,
    },
    "rerank-test": {
        "litellm_provider": "cohere",
        "mode": "rerank",
        "input_cost_per_query": 0.002,
        "input_cost_per_token": 0.0,
        "output_cost_per_token": 0.0,
    },
    "image-test": {
        "litellm_provider": "openai",
        "mode": "image_generation",
        "output_cost_per_image": 0.04,
    },
    "free-or-unknown": {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": 0,
        "output_cost_per_token": 0,
    },
    "video-test": {"litellm_provider": "openai", "mode": "video_generation"},
}


def run_import(tmp_path, cost_map=COST_MAP) -> str:
    path = tmp_path / "map.json"
    path.write_text(json.dumps(cost_map))
    out = StringIO()
    call_command(
        "import_models", "--source", "litellm", "--file", str(path), stdout=out, stderr=StringIO()
    )
    return out.getvalue()


def specialties(key: str) -> set[str]:
    return set(AIModel.objects.get(price_source_key=key).specialties.values_list("slug", flat=True))


def test_import_maps_modes_and_flags_to_specialties(tmp_path):
    run_import(tmp_path)
    assert specialties("gpt-test") == {"chat", "vision", "reasoning"}
    assert specialties("mistral/codestral-test") == {"chat", "code"}
    assert specialties("cohere-embed-test") == {"embedding"}
    assert specialties("rerank-test") == {"rerank"}
    assert specialties("image-test") == {"image-generation"}


def test_import_converts_per_token_costs_to_exact_per_million_prices(tmp_path):
    run_import(tmp_path)
    model = AIModel.objects.get(price_source_key="gpt-test")
    assert model.input_price_per_mtok == Decimal("2.500000")
    assert model.output_price_per_mtok == Decimal("10.000000")
    assert model.price_unit == PriceUnit.PER_MTOK
    assert AIModel.objects.get(price_source_key="gpt-next").input_price_per_mtok == Decimal(
        "1000000"
    )


def test_import_keeps_per_query_and_per_image_prices_with_their_unit(tmp_path):
    run_import(tmp_path)
    rerank = AIModel.objects.get(price_source_key="rerank-test")
    assert (rerank.price_unit, rerank.input_price_per_mtok) == (
        PriceUnit.PER_QUERY,
        Decimal("0.002"),
    )
    image = AIModel.objects.get(price_source_key="image-test")
    assert (image.price_unit, image.output_price_per_mtok) == (PriceUnit.PER_IMAGE, Decimal("0.04"))


def test_all_zero_prices_import_as_unpriced_not_free(tmp_path):
    run_import(tmp_path)
    model = AIModel.objects.get(price_source_key="free-or-unknown")
    assert model.input_price_per_mtok is None and model.output_price_per_mtok is None
    assert not model.is_priced


def test_aliases_take_their_targets_data(tmp_path):
    run_import(tmp_path)
    alias = AIModel.objects.get(price_source_key="gpt-latest")
    assert alias.vendor.slug == "openai"
    assert alias.input_price_per_mtok == Decimal("2.5")
    assert alias.context_window == 128000


def test_import_sets_limits_lifecycle_and_successor(tmp_path):
    run_import(tmp_path)
    model = AIModel.objects.get(price_source_key="gpt-test")
    assert (model.context_window, model.max_output_tokens) == (128000, 16384)
    assert str(model.deprecation_date) == "2027-01-14"
    assert model.successor.price_source_key == "gpt-next"


def test_import_creates_vendors_from_providers_and_models_under_review(tmp_path):
    run_import(tmp_path)
    assert set(Vendor.objects.values_list("slug", flat=True)) == {"openai", "mistral", "cohere"}
    assert set(AIModel.objects.values_list("status", flat=True)) == {ModelStatus.UNDER_REVIEW}
    assert AIModel.objects.get(price_source_key="mistral/codestral-test").vendor_model_id == (
        "codestral-test"
    )


def test_import_skips_non_models_and_unsupported_modes_with_reasons(tmp_path):
    out = run_import(tmp_path)
    assert not AIModel.objects.filter(price_source_key__in=["sample_spec", "video-test"]).exists()
    assert "skipped 1: mode video_generation is not a catalog specialty" in out


def test_first_import_records_one_price_observation_per_priced_model(tmp_path):
    run_import(tmp_path)
    priced = AIModel.objects.exclude(input_price_per_mtok=None, output_price_per_mtok=None)
    assert PriceObservation.objects.count() == priced.count() == 7


def test_second_import_changes_nothing_and_says_so(tmp_path):
    run_import(tmp_path)
    history = AIModel.history.count()
    out = run_import(tmp_path)
    assert "created 0, updated 0" in out
    assert "Nothing changed" in out
    assert AIModel.history.count() == history
    assert PriceObservation.objects.count() == 7


def test_changed_price_writes_one_observation_and_keeps_curation(tmp_path):
    run_import(tmp_path)
    model = AIModel.objects.get(price_source_key="gpt-test")
    model.status = ModelStatus.APPROVED
    model.save()
    changed = json.loads(json.dumps(COST_MAP))
    changed["gpt-test"]["input_cost_per_token"] = 2e-06
    out = run_import(tmp_path, changed)
    assert "updated 2 (2 price changes)" in out  # gpt-test and its alias
    model.refresh_from_db()
    assert model.input_price_per_mtok == Decimal("2")
    assert model.status == ModelStatus.APPROVED
    ledger = PriceObservation.objects.filter(model=model)
    assert [o.input_price_per_mtok for o in ledger] == [Decimal("2"), Decimal("2.5")]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "cheap"},
            "must be a number",
        ),
        (
            {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": -1e-06},
            "must not be negative",
        ),
        ({"mode": "chat"}, "litellm_provider is missing"),
        ({"alias_of": "nowhere"}, "unknown entry"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_malformed_entry_names_the_entry_and_writes_nothing(tmp_path, entry, message):
    broken = {**COST_MAP, "zz-broken": entry}
    with pytest.raises(CommandError, match=rf"'zz-broken'.*{message}"):
        run_import(tmp_path, broken)
    assert not AIModel.objects.exists()
    assert not Vendor.objects.exists()


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "map.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_models", "--file", str(path), stdout=StringIO())


def test_bundled_cost_map_imports_fully_and_idempotently():
    out = StringIO()
    call_command("import_models", stdout=out, stderr=StringIO())
    assert AIModel.objects.count() > 4500
    assert not AIModel.objects.filter(input_price_per_mtok=0, output_price_per_mtok=0).exists()
    out = StringIO()
    call_command("import_models", stdout=out, stderr=StringIO())
    assert "created 0, updated 0" in out.getvalue()
