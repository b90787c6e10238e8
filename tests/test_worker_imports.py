"""What a server process loads: modules a worker never uses cost memory in every worker (issue 19, docs/performance.md
"Memory")."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # two Django processes started with the warm-up

SERVER_MODULES = """
import json, sys
import trafficking_ops.wsgi  # the app as gunicorn loads it, warm-up included
import operations.api.views, operations.views, rest_framework.compat, django_tables2
print(json.dumps(sorted(set(sys.modules) & {"psycopg2", "psycopg", "drf_spectacular.openapi"})))
"""


def modules_loaded_by_a_server(database_url, tmp_path):
    unset = ("DATABASE_REPLICA_URL", "DJANGO_SETTINGS_MODULE")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(SECRET_KEY="imports-test", DATABASE_URL=database_url, STATIC_ROOT=str(tmp_path))
    output = subprocess.run(
        [sys.executable, "-c", SERVER_MODULES], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(output.stdout.splitlines()[-1])


def test_a_server_on_sqlite_loads_neither_psycopg2_nor_the_openapi_schema_generator(tmp_path):
    assert modules_loaded_by_a_server(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path) == []


def test_a_server_on_postgresql_still_loads_its_driver(tmp_path):
    # Importing opens no connection: the URL need not answer.
    assert modules_loaded_by_a_server("postgres://nobody:nothing@127.0.0.1:9/none", tmp_path) == ["psycopg2"]
