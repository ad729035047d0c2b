"""The demo company: an imported catalog, a curated approved list, units, people and requests."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import APPROVERS_GROUP, CATALOG_ADMINS_GROUP, BusinessUnit, Membership, User
from catalog.choices import (
    AdoptionStatus,
    DataClassification,
    ModelStatus,
    RequestStatus,
)
from catalog.models import Adoption, AIModel, ApprovalRequest

B = 1_000_000_000
APPROVED, DEPRECATED = ModelStatus.APPROVED, ModelStatus.DEPRECATED
CONFIDENTIAL = DataClassification.CONFIDENTIAL


@dataclass(frozen=True)
class Curated:
    """How the demo company curates one imported model (keyed by its cost-map key)."""

    key: str
    name: str
    family: str
    parameters: int | None = None
    estimated: bool = False
    size_class: str = ""
    status: str = APPROVED
    clearance: str = DataClassification.INTERNAL
    open_weights: bool = False
    license: str = "Proprietary"


# Parameter counts: the vendor's where disclosed; otherwise widely reported estimates (est.).
CURATED = [
    Curated(
        "vertex_ai/claude-3-haiku@20240307",
        "Claude 3 Haiku (Vertex AI)",
        "Claude 3",
        20 * B,
        True,
        status=DEPRECATED,
    ),
    Curated(
        "vertex_ai/claude-3-sonnet@20240229",
        "Claude 3 Sonnet (Vertex AI)",
        "Claude 3",
        70 * B,
        True,
    ),
    Curated(
        "anthropic.claude-3-opus-20240229-v1:0",
        "Claude 3 Opus (Bedrock)",
        "Claude 3",
        2000 * B,
        True,
    ),
    Curated("gpt-4", "GPT-4", "GPT-4", 1760 * B, True, status=DEPRECATED),
    Curated("davinci-002", "GPT-3 davinci-002", "GPT-3", 175 * B, True, status=DEPRECATED),
    Curated(
        "fireworks_ai/accounts/fireworks/models/dbrx-instruct",
        "DBRX Instruct (Fireworks)",
        "DBRX",
        132 * B,
        open_weights=True,
        license="Databricks Open Model License",
    ),
    Curated("mistral/codestral-latest", "Codestral", "Codestral", 22 * B, clearance=CONFIDENTIAL),
    Curated(
        "embed-english-v3.0",
        "Cohere Embed English v3",
        "Cohere Embed",
        size_class="small",
        clearance=CONFIDENTIAL,
    ),
    Curated(
        "embed-multilingual-v3.0",
        "Cohere Embed Multilingual v3",
        "Cohere Embed",
        size_class="small",
    ),
    Curated(
        "rerank-english-v3.0",
        "Cohere Rerank English v3",
        "Cohere Rerank",
        size_class="small",
        clearance=CONFIDENTIAL,
    ),
    Curated("rerank-v3.5", "Cohere Rerank 3.5", "Cohere Rerank", size_class="small"),
    Curated("gpt-4o", "GPT-4o", "GPT-4o", size_class="frontier", clearance=CONFIDENTIAL),
    Curated("gpt-4o-mini", "GPT-4o mini", "GPT-4o", 8 * B, True, clearance=CONFIDENTIAL),
    Curated("gpt-4.1", "GPT-4.1", "GPT-4.1", size_class="frontier"),
    Curated("gpt-4.1-mini", "GPT-4.1 mini", "GPT-4.1", size_class="medium"),
    Curated("o3", "OpenAI o3", "o-series", size_class="frontier"),
    Curated(
        "text-embedding-3-small",
        "text-embedding-3-small",
        "OpenAI Embeddings",
        size_class="small",
        clearance=CONFIDENTIAL,
    ),
    Curated(
        "text-embedding-3-large", "text-embedding-3-large", "OpenAI Embeddings", size_class="small"
    ),
    Curated("omni-moderation-latest", "Omni Moderation", "OpenAI Moderation", size_class="small"),
    Curated("gpt-4o-transcribe", "GPT-4o Transcribe", "GPT-4o", size_class="large"),
    Curated("gpt-4o-mini-tts", "GPT-4o mini TTS", "GPT-4o", size_class="small"),
    Curated("gpt-image-1.5", "GPT Image 1.5", "GPT Image", size_class="large"),
    Curated(
        "claude-haiku-4-5",
        "Claude Haiku 4.5",
        "Claude 4.5",
        size_class="medium",
        clearance=CONFIDENTIAL,
    ),
    Curated(
        "claude-sonnet-4-5",
        "Claude Sonnet 4.5",
        "Claude 4.5",
        size_class="large",
        clearance=CONFIDENTIAL,
    ),
    Curated(
        "claude-opus-4-5",
        "Claude Opus 4.5",
        "Claude 4.5",
        size_class="frontier",
        clearance=CONFIDENTIAL,
    ),
    Curated("gemini/gemini-2.5-pro", "Gemini 2.5 Pro", "Gemini 2.5", size_class="frontier"),
    Curated("gemini/gemini-2.5-flash", "Gemini 2.5 Flash", "Gemini 2.5", size_class="large"),
    Curated(
        "gemini/gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", "Gemini 2.5", size_class="medium"
    ),
    Curated(
        "gemini/gemini-embedding-001",
        "Gemini Embedding 001",
        "Gemini Embedding",
        size_class="small",
    ),
    Curated("gemini/imagen-3.0-generate-001", "Imagen 3", "Imagen", size_class="large"),
    Curated(
        "gemini/gemma-3-27b-it",
        "Gemma 3 27B",
        "Gemma 3",
        27 * B,
        open_weights=True,
        license="Gemma",
    ),
    Curated(
        "mistral/mistral-large-latest",
        "Mistral Large 3",
        "Mistral Large",
        675 * B,
        open_weights=True,
        license="Apache-2.0",
    ),
    Curated(
        "mistral/mistral-small-latest",
        "Mistral Small",
        "Mistral Small",
        24 * B,
        open_weights=True,
        license="Apache-2.0",
    ),
    Curated(
        "mistral/ministral-8b-latest",
        "Ministral 8B",
        "Ministral",
        8 * B,
        open_weights=True,
        license="Apache-2.0",
    ),
    Curated(
        "mistral/ministral-3b-latest",
        "Ministral 3B",
        "Ministral",
        3 * B,
        open_weights=True,
        license="Apache-2.0",
    ),
    Curated(
        "mistral/devstral-small-latest",
        "Devstral Small",
        "Devstral",
        24 * B,
        open_weights=True,
        license="Apache-2.0",
    ),
    Curated(
        "mistral/pixtral-large-latest",
        "Pixtral Large",
        "Pixtral",
        124 * B,
        open_weights=True,
        license="Mistral Research",
    ),
    Curated("mistral/mistral-embed", "Mistral Embed", "Mistral Embed", size_class="small"),
    Curated("voyage/voyage-3.5", "Voyage 3.5", "Voyage 3.5", size_class="small"),
    Curated("voyage/voyage-code-3", "Voyage Code 3", "Voyage 3", size_class="small"),
    Curated("voyage/rerank-2.5", "Voyage Rerank 2.5", "Voyage Rerank", size_class="small"),
    Curated(
        "command-r-08-2024",
        "Command R",
        "Command R",
        35 * B,
        open_weights=True,
        license="CC-BY-NC-4.0",
    ),
    Curated(
        "command-r-plus-08-2024",
        "Command R+",
        "Command R",
        104 * B,
        open_weights=True,
        license="CC-BY-NC-4.0",
    ),
    Curated(
        "command-r7b-12-2024",
        "Command R7B",
        "Command R",
        7 * B,
        open_weights=True,
        license="CC-BY-NC-4.0",
    ),
    Curated(
        "deepseek/deepseek-coder",
        "DeepSeek Coder",
        "DeepSeek Coder",
        236 * B,
        open_weights=True,
        license="DeepSeek",
    ),
    Curated(
        "deepseek-reasoner",
        "DeepSeek Reasoner",
        "DeepSeek R1",
        671 * B,
        open_weights=True,
        license="MIT",
        status=DEPRECATED,
    ),
    Curated(
        "deepseek/deepseek-v3.2",
        "DeepSeek V3.2",
        "DeepSeek V3",
        671 * B,
        open_weights=True,
        license="MIT",
    ),
]

UNITS = [
    ("marketing", "Marketing", "MKT-100", 5000),
    ("engineering", "Engineering", "ENG-200", 20000),
    ("legal", "Legal", "LEG-300", 2000),
    ("customer-support", "Customer Support", "CS-400", 8000),
    ("finance", "Finance", "FIN-500", 3000),
]


def idp_group(unit_slug: str, role: str) -> str:
    """The demo identity provider's group for a unit role: "marketing-members"."""
    return f"{unit_slug}-{role}s"


# username: (first name, groups, {unit slug: role}, staff)
PEOPLE: dict[str, tuple[str, list[str], dict[str, str], bool]] = {
    "alice": ("Alice", [], {"marketing": Membership.Role.MEMBER}, False),
    "mallory": ("Mallory", [], {"engineering": Membership.Role.MEMBER}, False),
    "frank": ("Frank", [], {"marketing": Membership.Role.MANAGER}, False),
    "bob": ("Bob", [APPROVERS_GROUP], {}, False),
    "eve": ("Eve", [APPROVERS_GROUP], {}, False),
    "carol": ("Carol", [CATALOG_ADMINS_GROUP], {}, True),
    "victor": ("Victor", [], {}, False),
}

# (unit, model key, use case, requester, monthly input tokens, monthly output tokens)
ADOPTIONS = [
    ("marketing", "gpt-4o-mini", "Campaign copy drafts", "alice", 40_000_000, 8_000_000),
    ("marketing", "text-embedding-3-small", "Brand asset search", "alice", 20_000_000, 0),
    (
        "engineering",
        "mistral/codestral-latest",
        "Code completion in the IDE",
        "mallory",
        300_000_000,
        30_000_000,
    ),
    (
        "engineering",
        "claude-sonnet-4-5",
        "Code review assistant",
        "mallory",
        60_000_000,
        12_000_000,
    ),
    (
        "customer-support",
        "claude-haiku-4-5",
        "Ticket triage and replies",
        "alice",
        120_000_000,
        25_000_000,
    ),
    ("legal", "embed-english-v3.0", "Contract clause search", "alice", 15_000_000, 0),
]
PENDING = [
    (
        "marketing",
        "gemini/gemini-2.5-flash",
        "Social media summaries",
        "alice",
        30_000_000,
        6_000_000,
    ),
    ("engineering", "voyage/voyage-code-3", "Code search embeddings", "mallory", 50_000_000, 0),
]


def demo_seed(*, password: str | None = None) -> dict[str, Any]:
    """Idempotent: curated fields, units, people and requests converge to the lists above."""
    with transaction.atomic():
        models = _curate()
        units = _units()
        people = _people(units, password or settings.DEMO_PASSWORD)
        _adoptions(models, units, people)
    return {"approved": sum(1 for c in CURATED if c.status == APPROVED), "users": sorted(PEOPLE)}


def _curate() -> dict[str, AIModel]:
    by_key = {
        m.price_source_key: m
        for m in AIModel.objects.filter(price_source_key__in=[c.key for c in CURATED])
    }
    missing = [c.key for c in CURATED if c.key not in by_key]
    if missing:
        raise LookupError(f"curated models missing from the import: {', '.join(missing)}")
    for c in CURATED:
        model = by_key[c.key]
        wanted = {
            "name": c.name,
            "family": c.family,
            "parameters": c.parameters,
            "parameters_estimated": c.estimated,
            "size_class": c.size_class if c.parameters is None else model.size_class,
            "status": c.status,
            "max_data_classification": c.clearance,
            "open_weights": c.open_weights,
            "license": c.license,
        }
        if any(getattr(model, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(model, name, value)
            model.save()  # one audited change per real difference, none on a re-run
    return by_key


def _units() -> dict[str, BusinessUnit]:
    units = {}
    for slug, name, cost_center, budget in UNITS:
        units[slug], _ = BusinessUnit.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "cost_center": cost_center,
                "monthly_budget": budget,
                "idp_member_group": idp_group(slug, Membership.Role.MEMBER),
                "idp_manager_group": idp_group(slug, Membership.Role.MANAGER),
            },
        )
    return units


def _people(units: dict[str, BusinessUnit], password: str) -> dict[str, User]:
    people = {}
    for username, (first_name, groups, memberships, staff) in PEOPLE.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "email": f"{username}@example.com"},
        )
        user.is_staff = user.is_superuser = staff
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
        for slug, role in memberships.items():
            Membership.objects.update_or_create(
                user=user, unit=units[slug], defaults={"role": role}
            )
        people[username] = user
    return people


def _adoptions(
    models: dict[str, AIModel], units: dict[str, BusinessUnit], people: dict[str, User]
) -> None:
    now = timezone.now()
    approver = people["bob"]
    for unit_slug, key, use_case, requester, tokens_in, tokens_out in ADOPTIONS:
        unit, model = units[unit_slug], models[key]
        if Adoption.objects.filter(unit=unit, model=model, status=AdoptionStatus.ACTIVE).exists():
            continue
        request = ApprovalRequest.objects.create(
            model=model,
            unit=unit,
            requester=people[requester],
            use_case=use_case,
            justification="Demo adoption.",
            data_classification=DataClassification.INTERNAL,
            expected_monthly_input_tokens=tokens_in,
            expected_monthly_output_tokens=tokens_out,
            status=RequestStatus.APPROVED,
            decided_by=approver,
            decided_at=now,
            decision_comment="Fits the use case and the budget.",
        )
        Adoption.objects.create(
            unit=unit,
            model=model,
            use_case=use_case,
            approval=request,
            approved_at=now,
            expires_at=now + timedelta(days=settings.APPROVAL_VALIDITY_DAYS),
            expected_monthly_input_tokens=tokens_in,
            expected_monthly_output_tokens=tokens_out,
        )
    for unit_slug, key, use_case, requester, tokens_in, tokens_out in PENDING:
        ApprovalRequest.objects.get_or_create(
            model=models[key],
            unit=units[unit_slug],
            status=RequestStatus.PENDING,
            defaults={
                "requester": people[requester],
                "use_case": use_case,
                "justification": "We expect to save time on a recurring task.",
                "expected_monthly_input_tokens": tokens_in,
                "expected_monthly_output_tokens": tokens_out,
            },
        )
