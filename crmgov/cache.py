"""The Redis cache, which degrades to "no cache" while Redis is unreachable.

Nothing the app keeps in the cache is the only copy (dashboard figures are recomputed, login
rate-limit counters start again), so a Redis restart should cost speed, not answer pages with
errors. A failed read is a miss, a failed write is dropped; each is logged.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _degrades(name: str, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as error:
            log.warning("Redis cache unreachable (%s): %s", name, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = name
    return call


class DegradingRedisCache(RedisCache):
    get = _degrades("get", lambda key, default=None, version=None: default)
    get_many = _degrades("get_many", lambda *args, **kwargs: {})
    has_key = _degrades("has_key", False)
    # As if stored and evicted at once: a lock taken with add() does not block its caller.
    add = _degrades("add", True)
    set = _degrades("set", None)
    set_many = _degrades("set_many", lambda *args, **kwargs: [])
    touch = _degrades("touch", False)
    delete = _degrades("delete", False)
    delete_many = _degrades("delete_many", None)
