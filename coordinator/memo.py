"""Things worked out from figures, kept by what they show: a per-worker cache whose key is a
hash of the figures themselves (content-addressed), so a change of any figure is a new key and
there is nothing to invalidate. Workers share nothing and stay stateless; two workers with the
same figures make the same key (the dashboard's charts use it as their ETag).

Used where a page's figures change far less often than it is read: the dashboard's charts and
figures, the hot spots' grid and lists. The data must be plain values (JSON with str() for
anything else): dates, numbers, strings, lists, tuples and dicts of them.
"""

import hashlib
import json
from collections import OrderedDict
from threading import Lock

CACHE_SIZE = 256
_cache: OrderedDict[str, object] = OrderedDict()
_lock = Lock()


def key(kind: str, data) -> str:
    blob = json.dumps([kind, data], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def remember(kind: str, data, build) -> tuple[str, object]:
    """(key, build()) for these figures, from this worker's cache when built before."""
    digest = key(kind, data)
    with _lock:
        found = _cache.get(digest)
        if found is not None:
            _cache.move_to_end(digest)
            return digest, found
    built = build()
    with _lock:
        _cache[digest] = built
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return digest, built
