"""drf-spectacular hook: the errors every endpoint can answer, in the schema, for clients and schemathesis."""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Per parameter, what is wrong with it (400 only).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}

ERRORS = {
    "400": "A parameter is invalid: `errors` names it and says why.",
    "401": "No session and no token, or a bad or revoked token.",
    "403": "The account may not do this (more than 100 rows a page needs the export permission).",
    "404": "No such object.",
    "405": "Only GET, HEAD and OPTIONS.",
    "406": "The Accept header asks for a format the API does not serve (it serves JSON).",
    "429": "Too many requests from this token: wait the Retry-After header's seconds.",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for status, description in ERRORS.items():
                operation["responses"].setdefault(status, {"description": description, "content": reference})
    return result
