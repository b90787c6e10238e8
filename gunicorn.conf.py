"""gunicorn settings for serving the tracker as deployed: `gunicorn trafficking_ops.wsgi` picks this file up."""

import ctypes
import ctypes.util
import multiprocessing
import os

from trafficking_ops import gunicorn_errors

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Threaded workers keep client connections alive (sync workers close every one after its response, so a browser or a
# proxy pays a new connection per request). Chosen by measurement, docs/performance.md "Workers".
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# The app is loaded and warmed up once (trafficking_ops/wsgi.py: URLs, templates, catalogues) before the workers are
# forked: their first request is as fast as the next ones, and they share those pages of memory. A code change then
# needs a restart, not a HUP.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
# Streaming CSV exports of a million rows take seconds; allow them to finish.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = 5000
max_requests_jitter = 500

# gunicorn's own error pages (bad request line, headers too large, ...) with the headers Django's pages carry.
gunicorn_errors.install()


def _glibc():
    """The C library when it is glibc (it has malloc_trim and mallopt), else None (musl, macOS)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except (OSError, TypeError):
        return None


_libc = _glibc()
if _libc is not None:
    # One malloc arena per process instead of one per thread: a worker's second thread no longer keeps a heap of its
    # own (~2 MB less RSS a worker, docs/performance.md "Memory"); the GIL serialises most allocations anyway. Set in
    # the master before the fork, inherited by the workers. M_ARENA_MAX is -8 in glibc's malloc.h.
    _libc.mallopt(-8, 1)


# A response this large (an export, a dashboard, a big admin page) leaves megabytes free but held by malloc.
TRIM_AFTER_BYTES = 256 * 1024


def post_request(worker, req, environ, resp):
    """Hand the C heap's free pages back to the system after a large response (docs/performance.md "Memory").

    Only after one: malloc_trim costs ~0.15 ms, and in a threaded worker it runs before the kept-alive connection's
    next request is read, so after every small page it would add that to the next page's latency."""
    if _libc is not None and resp.sent >= TRIM_AFTER_BYTES:
        _libc.malloc_trim(0)
