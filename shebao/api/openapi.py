"""The published schema says what every operation may answer: the shared error responses and
the Idempotency-Key header are added to each operation instead of being repeated by hand."""

from __future__ import annotations

from typing import Any

from shebao.api.schemas import ErrorOut

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
ERROR_DESCRIPTIONS = {
    400: "Refused by a rule (code, message_zh, message_en, detail)",
    401: "Not authenticated",
    403: "Not permitted, or outside the token's scopes",
    404: "Not found, or outside the caller's data scope",
    409: "An earlier request with this Idempotency-Key has not finished",
    422: "The request does not match the schema, or an Idempotency-Key was reused",
    429: "Rate limit exceeded (see Retry-After)",
    500: "Internal error (logged)",
}
IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same key when retrying: the first result is returned again. "
    "1–100 letters, digits or . _ : -",
    "schema": {"type": "string", "pattern": r"^[A-Za-z0-9._:\-]{1,100}$"},
}


def add_shared_responses(schema: dict[str, Any]) -> dict[str, Any]:
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = [400, 404, 422, 429, 500]
            if operation.get("security"):
                statuses += [401, 403]
            if method == "post":
                statuses.append(409)
                operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
            responses = operation["responses"]
            for status in statuses:
                if status in responses or str(status) in responses:
                    continue
                responses[status] = {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ErrorOut.model_json_schema())
    return schema
