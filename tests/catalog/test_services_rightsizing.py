"""Recommendations and savings: each eligibility rule, exact Decimal costs, reasons."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.choices import AdoptionStatus, AvailabilityStatus, ModelStatus, SizeClass
from catalog.models import Adoption, Evaluation
from catalog.services.rightsizing import Need, recommend, unit_savings
from tests.factories import AIModelFactory, BusinessUnitFactory, VendorFactory

pytestmark = pytest.mark.django_db

M = 1_000_000


def chat(name: str, inp: str | None, out: str | None, **kwargs):
    return AIModelFactory(
        name=name,
        slug=name.lower().replace(" ", "-"),
        input_price_per_mtok=None if inp is None else Decimal(inp),
        output_price_per_mtok=None if out is None else Decimal(out),
        specialties=kwargs.pop("specialties", ["chat"]),
        **kwargs,
    )


def names(candidates) -> list[str]:
    return [c.model.name for c in candidates]


def excluded_reasons(result, name: str) -> list[str]:
    return next(c.exclusions for c in result.excluded if c.model.name == name)


NEED = Need(specialty="chat", monthly_input_tokens=50 * M, monthly_output_tokens=10 * M)


def test_ranks_by_exact_monthly_cost():
    chat("Big", "3", "15")
    chat("Small", "0.15", "0.6")
    chat("Mid", "0.4", "1.6")
    result = recommend(NEED)
    assert names(result.results) == ["Small", "Mid", "Big"]
    # 50 × 0.15 + 10 × 0.6 = 13.50; 50 × 0.4 + 10 × 1.6 = 36.00; 50 × 3 + 10 × 15 = 300.00
    assert [c.estimated_monthly_cost for c in result.results] == [
        Decimal("13.50"),
        Decimal("36.00"),
        Decimal("300.00"),
    ]
    assert result.results[0].reasons[0] == "cheapest eligible"


def test_ties_go_to_the_smaller_size_class():
    chat("Large twin", "1", "1", parameters=200_000_000_000)
    chat("Small twin", "1", "1", parameters=7_000_000_000)
    assert names(recommend(NEED).results) == ["Small twin", "Large twin"]


def test_specialty_must_match():
    chat("Chatty", "1", "1")
    chat("Embedder", "0.1", "0", specialties=["embedding"])
    assert names(recommend(NEED).results) == ["Chatty"]


def test_context_below_the_need_is_excluded_with_the_figures():
    chat("Short", "0.1", "0.1", context_window=8_000)
    chat("Long", "1", "1", context_window=200_000)
    result = recommend(Need(specialty="chat", min_context=100_000))
    assert names(result.results) == ["Long"]
    assert excluded_reasons(result, "Short") == ["context 8,000 < 100,000"]


def test_data_classification_must_be_cleared():
    chat("Internal only", "0.1", "0.1", max_data_classification="internal")
    chat("Confidential ok", "1", "1", max_data_classification="confidential")
    result = recommend(Need(specialty="chat", data_classification="confidential"))
    assert names(result.results) == ["Confidential ok"]
    assert excluded_reasons(result, "Internal only") == ["cleared only for internal data"]


def test_down_models_are_excluded():
    chat("Down", "0.1", "0.1", availability_status=AvailabilityStatus.DOWN)
    chat("Up", "1", "1", availability_status=AvailabilityStatus.UP)
    result = recommend(NEED)
    assert names(result.results) == ["Up"]
    assert excluded_reasons(result, "Down") == ["down at the last availability check"]


def test_retired_models_are_excluded_and_under_review_ones_are_not_on_the_list():
    chat("Retired", "0.1", "0.1", status=ModelStatus.RETIRED)
    chat("Past retirement", "0.1", "0.1", retirement_date=timezone.localdate() - timedelta(1))
    chat("Draft", "0.01", "0.01", status=ModelStatus.UNDER_REVIEW)
    chat("Current", "1", "1")
    result = recommend(NEED)
    assert names(result.results) == ["Current"]
    assert "retired" in excluded_reasons(result, "Retired")
    assert "retired" in excluded_reasons(result, "Past retirement")
    assert "Draft" not in names(result.excluded)


def test_restricted_models_only_for_their_units():
    unit, other = BusinessUnitFactory(), BusinessUnitFactory()
    restricted = chat("Restricted", "0.1", "0.1", status=ModelStatus.RESTRICTED)
    restricted.allowed_units.add(unit)
    chat("Open", "1", "1")
    need = Need(specialty="chat", monthly_input_tokens=M, unit=unit)
    assert names(recommend(need).results) == ["Restricted", "Open"]
    result = recommend(Need(specialty="chat", unit=other))
    assert names(result.results) == ["Open"]
    assert excluded_reasons(result, "Restricted") == ["restricted to other units"]


def test_unpriced_and_per_query_models_are_excluded_as_unpriced():
    chat("Mystery", None, None)
    chat("Per query", "0.002", "0", price_unit="per_query")
    chat("Priced", "1", "1")
    result = recommend(NEED)
    assert names(result.results) == ["Priced"]
    assert excluded_reasons(result, "Mystery") == ["unpriced"]
    assert excluded_reasons(result, "Per query") == ["unpriced"]


def test_deprecated_models_only_when_nothing_else_fits_and_flagged():
    successor = chat("New", "1", "1", context_window=8_000)
    chat("Old", "0.1", "0.1", status=ModelStatus.DEPRECATED, successor=successor)
    result = recommend(NEED)
    assert names(result.results) == ["New"]
    assert "deprecated, and current models fit" in excluded_reasons(result, "Old")
    only_old = recommend(Need(specialty="chat", min_context=100_000))
    assert names(only_old.results) == ["Old"]
    assert only_old.results[0].deprecated
    assert "deprecated; successor New" in only_old.results[0].reasons


def test_quality_floor_uses_evaluations():
    good = chat("Good", "1", "1")
    weak = chat("Weak", "0.1", "0.1")
    chat("Unmeasured", "0.2", "0.2")
    today = timezone.localdate()
    Evaluation.objects.create(
        model=good, task="mmlu", metric="acc", score="0.86", source="paper", date=today
    )
    Evaluation.objects.create(
        model=weak, task="mmlu", metric="acc", score="0.55", source="paper", date=today
    )
    result = recommend(Need(specialty="chat", min_scores=(("mmlu", Decimal("0.8")),)))
    assert names(result.results) == ["Good"]
    assert excluded_reasons(result, "Weak") == ["mmlu 0.5500 < 0.8"]
    assert excluded_reasons(result, "Unmeasured") == ["no mmlu evaluation"]


def test_recommendations_take_bounded_queries(django_assert_max_num_queries):
    for n in range(30):
        chat(f"Model {n}", "1", "1")
    with django_assert_max_num_queries(6):
        recommend(NEED)


def _adopt(unit, model, tokens_in, tokens_out):
    now = timezone.now()
    return Adoption.objects.create(
        unit=unit,
        model=model,
        use_case="Support replies",
        status=AdoptionStatus.ACTIVE,
        approved_at=now,
        expires_at=now + timedelta(days=365),
        expected_monthly_input_tokens=tokens_in,
        expected_monthly_output_tokens=tokens_out,
    )


def test_savings_find_the_cheapest_alternative_with_enough_context():
    unit = BusinessUnitFactory()
    big = chat("Frontier", "3", "15", context_window=200_000, size_class=SizeClass.FRONTIER)
    chat("Cheap short", "0.05", "0.1", context_window=8_000)
    chat("Cheap long", "0.15", "0.6", context_window=1_000_000)
    _adopt(unit, big, 50 * M, 10 * M)
    [saving] = unit_savings(unit)
    assert saving.current_cost == Decimal("300.00")
    assert saving.alternative.model.name == "Cheap long"
    assert saving.alternative.estimated_monthly_cost == Decimal("13.50")
    assert saving.monthly_saving == Decimal("286.50")


def test_no_saving_when_the_adopted_model_is_already_cheapest():
    unit = BusinessUnitFactory()
    cheap = chat("Cheapest", "0.1", "0.1")
    chat("Dearer", "1", "1")
    _adopt(unit, cheap, M, M)
    [saving] = unit_savings(unit)
    assert saving.alternative is None and saving.monthly_saving is None


def test_deprecated_adoption_gets_its_successor_suggested():
    unit = BusinessUnitFactory()
    new = chat("Successor", "1", "1")
    old = chat("Legacy", "1", "1", status=ModelStatus.DEPRECATED, successor=new)
    _adopt(unit, old, M, M)
    [saving] = unit_savings(unit)
    assert saving.successor == new


def test_savings_never_give_up_a_specialty_or_a_modality_the_adoption_has():
    unit = BusinessUnitFactory()
    multilingual = chat("Embed Multilingual", "0.1", None, specialties=["embedding"])
    chat("Embed English", "0.02", None, specialties=["embedding"])
    vision = chat("Mini Vision", "0.15", "0.6", input_modalities=["text", "image"])
    chat("Text Only", "0.05", "0.1", input_modalities=["text"])
    chat("Cheap Vision", "0.1", "0.4", input_modalities=["text", "image"])
    _adopt(unit, multilingual, 10 * M, 0)
    _adopt(unit, vision, 10 * M, 2 * M)
    savings = {s.adoption.model.name: s for s in unit_savings(unit)}
    assert savings["Embed Multilingual"].alternative is None
    assert savings["Mini Vision"].alternative.model.name == "Cheap Vision"


def test_a_saving_names_what_switching_gives_up_and_nothing_that_is_equal():
    unit = BusinessUnitFactory()
    vendor = VendorFactory(name="Same Vendor")
    adopted = chat(
        "Long Answers",
        "3",
        "15",
        vendor=vendor,
        max_output_tokens=64_000,
        open_weights=True,
        regions=["eu", "us"],
        availability_status="up",
    )
    chat(
        "Terse",
        "0.1",
        "0.4",
        vendor=vendor,
        max_output_tokens=4_000,
        open_weights=False,
        regions=["us"],
        availability_status="not_monitored",
    )
    _adopt(unit, adopted, 10 * M, 2 * M)
    saving = next(s for s in unit_savings(unit) if s.adoption.model == adopted)
    assert saving.alternative.model.name == "Terse"
    assert saving.trade_offs == [
        "shorter answers (at most 4K tokens instead of 64K)",
        "not monitored: its vendor gives no way to check it is up",
        "no open weights: it cannot be run in-house",
        "not offered in eu",
    ]


def test_a_switch_that_loses_nothing_lists_nothing():
    unit = BusinessUnitFactory()
    vendor = VendorFactory(name="One Vendor")
    adopted = chat("Dear", "3", "15", vendor=vendor)
    chat("Cheap Twin", "0.1", "0.4", vendor=vendor)
    _adopt(unit, adopted, 10 * M, 2 * M)
    saving = next(s for s in unit_savings(unit) if s.adoption.model == adopted)
    assert saving.alternative.model.name == "Cheap Twin"
    assert saving.trade_offs == []
