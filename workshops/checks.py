"""System checks for settings a safe deployment depends on."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

SHARED_CACHE_BACKENDS = (
    "django_redis.cache.RedisCache",
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)


@register()
def shared_cache_in_production(app_configs, **kwargs):
    """Rate limits and lockouts live in the cache: per process, they multiply by workers."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    backend = settings.CACHES.get(settings.RATELIMIT_USE_CACHE, {}).get("BACKEND", "")
    if backend in SHARED_CACHE_BACKENDS:
        return []
    return [
        Error(
            f"Production needs a cache shared by every server process; found {backend}.",
            hint="Set CACHE_URL=redis://HOST:6379/N (django-redis) or a memcached URL.",
            id="workshops.E001",
        )
    ]
