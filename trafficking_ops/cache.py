"""Django's per-process memory cache, with large values kept zlib-compressed (settings.CACHES)."""

import pickle
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache

# Values pickled to at least this many bytes are compressed: rendered pages and tables (50-500 kB of HTML, a tenth
# of it compressed). Smaller ones (API throttle histories, counters) are kept as they are.
COMPRESS_FROM = 4096
_PLAIN, _COMPRESSED = b"p", b"z"
_MISSING = object()


def pack(value) -> bytes:
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    if len(data) < COMPRESS_FROM:
        return _PLAIN + data
    return _COMPRESSED + zlib.compress(data, 1)  # level 1: ~1 ms for 250 kB, nearly the ratio of level 6 on HTML


def unpack(packed: bytes):
    data = packed[1:]
    return pickle.loads(zlib.decompress(data) if packed[:1] == _COMPRESSED else data)


class CompressedLocMemCache(LocMemCache):
    """LocMemCache holding each value as `pack` writes it. Every server process has its own copy of the cache: 500
    cached pages of 50-500 kB made a worker tens of megabytes larger (issue 19: at most 90 MB a worker); compressed,
    a tenth of that. Reading a page back costs a decompression (~0.1 ms for 250 kB)."""

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, pack(value), timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        super().set(key, pack(value), timeout, version)

    def get(self, key, default=None, version=None):
        packed = super().get(key, _MISSING, version)
        return default if packed is _MISSING else unpack(packed)

    # LocMemCache's incr unpickles the stored value itself; BaseCache's goes through get() and set().
    incr = BaseCache.incr
