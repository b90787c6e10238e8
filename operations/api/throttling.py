"""Rate limits per API token (per user for a session): 429 with Retry-After past settings' `api` rate, counted in the
database so that every server process (gunicorn's workers, several servers) shares one count per client."""

import time

from django.db import connection
from rest_framework.throttling import SimpleRateThrottle

from ..models import ApiRateCount, ApiToken


def count_request(client: str, window_start: int) -> int:
    """Count one request of `client` in the window starting at `window_start` and return the window's count so far:
    one INSERT ... ON CONFLICT DO UPDATE ... RETURNING (SQLite 3.35+, PostgreSQL), atomic whichever process runs it,
    where a cache's read-then-write would lose counts between processes. A new window starts the row again at 1."""
    quote = connection.ops.quote_name
    table, client_, start, count = map(quote, (ApiRateCount._meta.db_table, "client", "window_start", "count"))
    sql = (
        f"INSERT INTO {table} ({client_}, {start}, {count}) VALUES (%s, %s, 1) "
        f"ON CONFLICT ({client_}) DO UPDATE SET "
        f"{count} = CASE WHEN {table}.{start} = excluded.{start} THEN {table}.{count} + 1 ELSE 1 END, "
        f"{start} = excluded.{start} RETURNING {count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [client, window_start])
        return cursor.fetchone()[0]


class PerTokenRateThrottle(SimpleRateThrottle):
    """`num_requests` per fixed window of `duration` seconds (the `api` rate, e.g. 1200/hour) and client."""

    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return f"token-{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return f"user-{request.user.pk}"
        return f"address-{self.get_ident(request)}"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        now = time.time()
        self.window_end = (int(now) // self.duration + 1) * self.duration
        self.now = now
        count = count_request(self.get_cache_key(request, view), self.window_end - self.duration)
        return count <= self.num_requests

    def wait(self):
        """Seconds until the window ends (DRF sends it, rounded up, as Retry-After)."""
        return max(self.window_end - self.now, 1)
