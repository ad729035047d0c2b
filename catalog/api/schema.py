"""OpenAPI post-processing: the one error shape every operation can answer, and the links that
lead from a created request to its decisions and from an adoption to revoke and renew.

The schema is held to the server's answers by tests/test_fuzz_api.py (schemathesis, every
check) and committed as docs/openapi.yaml (tests/catalog/test_api_schema.py fails on drift).
"""

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

ERRORS = {
    "400": "Bad input: the body names each offending field or parameter.",
    "401": "No credentials: send `Authorization: Token <key>` or log in.",
    "403": "Authenticated, but this role may not do this.",
    "404": "Not found, or not visible to you.",
    "409": "The current state forbids it (a duplicate, a decision already made, in use).",
    "429": "Too many calls for this token; retry after the Retry-After header.",
    "503": "The database is briefly unreachable; retry after the Retry-After header.",
}
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer, whatever format was asked for, is JSON of this shape. "
    '`detail` says what went wrong for the call as a whole (`{"detail": "Not found."}`); a 400 '
    "on input names each offending field or parameter instead, with its messages "
    '(`{"page_size": ["must be a whole number from 1 (got \'0\')"]}`), or, for nested input, '
    'an object of them keyed by position or sub-field (`{"evidence": {"0": ["…"]}}`).',
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]
    },
}
CSV_SCHEMA = {
    "type": "string",
    "description": "CSV (UTF-8, header row) of every matching row; see catalog/csv_export.py.",
}
ERROR_RESPONSE = {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
}


def _link(operation_id: str, pointer: str, description: str) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "parameters": {"id": f"$response.body#{pointer}"},
        "description": description,
    }


def _request_links(pointer: str) -> dict[str, Any]:
    return {
        "GetApprovalRequest": _link("approval_requests_retrieve", pointer, "Read the request."),
        "ApproveRequest": _link("approval_requests_approve_create", pointer, "Approve it."),
        "RejectRequest": _link("approval_requests_reject_create", pointer, "Reject it."),
        "WithdrawRequest": _link("approval_requests_withdraw_create", pointer, "Withdraw it."),
    }


def _adoption_links(pointer: str) -> dict[str, Any]:
    return {
        "GetAdoption": _link("adoptions_retrieve", pointer, "Read the adoption."),
        "RevokeAdoption": _link("adoptions_revoke_create", pointer, "Revoke it."),
        "UndoRevokeAdoption": _link(
            "adoptions_undo_revoke_create", pointer, "Undo its revocation (within 10 minutes)."
        ),
        "RenewAdoption": _link("adoptions_renew_create", pointer, "Renew it for another term."),
    }


# (path, method, status) → the links its answer offers.
LINKS: dict[tuple[str, str, str], dict[str, Any]] = {
    ("/api/v1/approval-requests/", "post", "201"): _request_links("/id"),
    ("/api/v1/approval-requests/", "get", "200"): _request_links("/results/0/id"),
    ("/api/v1/approval-requests/{id}/approve/", "post", "200"): _adoption_links("/adoption"),
    ("/api/v1/adoptions/", "get", "200"): _adoption_links("/results/0/id"),
    ("/api/v1/adoptions/{id}/", "get", "200"): _adoption_links("/id"),
}


# Query parameters refused when sent empty; every other one (filters, paging, format) reads an
# empty value as not given, as django-filter and DRF do, and says so with `allowEmptyValue`.
STRICT_QUERY = {("/api/v1/recommendations/", "*"), ("/api/v1/models/{slug}/prices/", "at")}


def _empty_means_absent(path: str, parameters: list[dict[str, Any]]) -> None:
    for parameter in parameters:
        name = parameter.get("name")
        if parameter.get("in") == "query" and not {(path, "*"), (path, name)} & STRICT_QUERY:
            parameter["allowEmptyValue"] = True


def paginated(
    serializer: type[serializers.Serializer[Any]], name: str
) -> serializers.Serializer[Any]:
    """The page shape catalog.api.pagination.Pagination answers, for operations that can also
    answer something else (so drf-spectacular cannot wrap the list itself)."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer(many=True),
        },
    )


def add_error_responses_and_links(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components.setdefault("responses", {}).update(
        {f"Error{code}": {"description": text, **ERROR_RESPONSE} for code, text in ERRORS.items()}
    )
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            _empty_means_absent(path, operation.get("parameters", []))
            responses = operation.setdefault("responses", {})
            for code in ERRORS:
                if code in responses:  # an operation's own wording, in the common shape
                    responses[code].update(ERROR_RESPONSE)
                else:
                    responses[code] = {"$ref": f"#/components/responses/Error{code}"}
            for code, response in responses.items():
                if "text/csv" in response.get("content", {}):
                    response["content"]["text/csv"] = {"schema": CSV_SCHEMA}
                if links := LINKS.get((path, method, code)):
                    response["links"] = links
    return result
