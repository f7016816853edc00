"""The schema's error answers: every operation documents the JSON error body of its possible 4xx."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in the user's language."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "field → messages (non_field_errors for the request as a whole).",
        },
    },
    "required": ["detail", "errors"],
}
ERRORS = {
    "400": "Invalid request: field errors.",
    "401": "No valid token (missing, unknown, expired or revoked).",
    "403": "Not allowed for this role.",
    "404": "No such record in your scope.",
    "405": "Method not allowed here.",
    "413": "Request body too large.",
    "415": "Unsupported media type.",
    "429": "Too many requests.",
}
UPDATE_ERRORS = {"412": "If-Match named a version the record no longer has: someone saved it since."}


def only_api(endpoints: list[tuple[Any, ...]], **kwargs: Any) -> list[tuple[Any, ...]]:
    """The schema describes this API only (Wagtail's admin API is also built on the framework)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            codes = {**ERRORS, **(UPDATE_ERRORS if method in ("put", "patch") else {})}
            for code, description in codes.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": reference}}}
                )
    return result
