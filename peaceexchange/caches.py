"""The cache configuration, in one place for the settings and the tests.

The cache holds rate-limit counts, drawn charts and audited releases: nothing that is
not also in the database or cannot be counted again. So when Redis stops answering
the pages go on without it (every read is a miss, every write is dropped, and rate
limits are not counted) instead of answering 500 to a phone in the middle of a
session. Each failure is logged by django-redis; ``/healthz`` says the cache is down.
"""

from __future__ import annotations

import environ

REDIS_BACKEND = "django_redis.cache.RedisCache"
# A Redis host that stopped answering (a dropped network, not a refused port) must not
# hold a request for long: each cache call waits at most this many seconds.
REDIS_TIMEOUT = 0.5


def cache_from_url(url: str) -> dict:
    """The ``CACHES["default"]`` entry of ``url`` (django-environ's cache URL)."""
    config = environ.Env.cache_url_config(url)
    if config["BACKEND"] == REDIS_BACKEND:
        options = config.setdefault("OPTIONS", {})
        options.setdefault("IGNORE_EXCEPTIONS", True)
        options.setdefault("LOG_IGNORED_EXCEPTIONS", True)
        options.setdefault("SOCKET_CONNECT_TIMEOUT", REDIS_TIMEOUT)
        options.setdefault("SOCKET_TIMEOUT", REDIS_TIMEOUT)
    return config
