"""The read-replica router: reads to the replica, writes and migrations to the primary, and only when configured."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction

from operations.models import CountryTotal, Operation, Participation
from trafficking_ops.db_router import ReplicaRouter

ROOT = Path(__file__).resolve().parent.parent
router = ReplicaRouter()


def test_reads_of_the_tracker_data_go_to_the_replica():
    for model in (Operation, Participation, CountryTotal):
        assert router.db_for_read(model) == "replica"


def test_writes_always_go_to_the_primary():
    for model in (Operation, Participation, User, Session):
        assert router.db_for_write(model) == "default"


def test_sessions_and_users_are_read_from_the_primary_so_a_login_counts_at_once():
    assert router.db_for_read(Session) == "default"
    assert router.db_for_read(User) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary_to_see_their_own_writes():
    with transaction.atomic():
        assert router.db_for_read(Operation) == "default"
    assert router.db_for_read(Operation) == "replica"


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "operations")
    assert not router.allow_migrate("replica", "operations")


def settings_with(environment):
    """DATABASES and DATABASE_ROUTERS as settings.py builds them from this environment, in a fresh interpreter."""
    code = (
        "import json, trafficking_ops.settings as s;"
        "print(json.dumps({'aliases': sorted(s.DATABASES), 'routers': getattr(s, 'DATABASE_ROUTERS', []),"
        " 'replica': s.DATABASES.get('replica', {}).get('HOST')}))"
    )
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_REPLICA_URL"}
    env.update(SECRET_KEY="router-test", **environment)
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


def test_without_a_replica_url_there_is_no_router():
    assert settings_with({}) == {"aliases": ["default"], "routers": [], "replica": None}


def test_a_replica_url_adds_the_replica_and_the_router():
    found = settings_with({"DATABASE_REPLICA_URL": "postgres://tracker:secret@replica.internal:5432/tracker"})
    assert found == {
        "aliases": ["default", "replica"],
        "routers": ["trafficking_ops.db_router.ReplicaRouter"],
        "replica": "replica.internal",
    }
