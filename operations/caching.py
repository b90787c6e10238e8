"""Renderings cached under the data version: the same page with the same query string, in the same language, is
rendered once per version of the data (models.DataVersion, renewed by every write), not once per request.

One style: what is cached is a page part's rendered HTML (or an API page's JSON body), never the objects it was made
from. Where the view writes that HTML (a list's table and filter form, written in Python), the view caches it with
cached(); where a template writes it (the overview, a dashboard, /compare/), the template's {% cache %} fragment does,
keyed by fragment_context(), and the view hands it values computed on first use (on_first_use()), so a cached
fragment costs no query. Both keys hold the data version, the path and query string, and the language.

The cache is Django's (settings.CACHES; by default memory local to each server process), entries expire after
TRACKER_CACHE_SECONDS and 0 turns caching off. The version is read from the database on each request (one query),
so every server process sees a write at once: there is no invalidation to miss.
"""

import hashlib
from functools import lru_cache, partial

from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from .models import DataVersion


def data_version() -> int | None:
    """The current data version token; None if there is none yet (an empty database), which disables caching."""
    return DataVersion.objects.filter(pk=1).values_list("token", flat=True).first()


def version_row(request) -> tuple:
    """(token, changed_at) of the data version, read once per request (None, None on an empty database): the cache
    key's version here, the version date of citations (operations/citation.py) and of API responses."""
    if not hasattr(request, "_tracker_version_row"):
        row = DataVersion.objects.filter(pk=1).values_list("token", "changed_at").first()
        request._tracker_version_row = row or (None, None)
    return request._tracker_version_row


def request_version(request) -> int | None:
    """data_version(), read once per request."""
    if not hasattr(request, "_tracker_data_version"):
        request._tracker_data_version = version_row(request)[0] if settings.TRACKER_CACHE_SECONDS else None
    return request._tracker_data_version


def fragment_context(request) -> dict:
    """What a template's {% cache cache_seconds "name" cache_version request.get_full_path %} needs: the data
    version and language as the key, 0 seconds (nothing kept) when caching is off or there is no version."""
    version = request_version(request)
    if version is None:
        return {"cache_seconds": 0, "cache_version": ""}
    return {"cache_seconds": settings.TRACKER_CACHE_SECONDS, "cache_version": f"{version}:{get_language()}"}


def cached(name, request, render):
    """render() for this page and query string, from the cache when the data has not changed since it was made.

    `render` must return a picklable value that depends only on the data, the path, the query string and the
    language: never on the user (pages that differ by permission keep those parts out of the cached value)."""
    seconds = settings.TRACKER_CACHE_SECONDS
    version = request_version(request)
    if version is None:
        return render()
    # The query string exactly as given: its order matters (/compare/ shows operations in URL order).
    signature = "\n".join(
        [name, request.path, request.META.get("QUERY_STRING", ""), get_language() or "", str(version)]
    )
    key = "tracker:" + hashlib.blake2b(signature.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    value = cache.get(key)
    if value is None:
        value = render()
        cache.set(key, value, seconds)
    return value


def on_first_use(compute, keys) -> dict:
    """{key: compute()[key]} for a template context, computed once, when the template first uses one: a page whose
    {% cache %} fragment is cached computes none of it."""
    load = lru_cache(maxsize=1)(compute)
    return {key: SimpleLazyObject(partial(_item, load, key)) for key in keys}


def _item(load, key):
    return load()[key]
