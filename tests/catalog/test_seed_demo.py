from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from accounts.models import BusinessUnit, User
from catalog.choices import DataClassification, ModelStatus
from catalog.models import Adoption, AIModel, ApprovalRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())


def approved():
    return AIModel.objects.filter(status=ModelStatus.APPROVED)


def check_demo_approves_forty_models_over_six_vendors_covering_every_specialty():
    assert approved().count() >= 40
    assert approved().values("vendor").distinct().count() >= 6
    covered = set(approved().values_list("specialties__slug", flat=True))
    assert covered >= {
        "chat", "reasoning", "code", "embedding", "rerank", "vision", "audio",
        "image-generation", "moderation",
    }  # fmt: skip
    assert set(approved().values_list("size_class", flat=True)) >= {
        "small",
        "medium",
        "large",
        "frontier",
    }


def check_demo_has_embeddings_long_context_chat_and_confidential_clearance():
    assert approved().filter(specialties__slug="embedding").count() >= 5
    assert approved().filter(specialties__slug="chat", context_window__gte=100_000).count() >= 5
    assert approved().filter(max_data_classification=DataClassification.CONFIDENTIAL).exists()


def check_demo_includes_the_seed_articles_models_with_estimated_sizes():
    gpt4 = AIModel.objects.get(price_source_key="gpt-4")
    assert (gpt4.parameters, gpt4.parameters_estimated) == (1_760_000_000_000, True)
    haiku = AIModel.objects.get(price_source_key="vertex_ai/claude-3-haiku@20240307")
    assert haiku.parameters == 20_000_000_000 and haiku.size_class == "medium"
    assert AIModel.objects.get(price_source_key="mistral/codestral-latest").specialties.filter(
        slug="code"
    )


def check_demo_people_units_adoptions_and_requests():
    assert set(BusinessUnit.objects.values_list("name", flat=True)) >= {
        "Marketing", "Engineering", "Legal", "Customer Support", "Finance",
    }  # fmt: skip
    alice = User.objects.get(username="alice")
    assert alice.check_password("modelshelf-demo")
    assert User.objects.get(username="bob").is_approver
    assert User.objects.get(username="carol").is_catalog_admin
    assert Adoption.objects.count() >= 3
    assert ApprovalRequest.objects.filter(status="pending").count() >= 2


def check_demo_seed_is_idempotent():
    counts = (
        AIModel.history.count(),
        Adoption.objects.count(),
        ApprovalRequest.objects.count(),
        User.objects.count(),
    )
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    assert counts == (
        AIModel.history.count(),
        Adoption.objects.count(),
        ApprovalRequest.objects.count(),
        User.objects.count(),
    )
    assert not Adoption.objects.values("unit", "model").annotate(n=Count("id")).filter(n__gt=1)


def test_demo_company_is_complete_and_reseeding_changes_nothing(seeded):
    """One seed (it takes seconds), every promise of DESIGN.md's demo data checked on it."""
    check_demo_approves_forty_models_over_six_vendors_covering_every_specialty()
    check_demo_has_embeddings_long_context_chat_and_confidential_clearance()
    check_demo_includes_the_seed_articles_models_with_estimated_sizes()
    check_demo_people_units_adoptions_and_requests()
    check_demo_seed_is_idempotent()


def test_demo_refuses_to_seed_known_passwords_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())


def test_the_demos_successors_have_names_people_say_not_cost_map_keys(seeded):
    successors = AIModel.objects.filter(
        pk__in=AIModel.objects.exclude(status=ModelStatus.UNDER_REVIEW).values("successor")
    )
    assert successors.exists()
    raw = [m.name for m in successors if m.name == m.price_source_key.split("/")[-1]]
    assert raw == []
    assert AIModel.objects.get(price_source_key="claude-sonnet-5-5").name == "Claude Sonnet 5.5"
    assert successors.filter(status=ModelStatus.UNDER_REVIEW).count() == successors.count()


def test_the_demos_requesters_asked_for_units_they_belong_to(seeded):
    for request in ApprovalRequest.objects.select_related("requester", "unit"):
        assert request.requester.memberships.filter(unit=request.unit).exists(), request
    alice = User.objects.get(username="alice")
    asked = set(
        ApprovalRequest.objects.filter(requester=alice).values_list("unit__slug", flat=True)
    )
    assert asked == {"marketing"}
