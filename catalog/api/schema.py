"""OpenAPI post-processing: document the error answers every operation can give.

DRF views answer 400/401/403/404/409/429 with {"detail": …} or {field: [messages]}; declaring
them once here keeps the schema honest for clients and for schemathesis' status-code checks.
"""

from typing import Any

ERRORS = {
    "400": "Bad input: the body names each offending field or parameter.",
    "401": "No credentials: send `Authorization: Token <key>` or log in.",
    "403": "Authenticated, but this role may not do this.",
    "404": "Not found, or not visible to you.",
    "409": "The current state forbids it (a duplicate, a decision already made, in use).",
    "429": "Too many calls for this token; retry after the Retry-After header.",
}
ERROR_SCHEMA = {
    "type": "object",
    "description": '{"detail": "…"} or {"field": ["…"]}',
    "additionalProperties": True,
}


def add_error_responses(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result
