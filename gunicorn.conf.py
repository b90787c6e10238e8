"""gunicorn settings for serving the tracker as deployed: `gunicorn trafficking_ops.wsgi` picks this file up."""

import multiprocessing
import os

from trafficking_ops import gunicorn_errors

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual (2 x cores) + 1 synchronous workers; pages are short database reads, so threads add little.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
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
