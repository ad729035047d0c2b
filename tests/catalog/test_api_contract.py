"""Each answer the issue found contradicting the schema, now held to it: called through the WSGI
app by schemathesis and checked for documented status, content type and body."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalog.choices import DataClassification, PriceSource
from catalog.models import PriceObservation
from catalog.services.approvals import approval_request_approve, approval_request_create
from catalog.vendors.litellm import parse_entry
from core.choices import JobKind
from core.models import JobRun
from tests.catalog.api_support import adopt
from tests.factories import AIModelFactory
from tests.openapi_support import keep_test_connection, wsgi_schema  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection")]
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


def conforming(user, method: str, path: str, **case: object):
    """The answer to `method path` as `user` (None: no credentials), checked against the schema."""
    operation = wsgi_schema()[path][method]
    headers = {}
    if user is not None:
        headers["Authorization"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    return operation.Case(**case).call_and_validate(headers=headers, checks=CHECKS)


def _request(member, unit, model):
    return approval_request_create(
        requester=member,
        model=model,
        unit=unit,
        use_case="Drafting replies",
        data_classification=DataClassification.INTERNAL,
    )


def test_a_pending_request_nobody_decided_matches_the_schema(member, unit):
    pending = _request(member, unit, AIModelFactory())
    listed = conforming(member, "GET", "/api/v1/approval-requests/")
    assert listed.json()["results"][0]["decided_by"] is None
    one = conforming(
        member, "GET", "/api/v1/approval-requests/{id}/", path_parameters={"id": pending.pk}
    )
    assert one.json()["decided_by"] is None


def test_a_job_run_over_every_vendor_matches_the_schema(catalog_admin):
    run = JobRun.objects.create(kind=JobKind.CHECK_AVAILABILITY, started_at=timezone.now())
    assert (
        conforming(catalog_admin, "GET", "/api/v1/job-runs/").json()["results"][0]["vendor"] is None
    )
    one = conforming(catalog_admin, "GET", "/api/v1/job-runs/{id}/", path_parameters={"id": run.pk})
    assert one.json()["vendor"] is None


def test_a_model_that_outputs_code_matches_the_schema(member):
    AIModelFactory(slug="codex", output_modalities=["text", "code"])
    listed = conforming(member, "GET", "/api/v1/models/")
    assert listed.json()["results"][0]["output_modalities"] == ["text", "code"]


def test_import_keeps_only_the_modalities_the_schema_names():
    entry = parse_entry(
        "openai/codex-mini",
        {
            "litellm_provider": "openai",
            "mode": "responses",
            "supported_modalities": ["text", "hologram", "text"],
            "supported_output_modalities": ["code", "smell"],
        },
    )
    assert (entry.input_modalities, entry.output_modalities) == (["text"], ["code"])


def test_the_price_ledger_and_the_price_on_a_day_both_match_the_schema(member):
    model = AIModelFactory(slug="gpt-4o")
    PriceObservation.objects.create(
        model=model,
        observed_at=timezone.now() - timedelta(days=2),
        input_price_per_mtok=Decimal("2.500000"),
        output_price_per_mtok=Decimal("10.000000"),
        source=PriceSource.MANUAL,
    )
    path = "/api/v1/models/{slug}/prices/"
    ledger = conforming(member, "GET", path, path_parameters={"slug": "gpt-4o"})
    assert ledger.json()["count"] == 1
    on_day = conforming(
        member,
        "GET",
        path,
        path_parameters={"slug": "gpt-4o"},
        query={"at": timezone.now().date().isoformat()},
    )
    assert on_day.json()["input_price_per_mtok"] == "2.500000"


def test_a_units_allow_list_matches_the_schema(member, unit):
    adopt(unit, AIModelFactory())
    path = "/api/v1/business-units/{slug}/models/"
    answer = conforming(member, "GET", path, path_parameters={"slug": unit.slug})
    assert answer.json()["count"] == 1 and len(answer.json()["results"]) == 1


@pytest.mark.parametrize(
    ("who", "method", "path", "case", "status"),
    [
        ("member", "GET", "/api/v1/models/", {"query": {"page_size": "0"}}, 400),
        (None, "GET", "/api/v1/models/", {}, 401),
        ("member", "GET", "/api/v1/job-runs/", {}, 403),
        ("member", "GET", "/api/v1/models/{slug}/", {"path_parameters": {"slug": "nope"}}, 404),
    ],
)
def test_error_answers_match_the_one_documented_error_shape(
    member, who, method, path, case, status
):
    answer = conforming(member if who else None, method, path, **case)
    assert answer.status_code == status
    assert set(answer.json()) <= {"detail", "page_size"}


def test_a_conflict_matches_the_one_documented_error_shape(member, approver, unit):
    pending = _request(member, unit, AIModelFactory())
    approval_request_approve(request=pending, approver=approver)
    path = "/api/v1/approval-requests/{id}/approve/"
    again = conforming(
        approver,
        "POST",
        path,
        path_parameters={"id": pending.pk},
        body={},
        media_type="application/json",
    )
    assert again.status_code == 409 and "detail" in again.json()


def test_every_error_status_is_documented_once_on_every_operation():
    schema = wsgi_schema().raw_schema
    for operations in schema["paths"].values():
        for operation in operations.values():
            for code in ("400", "401", "403", "404", "409", "429", "503"):
                response = operation["responses"][code]
                assert response.get("$ref", "").startswith("#/components/responses/Error") or (
                    response["content"]["application/json"]["schema"]
                    == {"$ref": "#/components/schemas/Error"}
                )


def test_links_lead_from_a_new_request_to_its_decisions_and_from_an_adoption_to_revoke_and_renew():
    paths = wsgi_schema().raw_schema["paths"]
    operation_ids = {op["operationId"] for ops in paths.values() for op in ops.values()}

    def links(path: str, method: str, code: str) -> dict[str, str]:
        found = paths[path][method]["responses"][code]["links"]
        assert {link["operationId"] for link in found.values()} <= operation_ids
        return {name: link["parameters"]["id"] for name, link in found.items()}

    created = links("/api/v1/approval-requests/", "post", "201")
    assert {"ApproveRequest", "RejectRequest", "WithdrawRequest"} <= set(created)
    assert set(created.values()) == {"$response.body#/id"}
    approved = links("/api/v1/approval-requests/{id}/approve/", "post", "200")
    assert approved["RevokeAdoption"] == approved["RenewAdoption"] == "$response.body#/adoption"
    adoption = links("/api/v1/adoptions/{id}/", "get", "200")
    assert {"RevokeAdoption", "RenewAdoption"} <= set(adoption)


def test_an_empty_filter_reads_as_not_given_and_the_schema_says_so(member):
    AIModelFactory(slug="gpt-4o")
    answer = conforming(
        member, "GET", "/api/v1/models/", query={"status": "", "vendor": "", "page": ""}
    )
    assert answer.json()["count"] == 1
    parameters = wsgi_schema().raw_schema["paths"]["/api/v1/models/"]["get"]["parameters"]
    assert all(p.get("allowEmptyValue") for p in parameters if p["in"] == "query")
    at = wsgi_schema().raw_schema["paths"]["/api/v1/models/{slug}/prices/"]["get"]["parameters"]
    assert not next(p for p in at if p["name"] == "at").get("allowEmptyValue")


def test_an_ordering_of_empty_sort_keys_is_a_400_not_a_server_error(member):
    """Found by make fuzz on PostgreSQL (`?ordering=,`); SQLite failed the same way."""
    AIModelFactory()
    answer = conforming(member, "GET", "/api/v1/models/", query={"ordering": ","})
    assert answer.status_code == 400 and "ordering" in answer.json()
