"""A unit's allow-list in LiteLLM's words: the proxy config (`?format=litellm`) names each
adoption as the unit's apps call it, carries its limits exactly when set, falls back from a
deprecated model to its adopted successor and moves an alias to it at retirement; and the body
of LiteLLM's `POST /team/update` (`?format=litellm-team`)."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import yaml
from django.utils import timezone

from catalog.choices import ModelStatus
from tests.catalog.api_support import adopt, token_client
from tests.factories import AIModelFactory, VendorFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/business-units/marketing/models/"
RETIRES = date(2031, 3, 1)


def config(user) -> dict:
    response = token_client(user).get(f"{URL}?format=litellm")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    return yaml.safe_load(response.content)


def names(config_: dict) -> dict[str, str]:
    """model_name → the catalog model it is served by."""
    return {d["model_name"]: d["model_info"]["modelshelf_model"] for d in config_["model_list"]}


def frozen_at(monkeypatch, when: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: when)


@pytest.fixture
def vendor(db):
    return VendorFactory(
        slug="openai", api_kind="openai", api_base_url="https://api.openai.com/v1",
        api_key_env="OPENAI_API_KEY",
    )  # fmt: skip


@pytest.fixture
def lineage(unit, vendor):
    """gpt-4 (deprecated, retiring on RETIRES) succeeded by gpt-4o, both adopted, until 2032."""
    successor = AIModelFactory(slug="gpt-4o", vendor=vendor, vendor_model_id="gpt-4o")
    old = AIModelFactory(
        slug="gpt-4", vendor=vendor, vendor_model_id="gpt-4", status=ModelStatus.DEPRECATED,
        deprecation_date=date(2030, 1, 1), retirement_date=RETIRES, successor=successor,
    )  # fmt: skip
    days = (datetime(2032, 1, 1, tzinfo=UTC) - timezone.now()).days
    return (
        adopt(unit, old, alias="chat", days_left=days),
        adopt(unit, successor, alias="chat-next", days_left=days),
    )


def test_aliases_name_the_deployments_and_limits_appear_exactly_when_set(member, unit, vendor):
    adopt(unit, AIModelFactory(slug="gpt-4o-mini", vendor=vendor), alias="drafts", tpm_limit=900)
    adopt(unit, AIModelFactory(slug="embed-small", vendor=vendor), rpm_limit=60)

    deployments = {d["model_name"]: d for d in config(member)["model_list"]}

    assert set(deployments) == {"drafts", "embed-small"}
    drafts, embed = deployments["drafts"]["litellm_params"], deployments["embed-small"]
    assert (drafts["tpm"], "rpm" in drafts) == (900, False)
    assert (embed["litellm_params"]["rpm"], "tpm" in embed["litellm_params"]) == (60, False)
    assert drafts["api_key"] == "os.environ/OPENAI_API_KEY"
    assert deployments["drafts"]["model_info"]["modelshelf_model"] == "gpt-4o-mini"


def test_a_deprecated_model_falls_back_to_its_adopted_successor(monkeypatch, member, lineage):
    frozen_at(monkeypatch, datetime(2031, 2, 28, 12, tzinfo=UTC))

    exported = config(member)

    assert names(exported) == {"chat": "gpt-4", "chat-next": "gpt-4o"}
    assert exported["router_settings"] == {"fallbacks": [{"chat": ["chat-next"]}]}


def test_at_retirement_the_alias_moves_to_the_adopted_successor(monkeypatch, member, lineage):
    frozen_at(monkeypatch, datetime(2031, 3, 1, 0, 1, tzinfo=UTC))

    exported = config(member)

    assert names(exported) == {"chat": "gpt-4o", "chat-next": "gpt-4o"}
    moved = next(d for d in exported["model_list"] if d["model_name"] == "chat")
    assert moved["model_info"]["replaces"] == "chat"
    assert "router_settings" not in exported


def test_at_retirement_the_alias_leaves_when_the_successor_is_not_adopted(
    monkeypatch, member, lineage
):
    lineage[1].status = "revoked"
    lineage[1].save()
    frozen_at(monkeypatch, datetime(2031, 3, 2, tzinfo=UTC))

    assert config(member)["model_list"] == []


def test_a_retired_models_slug_does_not_move(monkeypatch, member, lineage):
    lineage[0].alias = ""
    lineage[0].save()
    frozen_at(monkeypatch, datetime(2031, 3, 2, tzinfo=UTC))

    assert names(config(member)) == {"chat-next": "gpt-4o"}


def test_renaming_an_adoption_changes_the_exports_etag(member, unit, vendor):
    adoption = adopt(unit, AIModelFactory(slug="gpt-4o-mini", vendor=vendor))
    api = token_client(member)
    etag = api.get(f"{URL}?format=litellm")["ETag"]

    adoption.alias = "drafts"
    adoption.save()

    assert api.get(f"{URL}?format=litellm", headers={"If-None-Match": etag}).status_code == 200


def test_the_team_body_is_what_litellm_team_update_takes(member, unit, vendor):
    unit.monthly_budget = Decimal("1200.00")
    unit.save()
    adopt(unit, AIModelFactory(slug="gpt-4o-mini", vendor=vendor), alias="drafts", tpm_limit=900)
    adopt(unit, AIModelFactory(slug="embed-small", vendor=vendor), tpm_limit=100, rpm_limit=5)

    response = token_client(member).get(f"{URL}?format=litellm-team&team_id=team-mkt-1")

    assert response["Content-Type"].startswith("application/vnd.litellm.team+json")
    assert json.loads(response.content) == {
        "team_id": "team-mkt-1",
        "models": ["drafts", "embed-small"],
        "tpm_limit": 1000,
        "rpm_limit": None,  # one adoption has no limit: the team has none either
        "max_budget": 1200.0,
        "budget_duration": "30d",
    }


def test_a_team_whose_unit_may_call_nothing_is_blocked_not_opened(member, unit):
    body = token_client(member).get(f"{URL}?format=litellm-team").json()

    assert (body["team_id"], body["models"], body["blocked"]) == ("marketing", [], True)


def test_a_malformed_team_id_is_refused_naming_it(member, unit):
    response = token_client(member).get(f"{URL}?format=litellm-team&team_id=a%20b")

    assert response.status_code == 400
    assert "team_id" in response.json()


def test_the_budget_is_the_sum_of_the_adoptions_when_the_unit_has_none(member, unit, vendor):
    unit.monthly_budget = None
    unit.save()
    adopt(unit, AIModelFactory(vendor=vendor), monthly_budget=Decimal("10.50"))
    adopt(unit, AIModelFactory(vendor=vendor), monthly_budget=Decimal("4.50"))

    body = token_client(member).get(f"{URL}?format=litellm-team").json()

    assert (body["max_budget"], body["budget_duration"]) == (15.0, "30d")


def test_a_lapsed_adoption_leaves_the_export(member, unit, vendor):
    adopt(unit, AIModelFactory(slug="gone", vendor=vendor), alias="old", days_left=-1)
    adopt(unit, AIModelFactory(slug="kept", vendor=vendor), days_left=3)

    assert set(names(config(member))) == {"kept"}
