"""What the API tests share: walking a list by its cursor links, and the schema /api/v1/schema/ publishes."""

import json

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


def walk(client, url, params=None, **headers):
    """Every row of a list, following `next` links; also the number of pages."""
    rows, pages = [], 0
    response = client.get(url, params or {}, **headers)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        pages += 1
        if not body["next"]:
            return rows, pages
        response = client.get(body["next"], **headers)


def published_schema() -> dict:
    """The schema /api/v1/schema/ serves, built as its view builds it (at collection time, without a database:
    schemathesis's lazy per-fixture loading does not run under pytest 9). test_api.py checks that the view serves it."""
    generator = SchemaGenerator()
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))
