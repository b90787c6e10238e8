"""Read replicas: reads go to the `replica` database, writes and migrations to `default` (the primary).

Enabled only when DATABASE_REPLICA_URL is set (settings.py adds the `replica` alias and this router). Two exceptions
keep a user's own writes visible despite replication lag:
- reads inside a transaction on the primary (a service that writes, then reads what it wrote) stay on the primary;
- sessions, users and login throttling (auth, sessions, axes) are always read from the primary, so a login or a
  lockout takes effect on the very next request.
Everything else (tables, dashboards, exports) tolerates a replica that is a second behind. See docs/scaling.md.
"""

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PRIMARY_ONLY_APPS = {"auth", "sessions", "axes", "admin", "contenttypes"}


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives the schema by replication, never by `migrate`.
        return db == DEFAULT_DB_ALIAS
