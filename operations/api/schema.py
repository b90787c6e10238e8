"""What the OpenAPI schema says beyond the views' classes: each view's summary, the token's security scheme, and the
errors every endpoint can answer (for clients and schemathesis).

drf-spectacular is imported here only, when a schema is generated (SPECTACULAR_SETTINGS' hooks name this module):
its @extend_schema on the views would import its schema class at start, and with it DRF's test client, django.test
and unittest, ~3.5 MB in every server process (docs/performance.md "Memory"). View extensions describe the views
instead, from outside.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers

from . import queries as api_queries
from . import serializers as api_serializers
from .authentication import ApiTokenAuthentication


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token as the OpenAPI schema describes it (a bearer token). Defining the class registers it."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token from your profile page."}


def _views():
    """View name in views.py -> what @extend_schema says of it."""
    return {
        "OperationListView": {"summary": "Operations"},
        "OperationDetailView": {"summary": "One operation, with every source's report of each figure"},
        "ResultListView": {"summary": "Results per operation and country"},
        "CountryListView": {"summary": "Countries with their qualified totals"},
        "CountryDetailView": {"summary": "One country with its qualified totals"},
        "SourceListView": {"summary": "Sources"},
        "SourceDetailView": {"summary": "One source"},
        "DeletionListView": {
            "summary": "Deleted rows",
            "description": "Operations, results and sources deleted (and not restored), and countries left without "
            "results (gone from the countries list): what a mirror must drop.",
            "parameters": [
                OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="Deleted at or after (ISO 8601)."),
                OpenApiParameter("kind", str, many=True, enum=list(api_queries.DELETION_KINDS)),
            ],
        },
        "RootView": {
            "summary": "Index",
            "responses": inline_serializer(
                "ApiIndex",
                {
                    "meta": api_serializers.ResponseMetaSerializer(),
                    "endpoints": serializers.DictField(child=serializers.URLField()),
                },
            ),
        },
    }


def _view_extension(view, schema):
    """An extension (registered by being defined) that gives `view` the @extend_schema(**schema) decoration."""

    def view_replacement(self):
        return extend_schema(**schema)(self.target_class)

    return type(
        f"{view}Schema",
        (OpenApiViewExtension,),
        {"target_class": f"operations.api.views.{view}", "view_replacement": view_replacement},
    )


VIEW_EXTENSIONS = [_view_extension(view, schema) for view, schema in _views().items()]


def endpoints_as_they_are(endpoints):
    """A preprocessing hook that changes nothing: naming it in SPECTACULAR_SETTINGS makes drf-spectacular import
    this module, and so register the extensions above, before it describes any endpoint, however the schema is
    generated (the schema view, `manage.py spectacular`, tests/helpers/api.py)."""
    return endpoints


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
