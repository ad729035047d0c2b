"""The demo company: an imported catalog, a curated approved list, units, people and requests.

What the company is (its curation, units, people, adoptions) is data, in
catalog/data/demo_company.yaml; this module only makes the database converge to it."""

import functools
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import BusinessUnit, Membership, User
from catalog.choices import AdoptionStatus, DataClassification, ModelStatus, RequestStatus
from catalog.models import Adoption, AIModel, ApprovalRequest

DATA = Path(__file__).resolve().parents[1] / "data" / "demo_company.yaml"
B = 1_000_000_000


@dataclass(frozen=True)
class Curated:
    """How the demo company curates one imported model (keyed by its cost-map key)."""

    key: str
    name: str
    family: str
    parameters_billions: int | None = None
    estimated: bool = False
    size_class: str = ""
    status: str = ModelStatus.APPROVED
    clearance: str = DataClassification.INTERNAL
    open_weights: bool = False
    license: str = "Proprietary"

    @property
    def parameters(self) -> int | None:
        return None if self.parameters_billions is None else self.parameters_billions * B


@dataclass(frozen=True)
class Unit:
    slug: str
    name: str
    cost_center: str
    monthly_budget: int


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    groups: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)  # unit slug → membership role
    staff: bool = False


@dataclass(frozen=True)
class Use:
    """An adoption (or a pending request) of the demo company."""

    unit: str
    model: str  # cost-map key
    use_case: str
    requester: str
    monthly_input_tokens: int
    monthly_output_tokens: int


@dataclass(frozen=True)
class Company:
    curated: list[Curated]
    units: list[Unit]
    people: list[Person]
    adoptions: list[Use]
    pending: list[Use]


@functools.cache
def company() -> Company:
    """The demo company as its data file describes it."""
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return Company(
        curated=[Curated(**c) for c in raw["curated"]],
        units=[Unit(**u) for u in raw["units"]],
        people=[Person(**p) for p in raw["people"]],
        adoptions=[Use(**a) for a in raw["adoptions"]],
        pending=[Use(**a) for a in raw["pending"]],
    )


def idp_group(unit_slug: str, role: str) -> str:
    """The demo identity provider's group for a unit role: "marketing-members"."""
    return f"{unit_slug}-{role}s"


def demo_seed(*, password: str | None = None) -> dict[str, Any]:
    """Idempotent: curated fields, units, people and requests converge to the lists above."""
    with transaction.atomic():
        models = _curate()
        units = _units()
        people = _people(units, password or settings.DEMO_PASSWORD)
        _adoptions(models, units, people)
    return {
        "approved": sum(1 for c in company().curated if c.status == ModelStatus.APPROVED),
        "users": sorted(people),
    }


def _curate() -> dict[str, AIModel]:
    curated = company().curated
    by_key = {
        m.price_source_key: m
        for m in AIModel.objects.filter(price_source_key__in=[c.key for c in curated])
    }
    missing = [c.key for c in curated if c.key not in by_key]
    if missing:
        raise LookupError(f"curated models missing from the import: {', '.join(missing)}")
    for c in curated:
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
    for unit in company().units:
        units[unit.slug], _ = BusinessUnit.objects.update_or_create(
            slug=unit.slug,
            defaults={
                "name": unit.name,
                "cost_center": unit.cost_center,
                "monthly_budget": unit.monthly_budget,
                "idp_member_group": idp_group(unit.slug, Membership.Role.MEMBER),
                "idp_manager_group": idp_group(unit.slug, Membership.Role.MANAGER),
            },
        )
    return units


def _people(units: dict[str, BusinessUnit], password: str) -> dict[str, User]:
    people = {}
    for person in company().people:
        user, _ = User.objects.get_or_create(
            username=person.username,
            defaults={"first_name": person.first_name, "email": f"{person.username}@example.com"},
        )
        user.is_staff = user.is_superuser = person.staff
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in person.groups])
        for slug, role in person.units.items():
            Membership.objects.update_or_create(
                user=user, unit=units[slug], defaults={"role": role}
            )
        people[person.username] = user
    return people


def _adoptions(
    models: dict[str, AIModel], units: dict[str, BusinessUnit], people: dict[str, User]
) -> None:
    now = timezone.now()
    approver = people["bob"]
    for use in company().adoptions:
        unit, model = units[use.unit], models[use.model]
        if Adoption.objects.filter(unit=unit, model=model, status=AdoptionStatus.ACTIVE).exists():
            continue
        request = ApprovalRequest.objects.create(
            model=model,
            unit=unit,
            requester=people[use.requester],
            use_case=use.use_case,
            justification="Demo adoption.",
            data_classification=DataClassification.INTERNAL,
            expected_monthly_input_tokens=use.monthly_input_tokens,
            expected_monthly_output_tokens=use.monthly_output_tokens,
            status=RequestStatus.APPROVED,
            decided_by=approver,
            decided_at=now,
            decision_comment="Fits the use case and the budget.",
        )
        Adoption.objects.create(
            unit=unit,
            model=model,
            use_case=use.use_case,
            approval=request,
            approved_at=now,
            expires_at=now + timedelta(days=settings.APPROVAL_VALIDITY_DAYS),
            expected_monthly_input_tokens=use.monthly_input_tokens,
            expected_monthly_output_tokens=use.monthly_output_tokens,
        )
    for use in company().pending:
        ApprovalRequest.objects.get_or_create(
            model=models[use.model],
            unit=units[use.unit],
            status=RequestStatus.PENDING,
            defaults={
                "requester": people[use.requester],
                "use_case": use.use_case,
                "justification": "We expect to save time on a recurring task.",
                "expected_monthly_input_tokens": use.monthly_input_tokens,
                "expected_monthly_output_tokens": use.monthly_output_tokens,
            },
        )
