"""A typed client generated from the schema, as internal tools build theirs, walks the approval
workflow: every answer parses into the generated pydantic models (undeclared fields refused).

The models are generated here into tmp_path by datamodel-code-generator (pinned in
requirements-dev.txt), never committed.
"""

import importlib.util
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from types import ModuleType

import pytest
from django.core.management import call_command

from catalog.choices import DataClassification
from tests.catalog.api_support import adopt, token_client
from tests.factories import AIModelFactory, VendorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def client_models(tmp_path_factory, django_db_setup, django_db_blocker) -> ModuleType:
    """The pydantic models datamodel-code-generator makes of the schema the code serves."""
    folder = tmp_path_factory.mktemp("generated_client")
    schema, target = folder / "openapi.yaml", folder / "modelshelf_client.py"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--file", str(schema), stdout=StringIO())
    subprocess.run(
        [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            *("--input", str(schema), "--input-file-type", "openapi"),
            *("--output", str(target), "--output-model-type", "pydantic_v2.BaseModel"),
            *("--extra-fields", "forbid", "--field-constraints", "--strict-nullable"),
        ],
        check=True,
        capture_output=True,
    )
    spec = importlib.util.spec_from_file_location("modelshelf_client", target)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves forward references through it
    spec.loader.exec_module(module)
    return module


def test_a_generated_client_walks_request_approval_and_adoption(
    client_models, member, approver, unit
):
    api = client_models
    vendor = VendorFactory(slug="openai")
    gpt = AIModelFactory(slug="gpt-4o", vendor=vendor, output_modalities=["text", "code"])
    AIModelFactory(slug="gpt-4o-mini", vendor=vendor, input_price_per_mtok=Decimal("0.150000"))
    AIModelFactory(slug="claude")
    adopt(unit, AIModelFactory(slug="embedder"))
    alice, bob = token_client(member), token_client(approver)

    listed = api.PaginatedAIModelList.model_validate(
        alice.get("/api/v1/models/", {"vendor": "openai", "ordering": "input_price"}).json()
    )
    assert [m.slug for m in listed.results] == ["gpt-4o-mini", "gpt-4o"]
    assert listed.results[0].input_price_per_mtok == Decimal("0.150000")

    allow_list = api.PaginatedUnitAdoptionList.model_validate(
        alice.get(f"/api/v1/business-units/{unit.slug}/models/").json()
    )
    assert [a.model.slug for a in allow_list.results] == ["embedder"]

    asked = api.ApprovalRequestCreateRequest(
        model=gpt.slug,
        business_unit=unit.slug,
        use_case="Support replies",
        data_classification=DataClassification.INTERNAL,
        expected_monthly_input_tokens=1_000_000,
    )
    created = alice.post(
        "/api/v1/approval-requests/",
        asked.model_dump(mode="json", exclude_unset=True),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pending = api.ApprovalRequestDetail.model_validate(created.json())
    assert pending.decided_by is None and pending.adoption is None

    decided = bob.post(
        f"/api/v1/approval-requests/{pending.id}/approve/",
        api.DecisionRequest(comment="Fine").model_dump(mode="json"),
        content_type="application/json",
    )
    approved = api.ApprovalRequestDetail.model_validate(decided.json())
    assert approved.decided_by == "bob" and approved.adoption is not None

    adoption = api.Adoption.model_validate(
        alice.get(f"/api/v1/adoptions/{approved.adoption}/").json()
    )
    assert adoption.model.slug == "gpt-4o" and adoption.business_unit == unit.slug


def test_a_generated_client_parses_the_documented_error_shape(client_models, member):
    answer = token_client(member).get("/api/v1/models/nope/")
    assert answer.status_code == 404
    assert client_models.Error.model_validate(answer.json()).detail
